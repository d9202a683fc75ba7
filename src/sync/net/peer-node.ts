import './polyfill.js';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify, type Identify } from '@libp2p/identify';
import { uPnPNAT } from '@libp2p/upnp-nat';
import { circuitRelayServer, circuitRelayTransport, RELAY_V2_HOP_CODEC } from '@libp2p/circuit-relay-v2';
import { mdns } from '@libp2p/mdns';
import { tcp } from '@libp2p/tcp';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { createLibp2p, type Libp2p } from 'libp2p';
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id';
import { serviceCapabilities, type Connection, type Ed25519PrivateKey, type PeerId, type PeerUpdate, type Stream } from '@libp2p/interface';
import { VssError } from '../../core/errors.js';
import { PROTOCOLS, protocolIds, type ProtocolName } from '../messages/table.js';
import { dropIfDead, silentFor, SILENT_MS, watchHearing } from './liveness.js';
import { addrOfPeer, isLanAddr, isLoopbackAddr, isRelayedAddr, parseListenAddr, parseMultiaddr } from './multiaddrs.js';
import { PeerRefused } from './peer-errors.js';
import { tendRelay } from './relay-circuits.js';
import { boundConnectionWindows } from './stream-windows.js';
import { mapWithNatPmp, type PmpMapping } from './nat-pmp.js';
import { AnsweredKeys } from './answered-keys.js';
import { isInternalWs, WSS_INTERNAL_LISTEN } from './wss-addresses.js';
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

/** Circuits a relay opens from one device at once, and to one device (the protocol's defaults: 32 and 300). */
const RELAY_CIRCUITS_PER_DEVICE = 16;

/** How long a mapped address stays announced once a device dialled it back; then it is asked about again. */
const MAPPED_CONFIRMED_FOR_MS = 24 * 3600_000;

/** `--upnp`: how long UPnP has to find the router before NAT-PMP is asked instead. */
const NAT_PMP_AFTER_MS = 8_000;

/**
 * The most a device lets another send it unread on one stream of a connection through a relay
 * (yamux's receive window; 16 MiB elsewhere). A sender sends its window as one frame, so this is
 * also what a ping or a stream's opening may find ahead of it on the path: at a relay's 5 MB/s,
 * 0.2 s where 16 MiB was 3.4 s. A stream's rate through the relay is at most this a round trip.
 */
const RELAYED_STREAM_WINDOW = 1024 * 1024;

/** How often every connection is looked at for silence (liveness.ts). */
const SILENCE_SWEEP_MS = 5_000;

/** How long a stop waits for libp2p to close its connections before going on. */
const STOP_WITHIN_MS = 4_000;

/** How a paired device is reached now (`devices list --json`'s `reached`). */
export type Reached = 'local' | 'lan' | 'direct' | 'relay' | null;

export type ProtocolHandler = (stream: Stream, remotePeer: string, connection: Connection) => Promise<void>;

export interface PeerEvents {
  connect(peerId: string): void;
  disconnect(peerId: string): void;
  /** A peer this node did not know, found (mDNS). */
  discovered(peerId: string, addrs: string[]): void;
  /**
   * Addresses learned for a peer this node knew already: mDNS finding it again on a new port (a
   * restart), identify. libp2p calls only a first sighting a discovery; this is every later one.
   */
  addresses(peerId: string, addrs: string[]): void;
  /** Identify told where a connected peer listens. */
  identified(peerId: string, addrs: string[]): void;
}

/**
 * The device's libp2p node: TCP + Noise + Yamux, identify, optional mDNS, and a gater that lets in
 * only the keys `admit` names. Everything vss does between devices goes through one of these.
 */
export class PeerNode {

  private natPmpTimer: NodeJS.Timeout | undefined;
  private silenceSweep: NodeJS.Timeout | undefined;
  private natPmp: PmpMapping | undefined;
  private stopping = false;

  private constructor(
    private readonly node: Libp2p<{ identify: Identify }>,
    private readonly opts: PeerNodeOptions,
    readonly mdns: boolean,
    /** The keys that answered this node's dials: a dial that fails after was hung up on (`dialRefusal`). */
    private readonly answered: AnsweredKeys,
  ) {}

