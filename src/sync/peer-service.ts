import type { Stream } from '@libp2p/interface';
import type { Logger } from 'pino';
import type { LibraryApi } from '../api/library-api.js';
import type { PairedDeviceItem, PairedInfo, PairingCodeInfo } from '../api/peer-types.js';
import type { Device } from '../device/identity.js';
import { VssError } from '../core/errors.js';
import { devicePeerKey, peerIdOfPublicKey } from './net/device-key.js';
import { PeerNode, parseMultiaddr } from './net/peer-node.js';
import type { ProtocolName } from './messages/table.js';
import type { PeerLink, RemoteDevice } from './peer-link.js';
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { forgetDevice, pairedDeviceItem } from './pairing/forget.js';
import { PAIRING_TTL_MS, PairedDevices, parsePairingCode, PairingHost, discoveredPeers, joinPairing, pairingDialer, type LocalDeviceInfo } from './pairing/index.js';
import { askWhoHas, notifyChanged, pullAvailability, serveAvailability } from './availability/exchange.js';
import { serveFetch } from './transfer/fetch-protocol.js';
import { Fetcher } from './transfer/fetcher.js';
import { RateLimiter } from './transfer/rate-limiter.js';
import { onSyncSettingsChange, readSyncSettings } from './sync-settings.js';

/** Where the node listens when `--listen` named nothing: every interface, any free port. */
const DEFAULT_LISTEN = ['/ip4/0.0.0.0/tcp/0'];
/** Local changes are told to peers at most this often (DESIGN §9: pushed on change, debounced). */
const PUSH_DEBOUNCE_MS = 1_000;
/** And everything is pulled again this often, in case a push was lost. */
const PERIODIC_PULL_MS = 5 * 60_000;
/** Paired devices not connected are dialled again this often, each with a bounded attempt. */
const REDIAL_MS = 30_000;
const DIAL_TIMEOUT_MS = 5_000;
/** How long `pair join` looks for the device showing the code on the LAN. */
const DISCOVERY_MS = 30_000;

/** What the peer service needs from the daemon: its libraries by id. */
export interface LibraryHost {
  /** The open library with this id, opened on demand when this device knows it; undefined if it does not. */
  library(id: string): LibraryApi | undefined;
  /** Take part in another device's library (a joiner's side of pairing): its id and name, made current. */
  joinLibrary(id: string, name: string): LibraryApi;
}

export interface PeerServiceOptions {
  dataDir: string;
  device: Device;
  /** `--listen` as given; empty: DEFAULT_LISTEN once the network is needed. */
  listen: string[];
  log: Logger;
  host: LibraryHost;
  /** Told when the node's listen addresses change (the daemon rewrites daemon.json). */
  onListening?: (addrs: string[]) => void;
}

/** A library this service syncs: its fetcher, its prefetch and how to stop following it. */
interface Attached {
  lib: LibraryApi;
  fetcher: Fetcher;
  off: () => void;
}

/**
 * The daemon's network side (DESIGN §9): the device's libp2p node, pairing, and for every
 * library shared with a paired device the availability exchange, transfers, the resolver's
 * fetcher and prefetch. The node starts when there is someone to talk to — a paired device, a
 * pairing, or a `--listen` the user gave — so a device never paired listens on nothing.
 */
export class PeerService implements PeerLink {
  private node: PeerNode | undefined;
  private starting: Promise<PeerNode> | undefined;
  private readonly trust: PairedDevices;
  private readonly pairing: PairingHost;
  /** Peers mDNS found lately: `pair join` tries them first (mDNS asks only every 10 s). */
  private readonly recentlyDiscovered: string[] = [];
  private joining = 0;
  private readonly attached = new Map<string, Attached>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly dialling = new Set<string>();
  private stopped = false;
  /** Pulls under way per device and library, and whether another was asked for meanwhile: one at a time each. */
  private readonly pulling = new Map<string, { again: boolean }>();
  /** One bandwidth budget for the device: every library's fetches draw from `download`, everything served from `upload`. */
  private readonly download: RateLimiter;
  private readonly upload: RateLimiter;
  readonly peerId: string;

