import type { Logger } from 'pino';
import type { Device } from '../device/identity.js';
import type { ConnectedDevice, PairedDeviceItem, PairedInfo, PairingCodeInfo } from '../wire/peers.js';
import { LibraryLink, type LinkNetwork } from './library-link.js';
import { peerIdOfPublicKey } from './net/device-key.js';
import type { PeerNodeOptions } from './net/peer-node.js';
import { PeerNetwork, type NetworkHandlers } from './network.js';
import { peerHandlers } from './peer-handlers.js';
import { PairedDevices } from './pairing/paired-devices.js';
import { PairingService } from './pairing/service.js';
import { onSyncSettingsChange, readSyncSettings } from './sync-settings.js';
import type { LibraryHost, SyncedLibrary } from './synced-library.js';
import { RateLimiter } from './transfer/rate-limiter.js';
import { applyMembership } from './members/apply-membership.js';
import { removalOps, tellRemoved } from './members/removal-notice.js';
import { noteRemovedFrom } from './members/removed-from.js';
import { admissionTerms, recordMember, recordRemoval, removalRefused, rightsHere } from './members/record-member.js';
import type { Right } from '../tags/member-record.js';
import type { DeviceRights } from '../wire/peers.js';
import { readFileSync } from 'node:fs';
import { VssError } from '../core/errors.js';
import { join } from 'node:path';
import type { Library } from '../library/library.js';

export type { LibraryHost, SyncedLibrary } from './synced-library.js';

/** Everything is pulled again this often, in case a push was lost (DESIGN §9: every 5 minutes). */
const PERIODIC_PULL_MS = 5 * 60_000;

export interface PeerServiceOptions {
  dataDir: string;
  device: Device;
  /** `--listen` as given; empty: every interface once the network is needed. */
  listen: string[];
  log: Logger;
  host: LibraryHost;
  /** Told when the node's listen addresses change (the daemon rewrites daemon.json). */
  onListening?: (addrs: string[]) => void;
  /** As a relay box serving browsers: the secure WebSockets its HTTPS server hands over (PeerNode's `wss`). */
  wss?: PeerNodeOptions['wss'];
  /**
   * The browsers paired with this device away from home (issue 46 item 4): let in and told to the
   * relays; PAIRINGOPEN: a pairing address is live, so a browser not paired yet may come in to pair.
   */
  browsers?: { peerIds(): string[]; isBrowser(peerId: string): boolean; pairingOpen(): boolean };
  /** Their requests to this device's API (the daemon's bridge, which checks who may). */
  browserHttp?: NonNullable<NetworkHandlers['browserHttp']>;
}

/**
 * The daemon's network side (DESIGN §9), put together: the device's node (network.ts), pairing
 * (pairing/service.ts), and one link per library shared with a paired device (library-link.ts),
 * which the node's protocol handlers reach by library id. One bandwidth budget for the device:
 * every link's fetches draw from `download`, everything served from `upload`.
 */
export class PeerService {
  private readonly trust: PairedDevices;
  private readonly network: PeerNetwork;
  private readonly pairing: PairingService;
  private readonly links = new Map<string, { lib: SyncedLibrary; link: LibraryLink }>();
  private readonly download: RateLimiter;
  private readonly upload: RateLimiter;
  private readonly offSettings: () => void;
  private readonly periodic: NodeJS.Timeout;
  private stopped = false;
  /** How many membership records each library had when last worked out. */
  private readonly memberCounts = new Map<string, number>();
  /** Removed devices being told so, by peer id: hung up on once told. */
  private readonly telling = new Map<string, Promise<void>>();
  readonly peerId: string;

