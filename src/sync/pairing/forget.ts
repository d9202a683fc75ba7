import type { PairedDeviceItem } from '../../wire/peers.js';
import type { PairedDevice, PairedDevices } from './paired-devices.js';
import { refusesThisDevice, type RemovedFrom } from '../members/removed-from.js';

/** A paired device as `devices list` shows it; REACH: how it is reached now (null: not connected); REMOVED: the libraries this device was removed from. */
export function pairedDeviceItem(d: PairedDevice, reach: Pick<PairedDeviceItem, 'reached' | 'rtt_ms'>, removed: readonly RemovedFrom[]): PairedDeviceItem {
  const online = reach.reached !== null;
  return {
    kind: 'device', id: d.device_uuid, name: d.name, paired_at: d.paired_at, online,
    last_seen: online ? new Date().toISOString() : d.last_seen, libraries: [...d.library_ids],
    via: d.library_ids.every((l) => d.member_of?.includes(l)) ? 'library' : 'pairing', peer_id: d.peer_id,
    reached: reach.reached, rtt_ms: reach.rtt_ms, refuses_this_device: refusesThisDevice(d.library_ids, removed),
  };
}

/**
 * Unpair: the device ID names (a uuid or its start) leaves the trust store (its key refused from
 * now on), HANGUP ends its connections, and only then what it said it has leaves every library it
 * shared (FORGETIN removes it from one; also when the hang-up fails). In that order because a
 * connection still open may begin a pull of its rows: one begun after its rows were dropped would
 * write them again as a removed device's (a pull begun before is refused by the removal count,
 * `PeerLibrary`). Returns the device forgotten.
 */
export async function forgetDevice(
  trust: PairedDevices, id: string, hangUp: (d: PairedDevice) => Promise<void>, forgetIn: (libraryId: string, deviceUuid: string) => void,
): Promise<PairedDevice> {
  const d = trust.find(id);
  trust.remove(d.device_uuid);
  try {
    await hangUp(d);
  } finally {
    for (const libraryId of d.library_ids) forgetIn(libraryId, d.device_uuid);
  }
  return d;
}
