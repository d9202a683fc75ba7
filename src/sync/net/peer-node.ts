import './polyfill.js';
import type { Identify } from '@libp2p/identify';
import { RELAY_V2_HOP_CODEC } from '@libp2p/circuit-relay-v2';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import type { Libp2p } from 'libp2p';
import { peerIdFromString } from '@libp2p/peer-id';
import type { Connection, Ed25519PrivateKey, PeerId, Stream } from '@libp2p/interface';
import { VssError } from '../../core/errors.js';
import { PROTOCOLS, protocolIds, type ProtocolName } from '../messages/table.js';
import { AnnouncedAddresses } from './announced-addresses.js';
import { dialRefusal, openFailure } from './dial-refusal.js';
import { onPeerEvent, type PeerEvents } from './peer-events.js';
import { startLibp2p } from './libp2p-stack.js';
import { silentFor, SILENT_MS } from './liveness.js';
import { addrOfPeer, isLanAddr, isLoopbackAddr, parseMultiaddr } from './multiaddrs.js';
import type { AnsweredKeys } from './answered-keys.js';
import type { WssHandoff } from './wss-handoff.js';

export interface PeerNodeOptions {
  privateKey: Ed25519PrivateKey;
  /** Multiaddrs to listen on, e.g. /ip4/127.0.0.1/tcp/0. */
  listen: string[];
  /** LAN discovery. Off when every listen address is loopback: nobody on a LAN could reach it. */
  mdns?: boolean;
  /** Whether a peer may hold a connection at all: paired devices, and anyone while pairing runs. */
  admit(peerId: string): boolean;
  /** Whether a peer is paired: only paired peers are served the protocols marked `pairedOnly`. */
  isPaired(peerId: string): boolean;
  /** As a relay: whether a paired peer may be relayed (its library's rights let it, issue 46). Absent: every paired peer. */
  mayRelay?(peerId: string): boolean;
  /**
   * Serve as a relay (circuit relay v2) for the devices this one is paired with, and only for
   * them: without the protocol's default limits (2 minutes, 128 KiB a circuit, which end any
   * transfer), bounded in reservations, in circuits, and in bytes a second for all circuits
   * together when BYTESPERSECOND is given.
   */
  relay?: { maxReservations: number; bytesPerSecond?: number; tap?: (bytes: Uint8Array) => void };
  /**
   * As a relay: whether it may carry a circuit from a peer it is not paired with to DESTINATION (a
   * paired device that asked, while its pairing code is open), and whether it may to anyone now.
   */
  strangersThrough?: { to(destination: string): boolean; any(): boolean };
  /**
   * As a relay: the browsers a device paired away from home told this box of (issue 46 item 4):
   * whether SOURCE is one of DESTINATION's (carried to it, and to no one else), and whether PEER
   * is any device's (let in, offered the relay's hop and nothing else).
   */
  browsersThrough?: { to(source: string, destination: string): boolean; known(peer: string): boolean };
  /** Map the listening port on the router (UPnP IGD) and advertise the public address; the mapping is removed on stop. */
  upnp?: boolean;
  /**
   * As a relay box serving browsers (issue 46 item 4): secure WebSockets handed over by the box's
   * HTTPS server (`HANDOFF`), announced as ANNOUNCE (`/dns4/NAME/tcp/PORT/tls/ws`), the address
   * browsers dial and the one a home's slot on this box is reached at.
   */
  wss?: { handoff: WssHandoff; announce: string };
}

/** How often every connection is looked at for silence (liveness.ts). */
const SILENCE_SWEEP_MS = 5_000;

/** How long a stop waits for libp2p to close its connections before going on. */
const STOP_WITHIN_MS = 4_000;

/** How a paired device is reached now (`devices list --json`'s `reached`). */
export type Reached = 'local' | 'lan' | 'direct' | 'relay' | null;

export type { PeerEvents };

export type ProtocolHandler = (stream: Stream, remotePeer: string, connection: Connection) => Promise<void>;

/**
 * The device's libp2p node: TCP + Noise + Yamux, identify, optional mDNS, and a gater that lets in
 * only the keys `admit` names (the stack, `libp2p-stack.ts`). Everything vss does between devices
 * goes through one of these.
 */
export class PeerNode {

  private silenceSweep: NodeJS.Timeout | undefined;
  /** What this node announces of its own addresses (announced-addresses.ts). */
  private readonly own: AnnouncedAddresses;

  private constructor(
    private readonly node: Libp2p<{ identify: Identify }>,
    private readonly opts: PeerNodeOptions,
    readonly mdns: boolean,
    /** The keys that answered this node's dials: a dial that fails after was hung up on (`dialRefusal`). */
    private readonly answered: AnsweredKeys,
  ) {
    this.own = new AnnouncedAddresses(node);
  }