  private constructor(private readonly opts: PeerServiceOptions) {
    this.trust = PairedDevices.load(opts.dataDir);
    this.peerId = peerIdOfPublicKey(opts.device.publicKey);
    const bandwidth = readSyncSettings(opts.dataDir).prefetch.bandwidthBytesPerSec;
    this.download = new RateLimiter(bandwidth);
    this.upload = new RateLimiter(bandwidth);
    this.offSettings = onSyncSettingsChange(opts.dataDir, (s) => {
      this.download.setRate(s.prefetch.bandwidthBytesPerSec);
      this.upload.setRate(s.prefetch.bandwidthBytesPerSec);
    });
    this.network = new PeerNetwork({
      dataDir: opts.dataDir,
      listen: opts.listen,
      log: opts.log,
      trust: this.trust,
      strangersWelcome: () => this.pairing.welcomesStrangers() || opts.browsers?.pairingOpen() === true,
      handlers: {
        pair: (stream, peerId) => this.pairing.handleStream(stream, peerId),
        ...(opts.browserHttp ? { browserHttp: opts.browserHttp } : {}),
        ...peerHandlers({
          dataDir: opts.dataDir, upload: this.upload, log: opts.log,
          linkOf: (id) => this.linkOf(id),
          isPaired: (deviceUuid) => this.trust.get(deviceUuid) !== undefined,
          membersChanged: (lib) => this.membersMayHaveChanged(lib),
          onDropProgress: (remote, p) => this.tellShared(remote.libraryIds, (lib) => lib.events.emit('drop:progress', p)),
          onReceived: (remote, f) => this.tellShared(remote.libraryIds, (lib) => lib.events.emit('files:received', f)),
        }),
      },
      onPairedConnect: (r) => {
        for (const id of r.libraryIds) void this.linkOf(id)?.connected(r);
      },
      ...(opts.onListening ? { onListening: opts.onListening } : {}),
      ...(opts.wss ? { wss: opts.wss } : {}),
      ...(opts.browsers ? { browsers: opts.browsers } : {}),
    });
    this.pairing = new PairingService({
      dataDir: opts.dataDir,
      device: opts.device,
      log: opts.log,
      trust: this.trust,
      network: this.network,
      host: opts.host,
      attach: (lib) => this.attach(lib),
      paired: (lib, peerId, admission) => {
        // The admission both signed goes into the library's membership: every member learns of the new one (issue 46).
        const link = this.links.get(lib.id)?.link;
        if (admission && link) recordMember(link.library, admission);
        const r = this.network.remoteOf(peerId);
        if (r) link?.paired(r);
      },
      forgetIn: (libraryId, deviceUuid) => this.linkOf(libraryId)?.forgetDevice(deviceUuid),
      admissionTerms: (libraryId, key) => {
        const link = this.linkOf(libraryId);
        return link ? admissionTerms(link.library, key, this.opts.device.publicKey) : { over: [] };
      },
    });
    this.periodic = setInterval(() => {
      for (const { link } of this.links.values()) link.pullAll();
    }, PERIODIC_PULL_MS).unref();
  }

  /** The node starts when there is someone to talk to: a paired device or a `--listen` the user gave. */
  static async start(opts: PeerServiceOptions): Promise<PeerService> {
    const svc = new PeerService(opts);
    if (svc.network.listenAsked || svc.trust.list().length > 0) {
      await svc.network.ensure();
      for (const d of svc.trust.list()) for (const id of d.library_ids) opts.host.library(id);
    }
    return svc;
  }

  /**
   * Where a browser away from home opens the web app to reach this device (issue 46 item 4): a
   * relay box this device holds a slot on that serves browsers (its address ends in /tls/ws), and
   * the box's multiaddr; undefined when there is none.
   */
  awayBase(): { url: string; box: string } | undefined {
    for (const a of this.network.addresses()) {
      const m = /^(\/(dns|dns4|dns6|ip4|ip6)\/([^/]+)\/tcp\/(\d+)\/tls\/ws\/p2p\/[^/]+)\/p2p-circuit/.exec(a);
      if (!m) continue;
      const host = m[2] === 'ip6' ? `[${m[3]}]` : m[3]!;
      return { url: `https://${host}${m[4] === '443' ? '' : `:${m[4]}`}/ui/`, box: m[1]! };
    }
    return undefined;
  }

  /** Ask the relays this device holds slots on to carry strangers to it for FORMS (a browser pairing away from home), or no longer (0). */
  async askRelaysForStrangers(forMs: number): Promise<void> {
    await this.network.askRelaysForStrangers(forMs);
  }

  /** Close every connection of PEERID now (a browser revoked: its requests stop at once, not at its next connection). */
  async hangUp(peerId: string): Promise<void> {
    await this.network.hangUp(peerId);
  }

  /** Tell the relays this device holds slots on which browsers paired away from home to carry to it (one paired or revoked). */
  async tellRelaysBrowsers(): Promise<void> {
    await this.network.tellRelaysBrowsers();
  }

  /** `daemon status`: the peer id always; listen addresses once the node runs. */
  status(): { peer_id: string; listen: string[] } {
    return { peer_id: this.peerId, listen: this.network.addresses() };
  }

