import type { Connection, Stream } from '@libp2p/interface';
import type { Logger } from 'pino';
import { connectByHand, identifyNewlyPaired } from './net/connect-by-hand.js';
import { Dialler, REDIAL_MS } from './net/dialler.js';
import { watchOwnAddresses } from './net/own-addresses.js';
import type { PeerNodeOptions } from './net/peer-node.js';
import { RelayedBrowsers } from './net/relayed-browsers.js';
import { VssError } from '../core/errors.js';
import { devicePeerKey } from './net/device-key.js';
import { MemberAddresses } from './net/member-addresses.js';
import type { PeerNode, Reached } from './net/peer-node.js';
import { RELAY_SLOTS, readNetworkSwitch, readRelayRate } from './net/network-switches.js';
import { RelaySlots } from './net/relay-slots.js';
import { RelayWindows } from './net/relay-windows.js';
import { MappedPortCheck } from './net/mapped-port.js';
import { relayTap } from './net/relay-circuits.js';
import type { ProtocolName } from './messages/table.js';
import type { PairedDevice, PairedDevices } from './pairing/paired-devices.js';
import type { RemoteDevice } from './peer-link.js';

/** Where the node listens when `--listen` named nothing: every interface, any free port. */
const DEFAULT_LISTEN = ['/ip4/0.0.0.0/tcp/0'];
/** How often this device's own addresses are looked at (a laptop moving between networks). */
const INTERFACES_EVERY_MS = 1_000;
/** A device connected this recently may be back soon (a cut link, a restart): a user's request waits for it. */
const RECENTLY_ONLINE_MS = 2 * 60_000;
/**
 * After the node starts, paired devices get this long to connect (a first dial of each known
 * address, mDNS's next round, another member passing on where one moved) before one that has
 * not is taken for offline.
 */
const SETTLE_MS = 30_000;

/** What each protocol's handler is given: the stream and the paired device it comes from (pairing: the peer id). */
export interface NetworkHandlers {
  pair(stream: Stream, peerId: string): Promise<void>;
  availability(stream: Stream, remote: RemoteDevice): Promise<void>;
  fetch(stream: Stream, remote: RemoteDevice): Promise<void>;
  /** Every "changes since a cursor" feed (src/sync/feeds/). */
  feed(stream: Stream, remote: RemoteDevice): Promise<void>;
  original(stream: Stream, remote: RemoteDevice): Promise<void>;
  drop?(stream: Stream, remote: RemoteDevice): Promise<void>;
  /** Locks on this device's copies for another device's drop (src/sync/locks/). */
  lock?(stream: Stream, remote: RemoteDevice): Promise<void>;
  /** A removal told to this device by a member that drops it (issue 57). */
  removal(stream: Stream, remote: RemoteDevice): Promise<void>;
  /** A folder this device lets paired devices browse, listed or one of its files read (issue 59). */
  browse?(stream: Stream, remote: RemoteDevice): Promise<void>;
  /** A browser away from home asking this device's API (issue 46 item 4); it checks who may. */
  browserHttp?(stream: Stream, peerId: string, connection: Connection): Promise<void>;
}

export interface PeerNetworkOptions {
  dataDir: string;
  /** `--listen` as given; empty: DEFAULT_LISTEN once the network is needed. */
  listen: string[];
  log: Logger;
  trust: PairedDevices;
  /** Whether unpaired peers may connect now: a pairing code is open, or a join is under way. */
  strangersWelcome(): boolean;
  handlers: NetworkHandlers;
  /** A paired device connected (the links pull from it). Never throws into libp2p. */
  onPairedConnect(remote: RemoteDevice): void;
  /** Told when the node's listen addresses change (the daemon rewrites daemon.json). */
  onListening?: (addrs: string[]) => void;
  /** As a relay box serving browsers (issue 46 item 4): PeerNode's `wss`, when the device relays. */
  wss?: PeerNodeOptions['wss'];
  /** The browsers paired with this device away from home (issue 46 item 4): let in, and told to the relays it holds slots on. */
  browsers?: { peerIds(): string[]; isBrowser(peerId: string): boolean };
}