  static async start(opts: PeerNodeOptions): Promise<PeerNode> {
    const { node, useMdns, answered } = await startLibp2p(opts);
    const self = new PeerNode(node, opts, useMdns, answered);
    self.silenceSweep = setInterval(() => self.dropSilent(), SILENCE_SWEEP_MS).unref();
    self.own.start(opts.upnp === true);
    return self;
  }

  /** Close each connection whose peer has said nothing for SILENT_MS: it is gone (a moved laptop's old connection, a cut link). */
  private dropSilent(): void {
    const now = Date.now();
    for (const c of this.node.getConnections()) {
      if (c.status === 'open' && silentFor(c, now) >= SILENT_MS) c.abort(new VssError('UNAVAILABLE', `nothing heard from the peer on this connection in ${SILENT_MS / 1000} s`));
    }
  }

  /**
   * The addresses of this host's own interfaces are where it listens: libp2p announces a public
   * one only once a peer confirmed it, so a box on a public address (a VPS relay) would leave it
   * out of its invites and identify until then. Taken as confirmed. Called at start and every second.
   */
  confirmOwnAddresses(): void {
    this.own.confirmOwn();
  }

  get peerId(): string {
    return this.node.peerId.toString();
  }

  /** Listen addresses with /p2p/<peer id>, as `daemon status` shows them. */
  addresses(): string[] {
    return this.node.getMultiaddrs().map((a) => a.toString());
  }

  connectedPeers(): string[] {
    return [...new Set(this.node.getConnections().map((c) => c.remotePeer.toString()))];
  }

  /** Serve one of our protocols (under each of its ids: an older peer's too); a stream from a peer the protocol does not serve is reset at once. */
  async handle(name: ProtocolName, handler: ProtocolHandler): Promise<void> {
    const p = PROTOCOLS[name];
    await this.node.handle(protocolIds(name), async (stream, connection) => {
      const remote = connection.remotePeer.toString();
      if (p.pairedOnly && !this.opts.isPaired(remote)) {
        stream.abort(new VssError('PEER', `${name} is served to paired devices only`));
        return;
      }
      try {
        await handler(stream, remote, connection);
      } catch (err) {
        stream.abort(err instanceof Error ? err : new Error(String(err)));
      }
    }, { maxInboundStreams: p.maxInboundStreams, maxOutboundStreams: 64, runOnLimitedConnection: true });
  }

  /**
   * Open a stream of one of our protocols to a peer, by peer id (known addresses) or by multiaddr:
   * under its newest id the peer serves (the stream's `protocol` says which). Throws PeerRefused
   * when the peer will not serve it to this device.
   */
  async open(target: string, name: ProtocolName, signal?: AbortSignal): Promise<Stream> {
    const dest = target.startsWith('/') ? parseMultiaddr(target) : await this.peerIdOf(target);
    try {
      return await this.node.dialProtocol(dest, protocolIds(name), { signal, runOnLimitedConnection: true });
    } catch (err) {
      throw openFailure(err, name, signal);
    }
  }

  /** Open a stream of one of our protocols on a connection to PEERID that is open now; never dials (a peer gone stays gone). */
  async openConnected(peerId: string, name: ProtocolName, signal?: AbortSignal): Promise<Stream> {
    const open = this.node.getConnections(await this.peerIdOf(peerId)).filter((c) => c.status === 'open');
    // A direct connection when there is one: a relay carries what no direct path can.
    const conn = open.find((c) => c.direct) ?? open[0];
    if (!conn) throw new VssError('UNAVAILABLE', `${peerId} is not connected`);
    try {
      return await conn.newStream(protocolIds(name), { signal, runOnLimitedConnection: true });
    } catch (err) {
      throw openFailure(err, name, signal);
    }
  }

  /**
   * Keep a slot on the relay at RELAYADDR (its multiaddr, ending in /p2p/<relay id>): this device
   * becomes reachable at the relay's addresses + /p2p-circuit. Its relayed addresses now.
   */
  async reserveOn(relayAddr: string): Promise<string[]> {
    const ma = parseMultiaddr(`${relayAddr.replace(/\/$/, '')}/p2p-circuit`);
    // libp2p takes relays only as listen addresses given at creation (and then a relay down at
    // start fails the whole start): a listener added now through its transport manager is the
    // same thing, for one relay, at any time.
    const components = (this.node as unknown as { components: { transportManager: { listen(addrs: Multiaddr[]): Promise<void> } } }).components;
    await components.transportManager.listen([ma]);
    return this.relayedAddresses();
  }