  /**
   * `--upnp` and no UPnP router answered: the router may speak NAT-PMP only (Apple's, some others).
   * The mapping it gives is added as UPnP's would be: announced once a paired device dialled it back.
   */
  private async mapWithNatPmpIfNoUpnp(): Promise<void> {
    const am = this.addressManager();
    if (this.stopping || am.getAddressesWithMetadata().some((a) => a.type === 'ip-mapping')) return;
    const port = this.node.getMultiaddrs().map((a) => /\/ip4\/[^/]+\/tcp\/(\d+)/.exec(a.toString())?.[1]).find((p) => p !== undefined);
    if (!port) return;
    const m = await mapWithNatPmp(Number(port));
    if (!m) return;
    if (this.stopping) return void (await m.unmap());
    this.natPmp = m;
    am.addPublicAddressMapping(m.internalHost, m.internalPort, m.externalHost, m.externalPort, 'tcp');
  }

  static async start(opts: PeerNodeOptions): Promise<PeerNode> {
    const asked = opts.listen.map((a) => parseListenAddr(a).toString());
    const useMdns = opts.mdns ?? !asked.every(isLoopbackAddr);
    const listen = opts.wss ? [...asked, WSS_INTERNAL_LISTEN] : asked;
    const announced = announceable(asked.every(isLoopbackAddr));
    const wssAnnounce = opts.wss ? multiaddr(`${opts.wss.announce}/p2p/${peerIdFromPrivateKey(opts.privateKey).toString()}`) : undefined;
    const paired = (peer: PeerId) => opts.isPaired(peer.toString());
    const relayable = (peer: PeerId) => paired(peer) && (opts.mayRelay?.(peer.toString()) ?? true);
    const answered = new AnsweredKeys();
    const services = {
      identify: identify(),
      // Bounded in slots, and in circuits: one circuit carries every stream between two devices,
      // so a device needs one per device it reaches through the relay at once.
      ...(opts.relay ? { relay: circuitRelayServer({
        reservations: { applyDefaultLimit: false, maxReservations: opts.relay.maxReservations },
        maxInboundHopStreams: RELAY_CIRCUITS_PER_DEVICE,
        maxOutboundStopStreams: RELAY_CIRCUITS_PER_DEVICE,
      }) } : {}),
      // A mapped address is announced only once a paired device dialled it back (`mapped-port.ts`,
      // the /vss/dialback protocol): js-libp2p's own AutoNAT cannot confirm it here (v1 answers
      // over the asker's own connection and fails; v2's dial-back was aborted in the namespace
      // test). UPnP asks for a service that confirms addresses; this one stands for it.
      ...(opts.upnp ? {
        upnp: uPnPNAT({ portMappingDescription: 'vss', autoConfirmAddress: false }),
        dialback: () => ({ [serviceCapabilities]: ['@libp2p/autonat'], [Symbol.toStringTag]: 'vss/dialback' }),
      } : {}),
    };
    const node = await createLibp2p({
      privateKey: opts.privateKey,
      addresses: {
        listen,
        // The caught WebSocket listener's loopback port is no one's to dial: the box's HTTPS address stands for it.
        announceFilter: wssAnnounce
          ? (addrs) => [...announced(addrs.filter((a) => !isInternalWs(a.toString()))), wssAnnounce]
          : announced,
      },
      // Through a relay too: the two devices' own Noise session runs inside the circuit, so the
      // relay carries ciphertext, and the dialer checks the key of the device it asked for.
      transports: [tcp(), circuitRelayTransport(), ...(opts.wss ? [opts.wss.handoff.transport()] : [])],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      peerDiscovery: useMdns ? [mdns({ interval: 10_000 })] : [],
      services,
      connectionGater: {
        // Loopback and LAN addresses are where peers are: do not refuse them as private.
        denyDialMultiaddr: () => false,
        denyInboundEncryptedConnection: (peer: PeerId) => !opts.admit(peer.toString()),
        denyOutboundEncryptedConnection: (peer: PeerId) => {
          // Asked once the Noise handshake of a dial completed: the key answered.
          answered.note(peer.toString());
          return !opts.admit(peer.toString());
        },
        // As a relay: a slot and a circuit for paired devices only (never `admit`: it lets in anyone while a code is open).
        denyInboundRelayReservation: (source: PeerId) => !relayable(source),
        denyOutboundRelayedConnection: (source: PeerId, destination: PeerId) => !(relayable(destination) && (relayable(source)
          || opts.strangersThrough?.to(destination.toString()) === true || opts.browsersThrough?.to(source.toString(), destination.toString()) === true)),
        // Reached through a relay: only one this device is paired with, from a peer it would let in anyway.
        denyInboundRelayedConnection: (relay: PeerId, from: PeerId) => !(paired(relay) && opts.admit(from.toString())),
      },
      connectionManager: { inboundConnectionThreshold: 200, maxConnections: 64 },
      // Its pings go on (they keep each connection heard, and measure its round trip), but a late
      // answer is not a dead peer: a connection is closed for silence instead (liveness.ts).
      connectionMonitor: { abortConnectionOnPingFailure: false },
      // Started once the relay's circuits are tended (relay-circuits.ts).
      start: false,
    });
    // DESIGN §9: a key not paired is served nothing but the pairing protocol (admitted only while a
    // code is open or this device joins). Refused at negotiation, not once a handler runs: the
    // other protocols are not even offered to it, whichever side dialled.
    node.addEventListener('connection:open', (evt) => offerOnlyWhatIsServed(evt.detail, opts.isPaired, (peer) => opts.relay !== undefined
      && (opts.strangersThrough?.any() === true || opts.browsersThrough?.known(peer) === true)));
    // A peer that connects again while a connection to it is still open may have moved: the old
    // one may be dead (no packet says so). Asked at once rather than at libp2p's next ping.
    node.addEventListener('connection:open', (evt) => {
      const fresh = evt.detail;
      watchHearing(fresh);
      if (!fresh.direct) boundConnectionWindows(fresh, RELAYED_STREAM_WINDOW);
      for (const old of node.getConnections(fresh.remotePeer)) if (old.id !== fresh.id && old.status === 'open') void dropIfDead(old);
    });
    if (opts.relay) tendRelay(node, opts.relay.bytesPerSecond, opts.relay.tap);
    await node.start();
    const self = new PeerNode(node, opts, useMdns, answered);
    self.silenceSweep = setInterval(() => self.dropSilent(), SILENCE_SWEEP_MS).unref();
    self.confirmOwnAddresses();
    if (opts.upnp) self.natPmpTimer = setTimeout(() => void self.mapWithNatPmpIfNoUpnp(), NAT_PMP_AFTER_MS).unref();
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
    const c = (this.node as unknown as { components: { transportManager: { getAddrs(): Multiaddr[] }; addressManager: { confirmObservedAddr(a: Multiaddr, o?: { type?: string }): void } } }).components;
    for (const a of c.transportManager.getAddrs()) c.addressManager.confirmObservedAddr(a, { type: 'transport' });
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
    return this.addressManager().getAddressesWithMetadata().filter((a) => a.type === 'ip-mapping' && !a.verified).map((a) => a.multiaddr.toString());
  }

