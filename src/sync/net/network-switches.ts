import { join } from 'node:path';
import { VssError } from '../../core/errors.js';
import { readDeviceSettings, updateDeviceSettings } from '../../jobs/cpu-budget.js';

/**
 * The device's network switches, kept in the data dir's `device-settings.json` (off unless the
 * user turned them on; a running daemon takes a change at its next start):
 * - `relay`: serve as a relay for the devices this one is paired with (`daemon start --relay`);
 * - `upnp`: map the daemon's port on the router (UPnP) and advertise the public address once
 *   another device confirmed it reachable (`daemon start --upnp`). Off by default: it opens a
 *   port on the router to the whole internet, which a user should choose.
 */
export type NetworkSwitch = 'relay' | 'upnp';

/** Slots a relay keeps for its paired devices (one each; a library of more devices than this is not a home). */
export const RELAY_SLOTS = 64;

export function readNetworkSwitch(dataDir: string, key: NetworkSwitch): boolean {
  const own = readDeviceSettings(dataDir)[key];
  if (own === undefined) return false;
  if (typeof own !== 'boolean') throw new VssError('USAGE', `device-settings.json: "${key}" must be true or false`, { path: join(dataDir, 'device-settings.json') });
  return own;
}

export function writeNetworkSwitch(dataDir: string, key: NetworkSwitch, on: boolean): boolean {
  updateDeviceSettings(dataDir, (s) => {
    if (on) s[key] = true;
    else delete s[key];
  });
  return readNetworkSwitch(dataDir, key);
}

/** The least a relay's budget may be (below it a pairing or a thumbnail would time out). */
const RELAY_RATE_MIN = 64 * 1024;

/**
 * `relay_rate`: bytes a second this device's relay carries for all circuits together (`daemon
 * start --relay-rate 5M`), for a box on a thin or metered uplink; absent, as much as the link takes.
 */
export function readRelayRate(dataDir: string): number | null {
  const v = readDeviceSettings(dataDir).relay_rate;
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < RELAY_RATE_MIN) {
    throw new VssError('USAGE', `device-settings.json: "relay_rate" must be a whole number of bytes a second, at least ${RELAY_RATE_MIN}`, { path: join(dataDir, 'device-settings.json') });
  }
  return v;
}

/** Set the relay's budget (bytes a second), or none with null. */
export function writeRelayRate(dataDir: string, bytesPerSecond: number | null): number | null {
  if (bytesPerSecond !== null && !(Number.isInteger(bytesPerSecond) && bytesPerSecond >= RELAY_RATE_MIN)) {
    throw new VssError('USAGE', `--relay-rate must be at least ${RELAY_RATE_MIN / 1024} KiB a second, or "unlimited"`);
  }
  updateDeviceSettings(dataDir, (s) => {
    if (bytesPerSecond === null) delete s.relay_rate;
    else s.relay_rate = bytesPerSecond;
  });
  return readRelayRate(dataDir);
}

/**
 * `listen`: the P2P addresses the daemon listens on when a start names none (`daemon start
 * --listen ADDR`, kept until another `--listen` replaces it or `--listen default` forgets it).
 * Kept because the devices elsewhere know this one only at the address they remember: a relay
 * box that came back on another port would be lost to every device behind a NAT. Absent: every
 * interface, any free port (`DEFAULT_LISTEN`).
 */
export function readKeptListen(dataDir: string): string[] {
  const v = readDeviceSettings(dataDir).listen;
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.length === 0 || !v.every((a) => typeof a === 'string' && a.startsWith('/'))) {
    throw new VssError('USAGE', 'device-settings.json: "listen" must be a list of multiaddrs such as "/ip4/0.0.0.0/tcp/4001"', { path: join(dataDir, 'device-settings.json') });
  }
  return v as string[];
}

/** Keep ADDRS (checked by the caller as `--listen` is: `checkListenAddresses`) as where the daemon listens, or forget them with [] (back to the default). */
export function writeKeptListen(dataDir: string, addrs: readonly string[]): string[] {
  if (!addrs.every((a) => a.startsWith('/'))) throw new VssError('USAGE', `--listen takes multiaddrs such as /ip4/0.0.0.0/tcp/4001, not ${JSON.stringify(addrs)}`);
  updateDeviceSettings(dataDir, (s) => {
    if (addrs.length === 0) delete s.listen;
    else s.listen = [...addrs];
  });
  return readKeptListen(dataDir);
}