  /** Whether PEERID serves this device as a relay (identify told its protocols). */
  async servesRelay(peerId: string): Promise<boolean> {
    try {
      return (await this.node.peerStore.get(await this.peerIdOf(peerId))).protocols.includes(RELAY_V2_HOP_CODEC);
    } catch {
      return false;
    }
  }

  /** This device's addresses through relays. */
  relayedAddresses(): string[] {
    return this.addresses().filter((a) => a.includes('/p2p-circuit'));
  }

  /** How this device reaches PEERID now: over a direct connection, only through a relay, or not at all. */
  pathTo(peerId: string): 'direct' | 'relay' | null {
    const open = this.openTo(peerId);
    if (open.length === 0) return null;
    return open.some((c) => c.direct) ? 'direct' : 'relay';
  }

  /**
   * How PEERID is reached now, as `devices list` shows it: on this machine (a loopback address:
   * another instance here), over a LAN (a private address), directly over another network, only
   * through a relay, or not at all; and the
   * round trip libp2p's connection monitor last measured on that connection (ms).
   */
  reachOf(peerId: string): { reached: Reached; rtt_ms: number | null } {
    const open = this.openTo(peerId);
    const conn = open.find((c) => c.direct) ?? open[0];
    if (!conn) return { reached: null, rtt_ms: null };
    const rtt = typeof conn.rtt === 'number' && Number.isFinite(conn.rtt) ? Math.round(conn.rtt) : null;
    if (!conn.direct) return { reached: 'relay', rtt_ms: rtt };
    const addr = conn.remoteAddr.toString();
    return { reached: isLoopbackAddr(addr) ? 'local' : isLanAddr(addr) ? 'lan' : 'direct', rtt_ms: rtt };
  }

  /**
   * Close the connections to PEERID that go through a relay and carry no stream, once a direct one
   * is open: traffic moved to the direct path, and a relayed one still busy (a transfer) ends on its own.
   */
  async closeIdleRelayed(peerId: string): Promise<number> {
    const open = this.openTo(peerId);
    if (!open.some((c) => c.direct)) return 0;
    const idle = open.filter((c) => !c.direct && c.streams.length === 0);
    await Promise.all(idle.map((c) => c.close().catch(() => undefined)));
    return idle.length;
  }

  /** The address of a direct connection open to PEERID now (with /p2p/<id>): where it was reached. */
  directAddrOf(peerId: string): string | undefined {
    const conn = this.openTo(peerId).find((c) => c.direct);
    if (!conn) return undefined;
    const addr = conn.remoteAddr.toString();
    return addrOfPeer(addr, peerId);
  }

  /** Public addresses a port mapping gave (UPnP), not confirmed reachable yet: libp2p announces none of them until then. */
  unconfirmedMappedAddrs(): string[] {
    return this.own.unconfirmedMapped();
  }

  /** A mapped address another device reached: announced (identify tells the peers) for a day, then asked about again. */
  confirmMapped(addr: string): void {
    this.own.confirmMapped(addr);
  }

  /** The relays that carry an open connection to one of PEERIDS now (their ids, from the circuits' addresses). */
  relaysCarrying(peerIds: ReadonlySet<string>): Set<string> {
    const out = new Set<string>();
    for (const c of this.node.getConnections()) {
      if (c.status !== 'open' || c.direct || !peerIds.has(c.remotePeer.toString())) continue;
      const m = /\/p2p\/([^/]+)\/p2p-circuit/.exec(c.remoteAddr.toString());
      if (m) out.add(m[1]!);
    }
    return out;
  }

  /** Paired peers with a direct connection open now (not through a relay): they see this device's own public address. */
  directlyConnected(): string[] {
    return [...new Set(this.node.getConnections().filter((c) => c.status === 'open' && c.direct).map((c) => c.remotePeer.toString()))];
  }

  /**
   * Dial PEERID at ADDR (TCP, no /p2p) on a connection of its own, not the one open to it, and close
   * it again: resolves when ADDR reached PEERID's key (Noise proved it), throws when it did not.
   */
  async dialBack(addr: string, peerId: string, signal: AbortSignal): Promise<void> {
    const conn = await this.node.dial(multiaddr(`${addr}/p2p/${peerId}`), { force: true, signal });
    await conn.close().catch(() => undefined);
  }

  private openTo(peerId: string): Connection[] {
    return this.node.getConnections().filter((c) => c.status === 'open' && c.remotePeer.toString() === peerId);
  }

