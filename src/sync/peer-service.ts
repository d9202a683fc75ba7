import type { Logger } from 'pino';
import type { Device } from '../device/identity.js';
import type { ConnectedDevice, PairedDeviceItem, PairedInfo, PairingCodeInfo } from '../wire/peers.js';
import { LibraryLink, type LinkNetwork } from './library-link.js';
import { peerIdOfPublicKey } from './net/device-key.js';
import { PeerNetwork } from './network.js';
import { peerHandlers } from './peer-handlers.js';
import { PairedDevices } from './pairing/paired-devices.js';
import { PairingService } from './pairing/service.js';
import { onSyncSettingsChange, readSyncSettings } from './sync-settings.js';
import type { LibraryHost, SyncedLibrary } from './synced-library.js';
import { RateLimiter } from './transfer/rate-limiter.js';

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
      strangersWelcome: () => this.pairing.welcomesStrangers(),
      handlers: {
        pair: (stream, peerId) => this.pairing.handleStream(stream, peerId),
        ...peerHandlers({
          dataDir: opts.dataDir, upload: this.upload, log: opts.log,
          linkOf: (id) => this.linkOf(id),
          isPaired: (deviceUuid) => this.trust.get(deviceUuid) !== undefined,
          onDropProgress: (remote, p) => this.tellShared(remote.libraryIds, (lib) => lib.events.emit('drop:progress', p)),
          onReceived: (remote, f) => this.tellShared(remote.libraryIds, (lib) => lib.events.emit('files:received', f)),
        }),
      },
      onPairedConnect: (r) => {
        for (const id of r.libraryIds) void this.linkOf(id)?.connected(r);
      },
      ...(opts.onListening ? { onListening: opts.onListening } : {}),
    });
    this.pairing = new PairingService({
      dataDir: opts.dataDir,
      device: opts.device,
      log: opts.log,
      trust: this.trust,
      network: this.network,
      host: opts.host,
      attach: (lib) => this.attach(lib),
      paired: (lib, peerId) => {
        const r = this.network.remoteOf(peerId);
        if (r) this.links.get(lib.id)?.link.paired(r);
      },
      forgetIn: (libraryId, deviceUuid) => this.linkOf(libraryId)?.forgetDevice(deviceUuid),
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

  unpair(id: string): Promise<{ id: string; name: string }> {
    return this.pairing.unpair(id);
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
  };

  /** The link of a library shared with peers, its library opened and linked on demand (a peer may ask for one the daemon has not opened yet). */
  private linkOf(libraryId: string): LibraryLink | undefined {
    const entry = this.links.get(libraryId);
    if (entry) return entry.link;
    const lib = this.opts.host.library(libraryId);
    if (lib) this.attach(lib);
    return this.links.get(libraryId)?.link;
  }
}