  /** Link this library to the paired devices that share it: called by the daemon when it opens one. */
  attach(lib: SyncedLibrary): void {
    if (this.links.has(lib.id) || this.stopped) return;
    const log = this.opts.log.child({ library: lib.id, module: 'sync' });
    const link = lib.sync.link((domain) => new LibraryLink({ lib: domain, dataDir: this.opts.dataDir, network: this.linkNetwork, limiter: this.download, log }));
    this.links.set(lib.id, { lib, link });
  }

  /** Stop linking a library (it is closing). */
  async detach(libraryId: string): Promise<void> {
    const entry = this.links.get(libraryId);
    if (!entry) return;
    this.links.delete(libraryId);
    await entry.lib.sync.unlink()?.stop();
  }

  pairStart(lib: SyncedLibrary | undefined, onCode: (code: PairingCodeInfo) => void, signal?: AbortSignal): Promise<PairedInfo> {
    return this.pairing.start(lib, onCode, signal);
  }

  pairJoin(words: string[], opts: { peer?: string; invite?: string } = {}): Promise<PairedInfo> {
    return this.pairing.join(words, opts);
  }

  devices(): PairedDeviceItem[] {
    return this.pairing.devices();
  }

  /**
   * `vss devices remove ID` (also `unpair`): the device leaves every library it shares with this
   * one, for every member (issue 46): a signed removal goes into each library's records, which
   * the members take in within seconds and then refuse it; here it is forgotten at once.
   */
  async unpair(id: string): Promise<{ id: string; name: string }> {
    const d = this.trust.find(id);
    const me = this.opts.device;
    const key = readFileSync(join(this.opts.dataDir, 'device.key'), 'utf8');
    const self = { uuid: me.uuid, name: me.name, key: me.publicKey };
    // Refused whole, nothing recorded, where this device may not remove it from one of them (N2).
    for (const libraryId of d.library_ids) {
      const link = this.linkOf(libraryId);
      const why = link && removalRefused(this.trust, link.library, self, { uuid: d.device_uuid, key: d.public_key, name: d.name });
      if (why) throw new VssError('POLICY', why);
    }
    // The removal recorded first in every library (its membership then drops the device here and
    // hangs up on it), then whatever is left of it here forgotten: nothing can bring it back.
    for (const libraryId of d.library_ids) {
      const link = this.linkOf(libraryId);
      if (link) recordRemoval(link.library, self, key, { uuid: d.device_uuid, key: d.public_key });
    }
    // Told of its removal before it is hung up on (membersMayHaveChanged began it as the records changed).
    await this.telling.get(d.peer_id);
    if (this.trust.get(d.device_uuid)) return this.pairing.unpair(d.device_uuid);
    await this.network.hangUp(d.peer_id);
    this.opts.log.info({ device: d.device_uuid, name: d.name }, 'removed');
    return { id: d.device_uuid, name: d.name };
  }

  /**
   * `vss devices rights ID [RIGHTS]`: what the device may do in each library it shares with this
   * one; with RIGHTS, set first by a grant signed here (issue 46), which the members take in as
   * shared data. Refused unless this device may admit.
   */
  rights(id: string, rights?: Right[]): DeviceRights {
    const d = this.trust.find(id);
    const me = this.opts.device;
    const self = { uuid: me.uuid, name: me.name, key: me.publicKey };
    const out: DeviceRights = { id: d.device_uuid, name: d.name, libraries: [] };
    for (const libraryId of d.library_ids) {
      const link = this.linkOf(libraryId);
      const got = link && rightsHere(this.trust, link.library, self, () => readFileSync(join(this.opts.dataDir, 'device.key'), 'utf8'), { uuid: d.device_uuid, key: d.public_key }, rights);
      if (got) out.libraries.push(got);
    }
    return out;
  }

  /** `vss devices connect ADDR`: a paired device dialled at an address given by hand, and remembered there. */
  async connect(addr: string): Promise<ConnectedDevice> {
    const { device, addr: remembered } = await this.network.connectTo(addr);
    return { device_id: device.device_uuid, name: device.name, addr: remembered };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.offSettings();
    clearInterval(this.periodic);
    this.pairing.cancel();
    // The node first: nothing served or pulled while the libraries are let go.
    await this.network.stop();
    await Promise.all([...this.links.keys()].map((id) => this.detach(id)));
    this.download.close();
    this.upload.close();
  }