/**
 * The device's P2P node as the daemon runs it (DESIGN §9): started when there is someone to talk
 * to — a paired device, a pairing, a `--listen` the user gave — and stopped again when a pairing
 * that was its only reason ends, so a device never paired listens on nothing. It admits paired
 * keys (and strangers only while pairing), finds paired devices again — dialling the addresses it
 * remembers and those mDNS finds, remembering them anew — and serves each protocol's handler.
 */
export class PeerNetwork {
  private node: PeerNode | undefined;
  /** Where the members of shared libraries listen, passed on between them (with the node). */
  private members: MemberAddresses | undefined;
  private starting: Promise<PeerNode> | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  /** Paired devices dialled, and dialled again (sync/net/dialler.ts). */
  private readonly dialler: Dialler;
  /** The slots this device holds on relays, and what they are told (sync/net/relay-slots.ts). */
  private readonly relaySlots: RelaySlots;
  /** When each paired device (by uuid) was last connected. */
  private readonly lastOnline = new Map<string, number>();
  private stopped = false;
  private readonly createdAt = Date.now();
  /** As a relay box: the browsers each device paired away from home told it of (issue 46 item 4). */
  private readonly relayedBrowsers = new RelayedBrowsers();
  private startedAt: number | undefined;
  /** As a relay: the paired devices with a pairing code open, whom strangers may reach through it now. */
  private readonly relayWindows = new RelayWindows(() => this.hangUpStrangers());
  /** Peers mDNS found lately: `pair join` tries them first (mDNS asks only every 10 s). */
  readonly recentlyDiscovered: string[] = [];

  /** The node running now and whether the daemon stops, as the parts beside this class read them. */
  private readonly live = { node: (): PeerNode | undefined => this.node, stopped: (): boolean => this.stopped };

  constructor(private readonly opts: PeerNetworkOptions) {
    const { trust, log, browsers, onListening } = opts;
    this.dialler = new Dialler({ ...this.live, trust, log });
    this.relaySlots = new RelaySlots({ ...this.live, trust, log, browsers, onListening, redialAll: () => this.redialAll() });
  }

  /** Whether the node should run even with nobody paired: the user asked it to listen. */
  get listenAsked(): boolean {
    return this.opts.listen.length > 0;
  }

  /** The node running now, if any. */
  get running(): PeerNode | undefined {
    return this.node;
  }

  /** Listen addresses once the node runs. */
  addresses(): string[] {
    return this.node?.addresses() ?? [];
  }

  /** The node, started if it is not running. */
  async ensure(): Promise<PeerNode> {
    if (this.node) return this.node;
    if (this.stopped) throw new VssError('IO', 'the daemon is stopping');
    this.starting ??= this.start();
    return this.starting;
  }

  /** Paired devices connected now. */
  connected(): RemoteDevice[] {
    const node = this.node;
    if (!node) return [];
    return node.connectedPeers().flatMap((p) => {
      const r = this.remoteOf(p);
      return r ? [r] : [];
    });
  }

  async open(peerId: string, protocol: ProtocolName, signal?: AbortSignal): Promise<Stream> {
    return (await this.ensure()).open(peerId, protocol, signal);
  }

  /**
   * Whether the node is coming up or came up less than SETTLE_MS ago (counted from the daemon's
   * start while it has not started: bounded even when nothing starts it).
   */
  settling(): boolean {
    return !this.stopped && Date.now() - (this.startedAt ?? this.createdAt) < SETTLE_MS;
  }

  /** Whether the paired device DEVICEUUID is connected, or was within the last minutes (a cut, a restart). */
  recentlyOnline(deviceUuid: string): boolean {
    if (this.connected().some((r) => r.deviceUuid === deviceUuid)) return true;
    const at = this.lastOnline.get(deviceUuid);
    return at !== undefined && Date.now() - at < RECENTLY_ONLINE_MS;
  }

  /** A paired device as the sync parts know it, or undefined for a stranger. */
  remoteOf(peerId: string): RemoteDevice | undefined {
    const d = this.opts.trust.byPeerId(peerId);
    return d ? { deviceUuid: d.device_uuid, peerId: d.peer_id, name: d.name, libraryIds: d.library_ids, publicKey: d.public_key } : undefined;
  }