  /** A mapped address another device reached: announced (identify tells the peers) for a day, then asked about again. */
  confirmMapped(addr: string): void {
    this.addressManager().confirmObservedAddr(multiaddr(addr), { type: 'ip-mapping', ttl: MAPPED_CONFIRMED_FOR_MS });
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

  private addressManager(): {
    getAddressesWithMetadata(): Array<{ multiaddr: Multiaddr; type: string; verified: boolean }>;
    confirmObservedAddr(a: Multiaddr, o?: { type?: string; ttl?: number }): void;
    addPublicAddressMapping(internalIp: string, internalPort: number, externalIp: string, externalPort: number, protocol: 'tcp'): void;
  } {
    return (this.node as unknown as { components: { addressManager: ReturnType<PeerNode['addressManager']> } }).components.addressManager;
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
  async hangUpAll(): Promise<void> {
    await Promise.all(this.node.getConnections().map((c) => c.close().catch(() => c.abort(new Error('network changed')))));
  }

  /** Drop every connection to a peer, e.g. when it is unpaired. */
  async hangUp(peerId: string): Promise<void> {
    await this.node.hangUp(await this.peerIdOf(peerId)).catch(() => undefined);
  }

  on<E extends keyof PeerEvents>(event: E, fn: PeerEvents[E]): () => void {
    const listener = (evt: CustomEvent): void => {
      try {
        dispatch(evt);
      } catch (err) {
        // A throw inside libp2p's event dispatch would be an uncaught exception: the daemon would exit.
        process.emitWarning(`vss: a ${event} listener failed: ${(err as Error).message}`);
      }
    };
    const dispatch = (evt: CustomEvent): void => {
      if (event === 'discovered') {
        const info = evt.detail as { id: PeerId; multiaddrs: Multiaddr[] };
        (fn as PeerEvents['discovered'])(info.id.toString(), info.multiaddrs.map((m) => m.toString()));
      } else if (event === 'addresses') {
        const { peer, previous } = evt.detail as PeerUpdate;
        if (previous === undefined) return; // a first sighting: `discovered`
        const before = new Set(previous.addresses.map((a) => a.multiaddr.toString()));
        const fresh = peer.addresses.map((a) => a.multiaddr.toString()).filter((a) => !before.has(a));
        if (fresh.length > 0) (fn as PeerEvents['addresses'])(peer.id.toString(), fresh);
      } else if (event === 'identified') {
        const info = evt.detail as { peerId: PeerId; listenAddrs: Multiaddr[] };
        (fn as PeerEvents['identified'])(info.peerId.toString(), info.listenAddrs.map((m) => addrOfPeer(m.toString(), info.peerId.toString())));
      } else {
        (fn as PeerEvents['connect'])((evt.detail as PeerId).toString());
      }
    };
    const name = ({ connect: 'peer:connect', disconnect: 'peer:disconnect', discovered: 'peer:discovery', addresses: 'peer:update', identified: 'peer:identify' } as const)[event];
    this.node.addEventListener(name, listener as never);
    return () => this.node.removeEventListener(name, listener as never);
  }

  /** Stop, bounded: a connection that will not close must not hold up a daemon's exit (DESIGN §12: within 10 s). */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.natPmpTimer);
    clearInterval(this.silenceSweep);
    await this.natPmp?.unmap();
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

const HUNG_UP = 'it hung up on this device as the connection opened: it lets in only the devices it is paired with (and others while a pairing code is open there)';

/**
 * A dial of TARGET (a multiaddr, or a peer id) begun at SINCE that failed, as the refusal it was:
 * the key asked for answered (its Noise handshake completed) and the connection closed as it was
 * set up, or the relay of a circuit address answered and hung up, or said it may not carry this
 * device there. Undefined: no key answered (an address that does not answer, a timeout), or it
 * failed otherwise.
 */
function dialRefusal(err: unknown, target: string, answered: AnsweredKeys, since: number): PeerRefused | undefined {
  const { peer, relay } = partsOf(target);
  const closed = closedAsItOpened(err);
  const who = peer ?? answered.lastSince(since);
  if (closed && who !== undefined && answered.answeredSince(who, since)) return new PeerRefused('not-paired', HUNG_UP, err, who);
  if (relay !== undefined && (deniedByRelay(err) || (closed && answered.answeredSince(relay, since)))) {
    return new PeerRefused('relay', 'the relay it was dialled through hung up on this device, or the device did there: through a relay it lets in only the devices it is paired with (and others while a pairing code is open there)', err, peer);
  }
  return undefined;
}

/** The device TARGET names (its last /p2p/), and for a circuit address the relay's. */
function partsOf(target: string): { peer?: string; relay?: string } {
  if (!target.startsWith('/')) return { peer: target };
  const parts = target.split('/');
  const ids = parts.flatMap((p, i) => (parts[i - 1] === 'p2p' ? [p] : []));
  const circuit = parts.indexOf('p2p-circuit');
  if (circuit < 0) return ids.length > 0 ? { peer: ids.at(-1)! } : {};
  const before = parts.slice(0, circuit);
  const relay = before[before.length - 2] === 'p2p' ? before.at(-1) : undefined;
  const after = parts.slice(circuit + 1);
  const peer = after[after.length - 2] === 'p2p' ? after.at(-1) : undefined;
  return { ...(peer !== undefined ? { peer } : {}), ...(relay !== undefined ? { relay } : {}) };
}

/** Whether ERR (or one of the errors it gathers) is a connection or stream closing under a dial, not a refusal to connect. */
function closedAsItOpened(err: unknown): boolean {
  return errorsIn(err).some((e) => ['UnexpectedEOFError', 'ConnectionClosedError', 'StreamResetError', 'StreamStateError'].includes(e.name) || /stream closed|connection (was )?closed/i.test(e.message));
}

/** A relay's answer that it may not carry this circuit (circuit relay v2's PERMISSION_DENIED: its gate said no). */
function deniedByRelay(err: unknown): boolean {
  return errorsIn(err).some((e) => /status PERMISSION_DENIED/.test(e.message));
}

function errorsIn(err: unknown): Error[] {
  const out: Error[] = [];
  const walk = (e: unknown, depth: number): void => {
    if (!(e instanceof Error) || depth > 4) return;
    out.push(e);
    if (e instanceof AggregateError) for (const x of e.errors as unknown[]) walk(x, depth + 1);
    walk((e as { cause?: unknown }).cause, depth + 1);
  };
  walk(err, 0);
  return out;
}

/** What a failure to open a stream of NAME means, as a typed error (libp2p may reject with a bare event). */
function openFailure(err: unknown, name: ProtocolName, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return err;
  const e = err as { name?: unknown; message?: unknown; type?: unknown } | undefined;
  // The dial went through, the peer's key answered (Noise checks it is the peer asked for), and it closed the connection at once.
  if (e?.name === 'ConnectionClosedError' && /during opening/.test(String(e.message))) {
    return new PeerRefused('not-paired', HUNG_UP, err);
  }
  if (e?.name === 'UnsupportedProtocolError') return new PeerRefused('protocol', `it does not serve ${protocolIds(name).join(' or ')} to this device (it is not paired with it, or runs a vss without it)`, err);
  if (err instanceof Error) return err;
  // A stream that closed while it was negotiated (its connection going down) rejects with an event.
  return new VssError('UNAVAILABLE', `the stream closed as it opened (${typeof e?.type === 'string' ? e.type : String(err)})`, { cause: err });
}

/** The protocols an unpaired peer may negotiate. */
const OPEN_TO_STRANGERS = new Set<string>((Object.keys(PROTOCOLS) as ProtocolName[]).filter((n) => !PROTOCOLS[n].pairedOnly).flatMap(protocolIds));

/**
 * Make CONNECTION offer its peer, at each stream's negotiation, only the protocols it is served
 * now: all of them once it is paired, else those not `pairedOnly`. libp2p negotiates an incoming
 * stream against the registrar's protocols with no word of the peer; this connection's view of
 * the registrar filters them by it (libp2p 3's Connection reads `components.registrar` there).
 */
function offerOnlyWhatIsServed(connection: Connection, isPaired: (peerId: string) => boolean, hopsForStrangers: (peerId: string) => boolean): void {
  const conn = connection as Connection & { components?: Record<string, unknown> };
  const components = conn.components;
  const registrar = components?.registrar as { getProtocols(): string[] } | undefined;
  if (!components || !registrar || typeof registrar.getProtocols !== 'function') {
    // Not the libp2p this was written for: every handler still refuses an unpaired peer itself (handle()).
    return;
  }
  const peer = connection.remotePeer.toString();
  const filtered = new Proxy(registrar, {
    get: (target, prop, receiver) => {
      if (prop === 'getProtocols') {
        return () => (isPaired(peer) ? target.getProtocols() : target.getProtocols().filter((p) => OPEN_TO_STRANGERS.has(p) || (p === RELAY_V2_HOP_CODEC && hopsForStrangers(peer))));
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  conn.components = new Proxy(components, { get: (target, prop, receiver) => (prop === 'registrar' ? filtered : Reflect.get(target, prop, receiver)) });
}

/**
 * What a device announces of its addresses through relays: a relay lists every interface it has
 * in the slot it gives, and its loopback copies would name this host on any other device. They
 * are kept only where every address this device listens on is loopback (tests, one machine).
 */
function announceable(listenLoopbackOnly: boolean): (addrs: Multiaddr[]) => Multiaddr[] {
  return (addrs) => (listenLoopbackOnly ? addrs : addrs.filter((a) => !(isRelayedAddr(a.toString()) && isLoopbackAddr(a.toString()))));
}