  /**
   * Connect to a peer by multiaddr and tell which peer it is. Throws PeerRefused when its key
   * answered and it hung up as the connection was set up, or when the relay of a circuit address
   * would not carry this device to it (`dialRefusal`); else the dial's own error.
   */
  async connect(addr: string, signal?: AbortSignal): Promise<string> {
    const started = Date.now();
    try {
      const conn = await this.node.dial(parseMultiaddr(addr), { signal });
      return conn.remotePeer.toString();
    } catch (err) {
      if (signal?.aborted) throw err;
      throw dialRefusal(err, addr, this.answered, started) ?? err;
    }
  }

  /** Addresses a peer listens on, as identify and discovery told them (for dialling it again later). */
  async knownAddrs(peerId: string): Promise<string[]> {
    try {
      const peer = await this.node.peerStore.get(await this.peerIdOf(peerId));
      return peer.addresses.map((a) => addrOfPeer(a.multiaddr.toString(), peerId));
    } catch {
      return [];
    }
  }

  /** The signed peer record libp2p holds of a peer (identify's, or one another member forwarded): its own key signed it. */
  async signedRecord(peerId: string): Promise<Uint8Array | undefined> {
    try {
      return (await this.node.peerStore.get(await this.peerIdOf(peerId))).peerRecordEnvelope;
    } catch {
      return undefined;
    }
  }

  /** The addresses of a peer that its own signed record names (none without a record). */
  async certifiedAddrs(peerId: string): Promise<string[]> {
    try {
      const peer = await this.node.peerStore.get(await this.peerIdOf(peerId));
      return peer.addresses.filter((a) => a.isCertified).map((a) => addrOfPeer(a.multiaddr.toString(), peerId));
    } catch {
      return [];
    }
  }

  /**
   * PEERID's signed peer record as another device forwarded it. libp2p's peer store takes it only
   * if PEERID's own key signed it and it is newer than the record held (its sequence number); its
   * addresses replace those held. The record's addresses, or undefined when it was not taken.
   */
  async acceptRecord(peerId: string, record: Uint8Array): Promise<string[] | undefined> {
    let id: PeerId;
    try {
      id = peerIdFromString(peerId);
    } catch {
      return undefined;
    }
    const taken = await this.node.peerStore.consumePeerRecord(record, { expectedPeer: id }).catch(() => false);
    return taken ? this.certifiedAddrs(peerId) : undefined;
  }

  /**
   * Ask a peer where it listens (identify) on each connection to it: for a connection made while
   * it was a stranger, which was offered no protocol but pairing. The answer comes as `identified`;
   * true when at least one connection answered.
   */
  async identify(peerId: string, signal?: AbortSignal): Promise<boolean> {
    const id = await this.peerIdOf(peerId);
    const answers = await Promise.all(this.node.getConnections(id).map((c) => this.node.services.identify.identify(c, { signal }).then(() => true, () => false)));
    return answers.includes(true);
  }

  /** Call FN when this node's own addresses change (a port mapped, a relay slot, an address confirmed); returns the unsubscribe. */
  onOwnAddresses(fn: (addrs: string[]) => void): () => void {
    const listener = (): void => fn(this.addresses());
    this.node.addEventListener('self:peer:update', listener);
    return () => this.node.removeEventListener('self:peer:update', listener);
  }

  /** Close every connection (this device's network changed under them). */
  /** The network changed: every connection a lost address could carry closed (not loopback ones: a pairing there is never redialled). */
  async hangUpNetwork(): Promise<void> {
    const carried = this.node.getConnections().filter((c) => !/^\/ip(4\/127\.|6\/::1\/)/.test(c.remoteAddr.toString()));
    await Promise.all(carried.map((c) => c.close().catch(() => c.abort(new Error('network changed')))));
  }

  /** Drop every connection to a peer, e.g. when it is unpaired. */
  async hangUp(peerId: string): Promise<void> {
    await this.node.hangUp(await this.peerIdOf(peerId)).catch(() => undefined);
  }

  /** Call FN on each EVENT (peer-events.ts); returns the unsubscribe. */
  on<E extends keyof PeerEvents>(event: E, fn: PeerEvents[E]): () => void {
    return onPeerEvent(this.node, event, fn);
  }

  /** Stop, bounded: a connection that will not close must not hold up a daemon's exit (DESIGN §12: within 10 s). */
  async stop(): Promise<void> {
    clearInterval(this.silenceSweep);
    await this.own.stop();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.node.stop(),
      new Promise<void>((resolve) => { timer = setTimeout(resolve, STOP_WITHIN_MS); }),
    ]).finally(() => clearTimeout(timer));
  }

  private async peerIdOf(id: string): Promise<PeerId> {
    try {
      return peerIdFromString(id);
    } catch (err) {
      throw new VssError('USAGE', `not a peer id: ${id}`, { cause: err });
    }
  }
}