  private constructor(private readonly opts: PeerServiceOptions) {
    this.trust = PairedDevices.load(opts.dataDir);
    // The store records each side's new peer before the exchange's last message.
    this.pairing = new PairingHost({ store: this.trust });
    this.peerId = peerIdOfPublicKey(opts.device.publicKey);
    const bandwidth = readSyncSettings(opts.dataDir).prefetch.bandwidthBytesPerSec;
    this.download = new RateLimiter(bandwidth);
    this.upload = new RateLimiter(bandwidth);
    this.offSettings = onSyncSettingsChange(opts.dataDir, (s) => {
      this.download.setRate(s.prefetch.bandwidthBytesPerSec);
      this.upload.setRate(s.prefetch.bandwidthBytesPerSec);
    });
  }

  private readonly offSettings: () => void;

  static async start(opts: PeerServiceOptions): Promise<PeerService> {
    const svc = new PeerService(opts);
    if (opts.listen.length > 0 || svc.trust.list().length > 0) {
      await svc.ensureNode();
      for (const d of svc.trust.list()) for (const id of d.library_ids) svc.opts.host.library(id);
    }
    return svc;
  }

  /** `daemon status`: the peer id always; listen addresses once the node runs. */
  status(): { peer_id: string; listen: string[] } {
    return { peer_id: this.peerId, listen: this.node?.addresses() ?? [] };
  }

  // ---- PeerLink: what the sync parts see ----

  connected(): RemoteDevice[] {
    const node = this.node;
    if (!node) return [];
    return node.connectedPeers().flatMap((p) => {
      const r = this.remoteOf(p);
      return r ? [r] : [];
    });
  }

  async open(peerId: string, protocol: ProtocolName, signal?: AbortSignal): Promise<Stream> {
    const node = await this.ensureNode();
    return node.open(peerId, protocol, signal);
  }

  // ---- libraries ----

  /** Sync this library with the paired devices that share it: called by the daemon when it opens one. */
  attach(lib: LibraryApi): void {
    if (this.attached.has(lib.id) || this.stopped) return;
    const log = this.opts.log.child({ library: lib.id, module: 'sync' });
    const fetcher = new Fetcher(lib.sync.transfers, this.linkFor(lib.id), { limiter: this.download, log });
    void lib.sync.usePeers({
      fetcher,
      online: () => new Set(this.connected().filter((r) => r.libraryIds.includes(lib.id)).map((r) => r.deviceUuid)),
      ask: (addresses, signal) => this.ask(lib, addresses, signal),
      log,
    });
    const entry: Attached = { lib, fetcher, off: () => undefined };
    // Tell peers of this device's own changes, debounced; a peer's changes reach prefetch.
    const offChanged = lib.sync.availability.onLocalChange((seq) => this.tellPeers(lib, seq), PUSH_DEBOUNCE_MS);
    const offAvailability = lib.events.on('availability:changed', () => lib.sync.kickPrefetch());
    entry.off = () => {
      offChanged();
      offAvailability();
    };
    this.attached.set(lib.id, entry);
    for (const r of this.connected()) if (r.libraryIds.includes(lib.id)) void this.pull(r, lib);
  }

  /** Stop syncing a library (it is closing). */
  async detach(libraryId: string): Promise<void> {
    const a = this.attached.get(libraryId);
    if (!a) return;
    this.attached.delete(libraryId);
    a.off();
    a.fetcher.close();
    await a.lib.sync.usePeers(undefined);
  }

  // ---- pairing ----

  /** Open a code for LIB, tell it with ONCODE, and wait for the joiner (or the code's end). */
  async pairStart(lib: LibraryApi, onCode: (code: PairingCodeInfo) => void, signal?: AbortSignal): Promise<PairedInfo> {
    await this.ensureNode();
    const session = this.pairing.open(this.localInfo(), { id: lib.id, name: lib.name }, { ttlMs: pairingTtlMs() });
    signal?.addEventListener('abort', () => {
      if (this.pairing.status()?.expiresAt === session.expiresAt) this.pairing.cancel();
    }, { once: true });
    onCode({ code: session.words.join(' '), expires_at: session.expiresAt });
    let peer;
    try {
      peer = await session.done;
    } finally {
      this.hangUpStrangers();
      this.quietIfAlone();
    }
    this.attach(lib);
    // The pairing's own connection stays: treat it as a paired device's connect (pull, note its addresses).
    this.onConnectQuietly(peer.peer_id);
    this.opts.log.info({ device: peer.device_uuid, name: peer.name, library: lib.id }, 'paired (this device showed the code)');
    return { device_id: peer.device_uuid, name: peer.name, library_id: lib.id, library_path: lib.path };
  }