  /** Dial every paired device not connected now, by every address known of it (`Dialler.redialAll`). */
  redialAll(): void {
    this.dialler.redialAll();
  }

  /**
   * This device's own addresses changed (a laptop moved to another network, Wi-Fi back): an
   * address gone takes its connections with it, silently (no peer says goodbye from there), so
   * they are closed now (all but loopback ones) and every paired device is dialled again by
   * whichever path works, rather than after libp2p's pings give up on them.
   */
  private networkMoved(node: PeerNode, gone: string[]): void {
    if (this.node !== node || this.stopped) return;
    this.opts.log.info({ gone }, 'this device\'s network changed: reconnecting to paired devices');
    node.confirmOwnAddresses();
    void node.hangUpNetwork().then(() => {
      this.opts.onListening?.(node.addresses());
      this.redialAll();
    });
  }

  /** How each paired device is reached now (`devices list`): by peer id. */
  reachOf(peerId: string): { reached: Reached; rtt_ms: number | null } {
    return this.node?.reachOf(peerId) ?? { reached: null, rtt_ms: null };
  }

  /**
   * `vss devices connect ADDR`: dial a paired device at an address typed by hand, for networks
   * where neither a remembered address, another member nor mDNS finds it (another subnet, a
   * forwarded port). Only a paired key is taken there, and only if it lets this device in too;
   * the address is then remembered first. A typed error says which of these failed.
   */
  async connectTo(addr: string): Promise<{ device: PairedDevice; addr: string }> {
    return connectByHand({ ...this.live, trust: this.opts.trust, log: this.opts.log, ensure: () => this.ensure() }, addr);
  }

  /**
   * Devices trusted now as members of a library (issue 46): where other members said they listen
   * (held until now: they were strangers here) is taken, and they are dialled.
   */
  membersAdded(peerIds: string[]): void {
    if (this.stopped) return;
    void this.ensure()
      .then(async () => {
        await this.members?.takePending(peerIds);
        // Connected already (a relay that carried the join): a connect of a trusted device now — pulled from, asked for a slot.
        for (const p of peerIds) if (this.node?.pathTo(p) !== null) this.pairedOn(p);
        this.redialAll();
      })
      .catch((err: unknown) => this.opts.log.debug({ err }, 'dialling new members failed'));
  }

  async hangUp(peerId: string): Promise<void> {
    await this.node?.hangUp(peerId);
  }

  /** Once no code is open and no join runs, connections of devices that are not paired are closed. */
  hangUpStrangers(): void {
    if (this.opts.strangersWelcome() || this.relayWindows.anyOpen() || !this.node) return;
    // A relay not trusted (yet) that carries a trusted device's connection stays: a joiner reached
    // its host through it, and learns it is a member of the library only by what that connection brings.
    const carrying = this.node.relaysCarrying(new Set(this.node.connectedPeers().filter((p) => this.opts.trust.byPeerId(p))));
    // Browsers paired away from home are no strangers: this device's own, or (as a box) a device's it carries them to.
    const kept = (p: string) => this.opts.trust.byPeerId(p) !== undefined || carrying.has(p) || this.opts.browsers?.isBrowser(p) === true || this.relayedBrowsers.known(p);
    for (const p of this.node.connectedPeers()) if (!kept(p)) void this.node.hangUp(p);
  }

  /**
   * A node started only for a pairing that did not happen goes away again: a device with nobody
   * paired and no `--listen` listens on nothing (the pairing's promise, kept when it fails).
   */
  quietIfAlone(): void {
    if (this.listenAsked || this.opts.trust.list().length > 0 || this.opts.strangersWelcome() || this.stopped) return;
    const starting = this.starting;
    this.node = undefined;
    this.members = undefined;
    this.starting = undefined;
    for (const t of this.timers.splice(0)) clearInterval(t);
    void starting?.then((n) => n.stop()).then(() => this.opts.onListening?.([]), (err: unknown) => this.opts.log.warn({ err }, 'stopping the P2P node failed'));
    this.opts.log.info('nobody to talk to: the P2P node stops listening');
  }

