import { UsageError, VssError } from '../core/errors.js';
import { RIGHTS, type Right } from '../tags/member-record.js';
import { checkPeerAddress } from './peers.js';
import { findRunningDaemon } from './remote/status.js';

/** The trust store loads libp2p's key code: only when devices are asked about. */
const trustStore = async (dataDir: string) => (await import('../sync/pairing/paired-devices.js')).PairedDevices.load(dataDir);
import type { ConnectedDevice, DeviceItem, DeviceRights, PairedInfo, PairingCodeInfo } from './peer-types.js';
import { BrowserDevices, browserDeviceItem } from '../device/browser-devices.js';
import type { LibraryApi } from './library-api.js';

/**
 * Paired devices as this data dir records them, without a network: `devices list` shows them
 * (none online: only a running daemon talks to peers) and `devices unpair` forgets one in every
 * library it shared.
 */
export class DevicesApi {
  constructor(private readonly dataDir: string, private readonly openLibrary: (id: string) => LibraryApi | undefined) {}

  async list(): Promise<DeviceItem[]> {
    const { pairedDeviceItem } = await import('../sync/pairing/forget.js');
    const removed = (await import('../sync/members/removed-from.js')).readRemovedFrom(this.dataDir);
    const paired = (await trustStore(this.dataDir)).list().map((d) => pairedDeviceItem(d, { reached: null, rtt_ms: null }, removed));
    return [...paired, ...BrowserDevices.load(this.dataDir).list().map((d) => browserDeviceItem(d))];
  }

  /** End a paired browser's session for good (`vss devices revoke`): its next request is refused. */
  async revoke(id: string): Promise<{ id: string; name: string }> {
    if (findRunningDaemon(this.dataDir)) throw new VssError('NO_DAEMON', 'a daemon runs for this data dir: revoke through it (without VSS_NO_DAEMON=1)');
    return revokeBrowser(BrowserDevices.load(this.dataDir), id);
  }

  async unpair(id: string): Promise<{ id: string; name: string }> {
    // The daemon holds the trust store in memory and writes it back: it alone may change it while it runs.
    if (findRunningDaemon(this.dataDir)) throw new VssError('NO_DAEMON', 'a daemon runs for this data dir: unpair through it (without VSS_NO_DAEMON=1)');
    const trust = await trustStore(this.dataDir);
    const d = trust.find(id);
    // Refused whole, nothing changed, where this device may not remove it from one of them (N2).
    for (const libraryId of d.library_ids) {
      const lib = this.openLibrary(libraryId);
      if (!lib) continue;
      try {
        const why = await lib.sync.removalRefused({ uuid: d.device_uuid, key: d.public_key, name: d.name }, trust);
        if (why) throw new VssError('POLICY', why);
      } finally {
        lib.close();
      }
    }
    trust.remove(d.device_uuid);
    // Removed from each library it shared, for every member (issue 46): told when the daemon next runs.
    for (const libraryId of d.library_ids) {
      const lib = this.openLibrary(libraryId);
      if (!lib) continue;
      try {
        await lib.sync.removeMember({ uuid: d.device_uuid, key: d.public_key });
      } finally {
        lib.close();
      }
    }
    return { id: d.device_uuid, name: d.name };
  }

  /**
   * What device ID may do in each library it shares with this one; with RIGHTS, set it first
   * (`vss devices rights`, issue 46): a grant signed here, which the members take in when the
   * daemon next talks to them.
   */
  async rights(id: string, rights?: string[]): Promise<DeviceRights> {
    const wanted = rights === undefined ? undefined : parseRights(rights);
    if (wanted !== undefined && findRunningDaemon(this.dataDir)) throw new VssError('NO_DAEMON', 'a daemon runs for this data dir: set rights through it (without VSS_NO_DAEMON=1)');
    const trust = await trustStore(this.dataDir);
    const d = trust.find(id);
    const out: DeviceRights = { id: d.device_uuid, name: d.name, libraries: [] };
    for (const libraryId of d.library_ids) {
      const lib = this.openLibrary(libraryId);
      if (!lib) continue;
      try {
        const got = await lib.sync.rightsOf({ uuid: d.device_uuid, key: d.public_key }, trust, wanted);
        if (got) out.libraries.push(got);
      } finally {
        lib.close();
      }
    }
    return out;
  }

  /**
   * Dial a paired device at ADDR (a multiaddr) where no remembered address, other member or mDNS
   * finds it, and remember the address. A connection lives in the daemon: the daemon answers this.
   */
  async connect(addr: string): Promise<ConnectedDevice> {
    await checkPeerAddress(addr);
    throw new VssError('NO_DAEMON', 'connecting to a device needs the daemon: start it with `vss daemon start` (`vss devices connect` starts it itself)');
  }
}

/** RIGHTS as `vss devices rights` takes them: names of RIGHTS (commas allowed), or `none`. */
export function parseRights(rights: readonly string[]): Right[] {
  const names = rights.flatMap((r) => r.split(',')).map((r) => r.trim().toLowerCase()).filter((r) => r !== '');
  if (names.length === 1 && names[0] === 'none') return [];
  const bad = names.filter((r) => !(RIGHTS as readonly string[]).includes(r));
  if (bad.length > 0 || names.length === 0) throw new UsageError(`rights are ${RIGHTS.join(', ')} (or none), not ${JSON.stringify(bad.join(',') || rights.join(' '))}`);
  return RIGHTS.filter((r) => names.includes(r));
}

/** Pairing needs a process that stays to answer the other device: the daemon. */
export const pairingNeedsDaemon = {
  start(_opts: { library?: string }, _onCode: (code: PairingCodeInfo) => void): Promise<PairedInfo> {
    return Promise.reject(noDaemon());
  },
  join(_words: string[], _opts?: { peer?: string }): Promise<PairedInfo> {
    return Promise.reject(noDaemon());
  },
};

function noDaemon(): VssError {
  return new VssError('NO_DAEMON', 'pairing needs the daemon: start it with `vss daemon start` (the `vss pair` commands start it themselves)');
}

/** Revoke the browser ID names in BROWSERS, or say why not (a device running vss is unpaired instead). */
export function revokeBrowser(browsers: BrowserDevices, id: string): { id: string; name: string } {
  const gone = browsers.revoke(id);
  if (!gone) throw new VssError('NOT_FOUND', `no paired browser ${JSON.stringify(id.slice(0, 40))} (\`vss devices list\` shows them; a device running vss is unpaired: vss devices unpair ID)`);
  return { id: gone.id, name: gone.name };
}