  /** Tell the open libraries in LIBRARYIDS (a received file is announced in each library shared with its sender). */
  private tellShared(libraryIds: readonly string[], fn: (lib: LibraryLink['library']) => void): void {
    for (const id of libraryIds) {
      const link = this.links.get(id)?.link;
      if (link) fn(link.library);
    }
  }

  /** What each link sees of the network. */
  private readonly linkNetwork: LinkNetwork = {
    connected: () => this.network.connected(),
    open: (peerId, protocol, signal) => this.network.open(peerId, protocol, signal),
    recentlyOnline: (deviceUuid) => this.network.recentlyOnline(deviceUuid),
    redial: () => this.network.redialAll(),
    settling: () => this.network.settling(),
    seen: (deviceUuid) => this.network.seen(deviceUuid),
    named: (deviceUuid, name) => {
      if (this.trust.rename(deviceUuid, name)) this.opts.log.info({ device: deviceUuid, name }, 'a paired device has a new name');
    },
    membersMayHaveChanged: (lib) => this.membersMayHaveChanged(lib),
    device: (deviceUuid) => {
      const d = this.trust.get(deviceUuid);
      return d && { deviceUuid: d.device_uuid, peerId: d.peer_id, name: d.name, libraryIds: d.library_ids, publicKey: d.public_key };
    },
  };

  /**
   * LIB's membership records, worked out again when there are new ones (issue 46): members
   * trusted and dialled, removed devices refused and hung up on.
   */
  private membersMayHaveChanged(lib: Library): void {
    if (this.stopped || !lib.db.open) return;
    const id = lib.config.id;
    const count = lib.store.libraryMembers.count();
    if (this.memberCounts.get(id) === count) return;
    const d = this.opts.device;
    let change;
    try {
      change = applyMembership(this.trust, lib, { uuid: d.uuid, name: d.name, key: d.publicKey });
    } catch (err) {
      this.opts.log.warn({ err, library: id }, "the library's membership could not be read");
      return;
    }
    this.memberCounts.set(id, count);
    const log = this.opts.log.child({ library: id });
    if (change.conflicts.length > 0) log.warn({ devices: change.conflicts }, "membership records name devices whose id or key is another paired device's: left out");
    // Said where the user looks (devices list, daemon status, the web app), not only in the log (issue 57).
    const out = change.view.removed.get(d.publicKey);
    const by = out && (this.trust.get(out.by)?.name ?? [...change.view.members.values()].find((m) => m.uuid === out.by)?.name ?? out.by.slice(0, 8));
    if (noteRemovedFrom(this.opts.dataDir, id, out ? { library: lib.config.name, by: by!, at: out.at } : null) && out) log.warn({ by: out.by, at: out.at }, `this device was removed from the library by ${by}: its members refuse it now`);
    for (const gone of change.dropped) {
      log.info({ device: gone.uuid }, 'a member was removed from the library: refused from now on');
      this.linkOf(id)?.forgetDevice(gone.uuid);
      // Told first, while still connected (it learns why every member refuses it), then hung up on.
      const removal = [...change.view.removed.values()].find((r) => r.uuid === gone.uuid);
      const ops = removal ? removalOps(lib, gone.uuid, removal.id) : [];
      const told = ops.length === 0 || this.network.reachOf(gone.peerId).reached === null ? Promise.resolve()
        : tellRemoved((signal) => this.network.open(gone.peerId, 'removal', signal), id, ops).catch((err: unknown) => log.debug({ err, device: gone.uuid }, 'telling a removed device failed'));
      this.telling.set(gone.peerId, told);
      void told.then(() => {
        this.telling.delete(gone.peerId);
        if (gone.gone) void this.network.hangUp(gone.peerId);
      });
    }
    if (change.added.length > 0) {
      log.info({ devices: change.added.length }, 'new members of the library: trusted and dialled');
      this.network.membersAdded(change.added);
    }
  }

  /** The link of a library shared with peers, its library opened and linked on demand (a peer may ask for one the daemon has not opened yet). */
  private linkOf(libraryId: string): LibraryLink | undefined {
    const entry = this.links.get(libraryId);
    if (entry) return entry.link;
    const lib = this.opts.host.library(libraryId);
    if (lib) this.attach(lib);
    return this.links.get(libraryId)?.link;
  }
}