  /** A pairing's own connection, kept: the new device is asked where it listens (it was a stranger on it until now), and treated as connected. */
  pairedOn(peerId: string): void {
    void identifyNewlyPaired(this.live, peerId);
    this.connectedQuietly(peerId);
  }

  /** A connect's follow-up: addresses noted, the links told. Never throws into libp2p's event dispatch (that would end the daemon). */
  private connectedQuietly(peerId: string): void {
    this.onConnect(peerId).catch((err: unknown) => this.opts.log.warn({ err, peer: peerId }, 'after a connect: failed'));
  }

  /** A paired device answered (a pull): it is seen now. */
  seen(deviceUuid: string): void {
    this.lastOnline.set(deviceUuid, Date.now());
    this.opts.trust.noteSeen(deviceUuid, [], new Date().toISOString());
  }

  /** Tell each relay this device holds a slot on which browsers paired away from home it may carry to it (a browser paired or revoked). */
  async tellRelaysBrowsers(): Promise<void> {
    await this.relaySlots.tellRelaysBrowsers();
  }

  /** Ask each relay this device holds a slot on to carry strangers to it for FORMS, or no longer with 0 (a pairing code open). */
  async askRelaysForStrangers(forMs: number): Promise<void> {
    await this.relaySlots.askRelaysForStrangers(forMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.relayWindows.clear();
    const node = this.node ?? (await this.starting?.catch(() => undefined));
    for (const t of this.timers) clearInterval(t);
    this.dialler.stop();
    await node?.stop().catch((err: unknown) => this.opts.log.warn({ err }, 'stopping the P2P node failed'));
  }

  private async start(): Promise<PeerNode> {
    const { trust, handlers } = this.opts;
    const relaying = readNetworkSwitch(this.opts.dataDir, 'relay');
    const windows = this.relayWindows;
    const browsersHere = this.relayedBrowsers;
    // libp2p's stack loads with the first node started, not with every daemon: most never pair.
    const { PeerNode } = await import('./net/peer-node.js');
    const node = await PeerNode.start({
      privateKey: await devicePeerKey(this.opts.dataDir),
      listen: this.listenAsked ? this.opts.listen : DEFAULT_LISTEN,
      // As a relay, strangers too while a paired device's pairing code is open: they may reach that device and no one else.
      admit: (p) => trust.byPeerId(p) !== undefined || this.opts.strangersWelcome() || (relaying && (windows.anyOpen() || browsersHere.known(p)))
        || this.opts.browsers?.isBrowser(p) === true,
      isPaired: (p) => trust.byPeerId(p) !== undefined,
      mayRelay: (p) => trust.mayRelay(p),
      ...(relaying ? {
        relay: { maxReservations: RELAY_SLOTS, bytesPerSecond: readRelayRate(this.opts.dataDir) ?? undefined, ...relayTap() },
        strangersThrough: { to: (d: string) => windows.isOpen(d), any: () => windows.anyOpen() },
        browsersThrough: browsersHere,
      } : {}),
      upnp: readNetworkSwitch(this.opts.dataDir, 'upnp'),
      ...(relaying && this.opts.wss ? { wss: this.opts.wss } : {}),
    });
    if (this.stopped) {
      await node.stop();
      throw new VssError('IO', 'the daemon is stopping');
    }
    this.node = node;
    const members = new MemberAddresses({
      node,
      log: this.opts.log,
      sharedWith: (p) => trust.sharingWith(p),
      isPaired: (p) => trust.byPeerId(p) !== undefined,
      learned: (p, addrs) => this.dialler.found(p, addrs),
    });
    this.members = members;
    await node.handle('pair', (stream, peerId) => handlers.pair(stream, peerId));
    await node.handle('members', (stream, peerId) => members.serve(stream, peerId));
    const mappedPort = new MappedPortCheck({
      node, log: this.opts.log, isPaired: (p) => trust.byPeerId(p) !== undefined, confirmed: () => this.opts.onListening?.(node.addresses()),
    });
    await node.handle('dialback', (stream, peerId, connection) => mappedPort.serve(stream, peerId, connection));
    await node.handle('relayWindow', (stream, peerId) => windows.serve(stream, peerId, relaying, this.opts.log));
    await node.handle('availability', (stream, peerId) => handlers.availability(stream, this.mustRemote(peerId)));
    await node.handle('fetch', (stream, peerId) => handlers.fetch(stream, this.mustRemote(peerId)));
    await node.handle('feed', (stream, peerId) => handlers.feed(stream, this.mustRemote(peerId)));
    await node.handle('original', (stream, peerId) => handlers.original(stream, this.mustRemote(peerId)));
    const drop = handlers.drop;
    if (drop) await node.handle('drop', (stream, peerId) => drop(stream, this.mustRemote(peerId)));
    const lock = handlers.lock;
    if (lock) await node.handle('lock', (stream, peerId) => lock(stream, this.mustRemote(peerId)));
    const browserHttp = handlers.browserHttp;
    if (browserHttp) await node.handle('browserHttp', (stream, peerId, connection) => browserHttp(stream, peerId, connection));
    await node.handle('relayBrowsers', (stream, peerId) => browsersHere.serve(stream, peerId, relaying, this.opts.log));
    await node.handle('removal', (stream, peerId) => handlers.removal(stream, this.mustRemote(peerId)));
    const browse = handlers.browse;
    if (browse) await node.handle('browse', (stream, peerId) => browse(stream, this.mustRemote(peerId)));
    node.on('connect', (p) => {
      this.connectedQuietly(p);
      mappedPort.deviceConnected();
    });
    node.on('disconnect', (p) => {
      const r = this.remoteOf(p);
      if (!r) return;
      this.lastOnline.set(r.deviceUuid, Date.now());
      // A cut link or a laptop that moved: dialled again soon by whichever path answers, not in REDIAL_MS.
      this.dialler.redialSoon(node, p, 0);
    });
    // Where a paired device listens, remembered so either side can dial the other after a restart.
    node.on('identified', (p, addrs) => {
      this.dialler.remember(p, addrs);
      void this.relaySlots.reserveIfRelay(node, p, addrs);
      // Its signed record is held now: the other members it shares a library with hear of it if it moved.
      if (trust.byPeerId(p)) members.changed(p).catch((err: unknown) => this.opts.log.debug({ err, peer: p }, 'passing on where a member listens failed'));
    });
    node.on('discovered', (p, addrs) => {
      this.recentlyDiscovered.unshift(p);
      this.recentlyDiscovered.splice(16);
      this.dialler.found(p, addrs);
    });
    // mDNS finding a device this node knew already (both restarted: new ports) is no discovery to libp2p.
    node.on('addresses', (p, addrs) => this.dialler.found(p, addrs));
    this.timers.push(setInterval(() => this.redialAll(), REDIAL_MS).unref());
    // Where it listens, as `daemon status` shows it, kept current (a mapped port, a relay slot).
    node.onOwnAddresses((addrs) => this.opts.onListening?.(addrs));
    const watch = watchOwnAddresses((gone) => this.networkMoved(node, gone));
    this.timers.push(setInterval(() => {
      watch();
      node.confirmOwnAddresses();
      mappedPort.tick();
    }, INTERFACES_EVERY_MS).unref());
    this.startedAt = Date.now();
    this.opts.log.info({ peer_id: node.peerId, listen: node.addresses() }, 'P2P node listening');
    this.opts.onListening?.(node.addresses());
    this.redialAll();
    return node;
  }

  private mustRemote(peerId: string): RemoteDevice {
    const r = this.remoteOf(peerId);
    if (!r) throw new VssError('PEER', 'not a paired device');
    return r;
  }

  private async onConnect(peerId: string): Promise<void> {
    const r = this.remoteOf(peerId);
    if (!r || !this.node) return;
    this.lastOnline.set(r.deviceUuid, Date.now());
    const addrs = await this.node.knownAddrs(peerId);
    if (addrs.length > 0) this.dialler.remember(peerId, addrs);
    this.opts.onPairedConnect(r);
    await this.members?.tellAll(peerId);
  }
}
