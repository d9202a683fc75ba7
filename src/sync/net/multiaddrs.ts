/**
 * Multiaddrs as vss reads and judges them: one a user typed (to dial a device, to listen on), and
 * what kind of address one is (loopback, LAN, through a relay). Apart from the node (peer-node.ts)
 * so that what only reads addresses does not load libp2p's whole stack with it.
 */
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { peerIdFromString } from '@libp2p/peer-id';
import { VssError } from '../../core/errors.js';

/** A multiaddr someone typed; with `peer`, one to dial a device at (TCP, optionally ending in a valid /p2p/<peer id>). */
export function parseMultiaddr(addr: string, opts: { peer?: boolean } = {}): Multiaddr {
  let ma: Multiaddr;
  try {
    ma = multiaddr(addr);
  } catch (err) {
    throw new VssError('USAGE', `not a multiaddr: ${addr} (${(err as Error).message}); e.g. /ip4/192.168.1.20/tcp/4001/p2p/<peer id>`, { cause: err });
  }
  if (opts.peer) {
    const names = ma.getComponents().map((c) => c.name);
    if (!names.includes('tcp')) throw new VssError('USAGE', `${addr}: vss connects over TCP; give /ip4/ADDRESS/tcp/PORT[/p2p/<peer id>]`);
    const id = ma.getComponents().find((c) => c.name === 'p2p')?.value;
    if (id !== undefined) {
      try {
        peerIdFromString(id);
      } catch {
        throw new VssError('USAGE', `${addr}: ${JSON.stringify(id)} is not a peer id (\`vss daemon status\` on that device shows its own)`);
      }
    }
  }
  return ma;
}

/** A `--listen` address: TCP on an IP address, e.g. /ip4/0.0.0.0/tcp/4001. */
export function parseListenAddr(addr: string): Multiaddr {
  const ma = parseMultiaddr(addr);
  const names = ma.getComponents().map((c) => c.name);
  if (!(names[0] === 'ip4' || names[0] === 'ip6') || names[1] !== 'tcp' || names.length !== 2) {
    throw new VssError('USAGE', `--listen ${addr}: vss listens on TCP; give /ip4/ADDRESS/tcp/PORT or /ip6/ADDRESS/tcp/PORT (port 0: any free one)`);
  }
  return ma;
}

export function isLoopbackAddr(addr: string): boolean {
  return /^\/ip4\/127\.|^\/ip6\/::1\//.test(addr);
}

/** A loopback or private (RFC 1918, link-local, IPv6 ULA) address: a device on the same host or LAN. */
export function isLanAddr(addr: string): boolean {
  return isLoopbackAddr(addr) || /^\/ip4\/(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.)|^\/ip6\/(f[cd]|fe80)/i.test(addr);
}

/**
 * ADDR as an address of PEERID: ending in /p2p/PEERID once. An address through a relay names the
 * relay's id before /p2p-circuit, so "has a /p2p/ already" is not the test.
 */
export function addrOfPeer(addr: string, peerId: string): string {
  return addr.endsWith(`/p2p/${peerId}`) ? addr : `${addr}/p2p/${peerId}`;
}

/** An address through a relay (…/p2p/RELAY/p2p-circuit/p2p/DEVICE). */
export function isRelayedAddr(addr: string): boolean {
  return addr.includes('/p2p-circuit');
}