  /** Join the device showing WORDS (at PEER, or found by mDNS) and take part in its library. */
  async pairJoin(words: string[], opts: { peer?: string } = {}): Promise<PairedInfo> {
    // A bad code or address is the caller's mistake, said before anything is sent.
    parsePairingCode(words);
    if (opts.peer !== undefined) parseMultiaddr(opts.peer, { peer: true });
    const node = await this.ensureNode();
    if (opts.peer === undefined && !node.mdns) {
      this.quietIfAlone();
      throw new VssError('USAGE', 'this daemon listens on loopback only, so it does not look for devices on the LAN (mDNS): give the other device\'s address with --peer (its `vss daemon status` shows it)');
    }
    this.joining++;
    try {
      const signal = AbortSignal.timeout(DISCOVERY_MS);
      const joined = await joinPairing({
        open: pairingDialer(node),
        candidates: opts.peer !== undefined ? [opts.peer] : discoveredPeers(node, signal, [...this.recentlyDiscovered]),
        code: words,
        local: this.localInfo(),
        store: this.trust,
        signal,
      });
      let lib: LibraryApi;
      try {
        lib = this.opts.host.joinLibrary(joined.library.id, joined.library.name);
      } catch (err) {
        // Not half-paired: without its library, the pairing is undone here.
        this.trust.remove(joined.device.device_uuid);
        await node.hangUp(joined.device.peer_id);
        throw new VssError('PAIRING', `paired, but the library could not be joined, so the pairing is undone: ${(err as Error).message}`, { cause: err });
      }
      this.attach(lib);
      this.onConnectQuietly(joined.device.peer_id);
      this.opts.log.info({ device: joined.device.device_uuid, name: joined.device.name, library: lib.id }, 'paired (this device joined)');
      return { device_id: joined.device.device_uuid, name: joined.device.name, library_id: lib.id, library_path: lib.path };
    } finally {
      this.joining--;
      this.hangUpStrangers();
      this.quietIfAlone();
    }
  }

  devices(): PairedDeviceItem[] {
    const online = new Set(this.node?.connectedPeers() ?? []);
    return this.trust.list().map((d) => pairedDeviceItem(d, online.has(d.peer_id)));
  }

  /** Forget a device: its key is refused from now on, its connections dropped, its availability removed. */
  async unpair(id: string): Promise<{ id: string; name: string }> {
    const d = forgetDevice(this.trust, id, (libraryId, deviceUuid) => this.opts.host.library(libraryId)?.sync.availability.removeDevice(deviceUuid));
    await this.node?.hangUp(d.peer_id);
    this.opts.log.info({ device: d.device_uuid, name: d.name }, 'unpaired');
    return { id: d.device_uuid, name: d.name };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.offSettings();
    this.pairing.cancel();
    // The node first: nothing served or pulled while the libraries are let go.
    const node = this.node ?? (await this.starting?.catch(() => undefined));
    for (const t of this.timers) clearInterval(t);
    await node?.stop().catch((err: unknown) => this.opts.log.warn({ err }, 'stopping the P2P node failed'));
    await Promise.all([...this.attached.keys()].map((id) => this.detach(id)));
    this.download.close();
    this.upload.close();
  }

  // ---- internals ----

  private async ensureNode(): Promise<PeerNode> {
    if (this.node) return this.node;
    if (this.stopped) throw new VssError('IO', 'the daemon is stopping');
    this.starting ??= this.startNode();
    return this.starting;
  }

