import type { Multiaddr } from '@multiformats/multiaddr';
import type { Libp2p } from 'libp2p';
import type { PeerId, PeerUpdate } from '@libp2p/interface';
import { addrOfPeer } from './multiaddrs.js';

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
 * Call FN on each EVENT of NODE, told in peer ids and multiaddr strings (libp2p's events, each
 * named as vss means it: a first sighting is `discovered`, every later one `addresses`); returns
 * the unsubscribe. FN throwing is a warning, never an exception inside libp2p's dispatch.
 */
export function onPeerEvent<E extends keyof PeerEvents>(node: Libp2p, event: E, fn: PeerEvents[E]): () => void {
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
  node.addEventListener(name, listener as never);
  return () => node.removeEventListener(name, listener as never);
}
