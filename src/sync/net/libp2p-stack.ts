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
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { serviceCapabilities, type Connection, type PeerId } from '@libp2p/interface';
import { PROTOCOLS, protocolIds, type ProtocolName } from '../messages/table.js';
import { dropIfDead, watchHearing } from './liveness.js';
import { isLoopbackAddr, isRelayedAddr, parseListenAddr } from './multiaddrs.js';
import type { PeerNodeOptions } from './peer-node.js';
import { tendRelay } from './relay-circuits.js';
import { boundConnectionWindows } from './stream-windows.js';
import { AnsweredKeys } from './answered-keys.js';
import { isInternalWs, WSS_INTERNAL_LISTEN } from './wss-addresses.js';

/** Circuits a relay opens from one device at once, and to one device (the protocol's defaults: 32 and 300). */
const RELAY_CIRCUITS_PER_DEVICE = 16;

/**
 * The most a device lets another send it unread on one stream of a connection through a relay
 * (yamux's receive window; 16 MiB elsewhere). A sender sends its window as one frame, so this is
 * also what a ping or a stream's opening may find ahead of it on the path: at a relay's 5 MB/s,
 * 0.2 s where 16 MiB was 3.4 s. A stream's rate through the relay is at most this a round trip.
 */
const RELAYED_STREAM_WINDOW = 1024 * 1024;

/**
 * The libp2p stack a PeerNode runs, started: TCP (and through relays, and a relay box's secure
 * WebSockets) + Noise + Yamux, identify, mDNS unless every listen address is loopback, a relay's
 * server when asked, and a gater that lets in only the keys `admit` names and offers a stranger
 * only what is open to strangers. Whether mDNS runs, and the keys that answered its dials.
 */
export async function startLibp2p(opts: PeerNodeOptions): Promise<{ node: Libp2p<{ identify: Identify }>; useMdns: boolean; answered: AnsweredKeys }> {
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
  return { node, useMdns, answered };
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