  private async startNode(): Promise<PeerNode> {
    const listen = this.opts.listen.length > 0 ? this.opts.listen : DEFAULT_LISTEN;
    const node = await PeerNode.start({
      privateKey: await devicePeerKey(this.opts.dataDir),
      listen,
      admit: (p) => this.trust.byPeerId(p) !== undefined || this.pairing.isOpen() || this.joining > 0,
      isPaired: (p) => this.trust.byPeerId(p) !== undefined,
    });
    if (this.stopped) {
      await node.stop();
      throw new VssError('IO', 'the daemon is stopping');
    }
    this.node = node;
    await node.handle('pair', (stream, remotePeer) => this.pairing.handleStream(stream, remotePeer));
    await node.handle('availability', (stream, remotePeer) => serveAvailability(stream, this.mustRemote(remotePeer), (id) => this.syncedLibrary(id)?.sync.availability, {
      onChanged: (remote, libraryId) => {
        const lib = this.syncedLibrary(libraryId);
        if (lib) void this.pull(remote, lib);
      },
    }));
    await node.handle('fetch', (stream, remotePeer) => serveFetch(stream, this.mustRemote(remotePeer), (id: string) => this.syncedLibrary(id)?.sync.transfers, this.upload));
    node.on('connect', (p) => this.onConnectQuietly(p));
    // Where a paired device listens, remembered so either side can dial the other after a restart.
    node.on('identified', (p, addrs) => {
      const d = this.trust.byPeerId(p);
      if (d) this.trust.noteSeen(d.device_uuid, addrs.filter((a) => !/\/ip[46]\/(0\.0\.0\.0|::)\//.test(a)), d.last_seen ?? new Date().toISOString());
    });
    node.on('discovered', (p, addrs) => {
      this.recentlyDiscovered.unshift(p);
      this.recentlyDiscovered.splice(16);
      if (this.trust.byPeerId(p)) void this.dial(p, addrs);
    });
    this.timers.push(setInterval(() => this.redialAll(), REDIAL_MS).unref());
    this.timers.push(setInterval(() => this.pullAll(), PERIODIC_PULL_MS).unref());
    this.opts.log.info({ peer_id: node.peerId, listen: node.addresses() }, 'P2P node listening');
    this.opts.onListening?.(node.addresses());
    this.redialAll();
    return node;
  }

  /** A library shared with peers, opened and attached (a peer may ask for one the daemon has not opened yet). */
  private syncedLibrary(id: string): LibraryApi | undefined {
    const a = this.attached.get(id);
    if (a) return a.lib;
    const lib = this.opts.host.library(id);
    if (lib) this.attach(lib);
    return lib;
  }

  private remoteOf(peerId: string): RemoteDevice | undefined {
    const d = this.trust.byPeerId(peerId);
    return d ? { deviceUuid: d.device_uuid, peerId: d.peer_id, name: d.name, libraryIds: d.library_ids } : undefined;
  }

  private mustRemote(peerId: string): RemoteDevice {
    const r = this.remoteOf(peerId);
    if (!r) throw new VssError('PEER', 'not a paired device');
    return r;
  }

  /** The link a library's fetcher uses: only the devices that share that library. */
  private linkFor(libraryId: string): PeerLink {
    return {
      connected: () => this.connected().filter((r) => r.libraryIds.includes(libraryId)),
      open: (peerId, protocol, signal) => this.open(peerId, protocol, signal),
    };
  }

  /** A connect's follow-up never throws into libp2p's event dispatch (that would end the daemon). */
  private onConnectQuietly(peerId: string): void {
    this.onConnect(peerId).catch((err: unknown) => this.opts.log.warn({ err, peer: peerId }, 'after a connect: failed'));
  }

  /**
   * A node started only for a pairing that did not happen goes away again: a device with nobody
   * paired and no `--listen` listens on nothing (the pairing's promise, kept when it fails).
   */
  private quietIfAlone(): void {
    if (this.opts.listen.length > 0 || this.trust.list().length > 0 || this.pairing.isOpen() || this.joining > 0 || this.stopped) return;
    const starting = this.starting;
    this.node = undefined;
    this.starting = undefined;
    for (const t of this.timers.splice(0)) clearInterval(t);
    void starting?.then((n) => n.stop()).then(() => this.opts.onListening?.([]), (err: unknown) => this.opts.log.warn({ err }, 'stopping the P2P node failed'));
    this.opts.log.info('nobody to talk to: the P2P node stops listening');
  }

  /** Once no code is open and no join runs, connections of devices that are not paired are closed. */
  private hangUpStrangers(): void {
    if (this.pairing.isOpen() || this.joining > 0 || !this.node) return;
    for (const p of this.node.connectedPeers()) if (!this.trust.byPeerId(p)) void this.node.hangUp(p);
  }

  private async onConnect(peerId: string): Promise<void> {
    const r = this.remoteOf(peerId);
    if (!r || !this.node) return;
    const addrs = await this.node.knownAddrs(peerId);
    if (addrs.length > 0) this.trust.noteSeen(r.deviceUuid, addrs, this.trust.get(r.deviceUuid)?.last_seen ?? new Date().toISOString());
    for (const id of r.libraryIds) {
      const lib = this.syncedLibrary(id);
      if (lib) void this.pull(r, lib).then(() => lib.sync.kickPrefetch());
    }
  }

  /** Pull what changed on R since the last exchange (a full digest when new or its epoch changed). */
  private async pull(r: RemoteDevice, lib: LibraryApi): Promise<void> {
    const key = `${r.deviceUuid} ${lib.id}`;
    const under = this.pulling.get(key);
    if (under) {
      under.again = true; // the pull under way is followed by one more, not joined by a second at once
      return;
    }
    const state = { again: false };
    this.pulling.set(key, state);
    try {
      do {
        state.again = false;
        await this.pullOnce(r, lib);
      } while (state.again && !this.stopped);
    } finally {
      this.pulling.delete(key);
    }
  }

  private async pullOnce(r: RemoteDevice, lib: LibraryApi): Promise<void> {
    try {
      const stream = await this.open(r.peerId, 'availability', AbortSignal.timeout(DIAL_TIMEOUT_MS));
      const got = await pullAvailability(stream, lib.sync.availability, r, lib.id);
      // Seen: it answered (a connect alone may be one the other side then refuses, after an unpair there).
      this.trust.noteSeen(r.deviceUuid, [], new Date().toISOString());
      this.opts.log.debug({ device: r.deviceUuid, library: lib.id, ...got }, 'availability pulled');
    } catch (err) {
      // Offline or going away: quietly, the next connect or the periodic pull tries again.
      this.opts.log.debug({ err, device: r.deviceUuid }, 'availability pull failed');
    }
  }

  private pullAll(): void {
    for (const r of this.connected()) for (const id of r.libraryIds) {
      const a = this.attached.get(id);
      if (a) void this.pull(r, a.lib);
    }
  }

  /** "Who has X?" to every connected device sharing LIB, at once; what they answer is kept as their availability. */
  private async ask(lib: LibraryApi, addresses: ReadonlyArray<{ contentUuid: string; kind: string; variant: string }>, signal?: AbortSignal): Promise<void> {
    await Promise.all(this.connected().filter((r) => r.libraryIds.includes(lib.id)).map(async (r) => {
      try {
        const heard = await askWhoHas(await this.open(r.peerId, 'availability', signal), r, lib.id, addresses, signal ? { signal } : {});
        lib.sync.availability.noteHeard(r.deviceUuid, heard);
      } catch (err) {
        this.opts.log.debug({ err, device: r.deviceUuid }, '"who has" got no answer');
      }
    }));
  }

  /** A push (DESIGN §9): each connected peer sharing LIB is told to pull from SEQ on. */
  private tellPeers(lib: LibraryApi, seq: number): void {
    for (const r of this.connected()) {
      if (!r.libraryIds.includes(lib.id)) continue;
      void this.open(r.peerId, 'availability', AbortSignal.timeout(DIAL_TIMEOUT_MS))
        .then((stream) => notifyChanged(stream, r, lib.id, seq))
        .catch((err: unknown) => this.opts.log.debug({ err, device: r.deviceUuid }, 'telling a peer of changes failed'));
    }
  }

  private redialAll(): void {
    const online = new Set(this.node?.connectedPeers() ?? []);
    for (const d of this.trust.list()) if (!online.has(d.peer_id) && d.addrs.length > 0) void this.dial(d.peer_id, d.addrs);
  }

  private async dial(peerId: string, addrs: string[]): Promise<void> {
    const node = this.node;
    if (!node || this.dialling.has(peerId) || node.connectedPeers().includes(peerId)) return;
    this.dialling.add(peerId);
    try {
      for (const a of addrs.slice(0, 8)) {
        const addr = a.includes('/p2p/') ? a : `${a}/p2p/${peerId}`;
        try {
          await node.connect(addr, AbortSignal.timeout(DIAL_TIMEOUT_MS));
          return;
        } catch {
          // The next address; an offline device is normal.
        }
      }
    } finally {
      this.dialling.delete(peerId);
    }
  }

  /** This device as pairing needs it: its identity and the key that signs the joiner's proof. */
  private localInfo(): LocalDeviceInfo {
    const d = this.opts.device;
    return { deviceUuid: d.uuid, name: d.name, publicKeyPem: d.publicKey, privateKey: createPrivateKey(readFileSync(join(this.opts.dataDir, 'device.key'), 'utf8')) };
  }
}

/** 5 minutes; `VSS_PAIRING_TTL_MS` shortens it for tests of expiry (at least 1 s). */
function pairingTtlMs(): number {
  const v = Number(process.env.VSS_PAIRING_TTL_MS);
  return Number.isInteger(v) && v >= 1000 && v <= PAIRING_TTL_MS ? v : PAIRING_TTL_MS;
}
