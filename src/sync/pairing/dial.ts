import { VssError } from '../../core/errors.js';
import { addrOfPeer } from '../net/multiaddrs.js';
import { PeerRefused } from '../net/peer-errors.js';
import type { PeerNode } from '../net/peer-node.js';
import { HungUp, type PairingConnection } from './join.js';

/**
 * `open` for joinPairing over a PeerNode: a multiaddr is dialled first so the stream's peer is
 * the one Noise authenticated there; a peer id is opened by the addresses the node knows (mDNS).
 * The node's gater must admit the target while joining.
 */
export function pairingDialer(node: PeerNode): (target: string, signal: AbortSignal) => Promise<PairingConnection> {
  return async (target, signal) => {
    let peerId = target;
    if (target.startsWith('/')) {
      try {
        peerId = await node.connect(target, signal);
      } catch (err) {
        // Hung up on as the connection was set up, by the device or by the relay on the way to
        // it (a relay carries a stranger only to a device whose code is open): its code is closed.
        if (!signal.aborted && err instanceof PeerRefused && err.why !== 'protocol') throw new HungUp(err.peerId ?? target, err);
        // A relay that carried the circuit, and the device behind its slot that refused it (its
        // code used or closed while the relay's window to it was still open): the same answer.
        if (!signal.aborted && target.includes('/p2p-circuit/') && refusedBehindRelay(err)) throw new HungUp(target.split('/').at(-1)!, err);
        throw err;
      }
    }
    let stream;
    try {
      stream = await node.open(peerId, 'pair', signal);
    } catch (err) {
      // Its key answered (Noise), then it closed on us: its gate lets strangers in only while a code is open.
      if (!signal.aborted && hungUpOn(err)) throw new HungUp(peerId, err);
      throw err;
    }
    if (!target.startsWith('/')) return { stream, peerId };
    return { stream, peerId, addr: addrOfPeer(target, peerId) };
  };
}

/** Whether ERR (or an error it carries) is a relay's CONNECTION_FAILED: it reached for the device behind its slot, and the device did not take the circuit. */
function refusedBehindRelay(err: unknown): boolean {
  for (let e = err as { message?: unknown; cause?: unknown; errors?: unknown[] } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (/status CONNECTION_FAILED/.test(String(e.message))) return true;
    if (Array.isArray(e.errors) && e.errors.some((x) => refusedBehindRelay(x))) return true;
  }
  return false;
}

/** Whether ERR, a failure to open a stream on a connection just made, is the other side closing it as it opened. */
function hungUpOn(err: unknown): boolean {
  if (err instanceof PeerRefused) return err.why !== 'protocol';
  const name = (err as { name?: unknown } | undefined)?.name;
  if (name === 'UnexpectedEOFError' || name === 'ConnectionClosedError' || name === 'StreamResetError') return true;
  return err instanceof VssError && err.code === 'UNAVAILABLE' && /stream closed as it opened/.test(err.message);
}

/**
 * Peers as mDNS discovers them, for joinPairing's candidates: ends when `signal` aborts.
 * `recent` (peers the node discovered before the join began) go first: mDNS asks again only
 * every 10 s. Each peer is given once.
 */
export async function* discoveredPeers(node: PeerNode, signal: AbortSignal, recent: string[] = []): AsyncGenerator<string> {
  const queue: string[] = [...new Set(recent)];
  const seen = new Set<string>(queue);
  let wake: (() => void) | undefined;
  const off = node.on('discovered', (peerId) => {
    if (seen.has(peerId)) return;
    seen.add(peerId);
    queue.push(peerId);
    wake?.();
  });
  const onAbort = (): void => wake?.();
  signal.addEventListener('abort', onAbort);
  try {
    while (!signal.aborted) {
      const next = queue.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    off();
    signal.removeEventListener('abort', onAbort);
  }
}
