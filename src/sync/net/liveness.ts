import type { Connection } from '@libp2p/interface';
import { VssError } from '../../core/errors.js';

/**
 * Whether a connection's peer is still there, told by what it hears: any byte from the peer
 * proves it, however slow the path. A round trip alone (libp2p's ping, a stream's negotiation)
 * cannot tell: through a relay paced to a rate, or behind a transfer that fills the path, an answer
 * waits behind the bytes queued ahead of it, and a connection taken for dead for that was closed
 * under the transfer that filled it (the relay's fault D7). So a connection is closed for silence
 * only: nothing heard from its peer for SILENT_MS, while libp2p's monitor pings every connection
 * every 10 s (each ping's answer is heard) and so does the peer's.
 */

/** Nothing heard from a connection's peer for this long: it is gone (two of libp2p's pings unanswered, and no byte of anything else). */
export const SILENT_MS = 20_000;

/** When each connection watched last heard a byte from its peer. */
const heardAt = new WeakMap<Connection, number>();

/**
 * Watch what CONN hears from now (its raw connection's messages: bytes as they arrive, before
 * decryption). False where this libp2p does not show them: such a connection is never closed for
 * silence (`silentFor` says 0), and only an answer proves it alive (`heardSince` says false).
 */
export function watchHearing(conn: Connection): boolean {
  const raw = (conn as unknown as { maConn?: { addEventListener?: unknown } }).maConn;
  if (typeof raw?.addEventListener !== 'function') return false;
  heardAt.set(conn, Date.now());
  (raw as EventTarget).addEventListener('message', () => heardAt.set(conn, Date.now()));
  return true;
}

/** Whether CONN heard anything from its peer after AT (false where it is not watched: nothing says it did). */
export function heardSince(conn: Connection, at: number): boolean {
  return (heardAt.get(conn) ?? -Infinity) > at;
}

/** How long CONN has heard nothing from its peer (0 where it is not watched). */
export function silentFor(conn: Connection, now = Date.now()): number {
  const t = heardAt.get(conn);
  return t === undefined ? 0 : now - t;
}

/** How long an old connection gets to answer before it is taken for dead, unless it heard something meanwhile. */
const PROBE_MS = 2_500;

/**
 * Whether CONN still answers: a stream negotiation is one round trip whatever the answer (a
 * protocol nobody serves is refused, which proves the other end is there). One that does not
 * answer in PROBEMS, and heard nothing else from its peer meanwhile, is closed, so its streams
 * fail now and new ones take a live connection (the peer moved and connected again). One that
 * heard bytes is alive, only slow: a transfer fills it (through a relay paced to a rate the
 * answer waits behind the transfer's bytes), and closing it ended the transfer (D7).
 */
export async function dropIfDead(conn: Connection, probeMs = PROBE_MS): Promise<void> {
  const asked = Date.now();
  try {
    const stream = await conn.newStream('/vss/probe/0', { signal: AbortSignal.timeout(probeMs), runOnLimitedConnection: true });
    stream.abort(new Error('probe'));
  } catch (err) {
    if ((err as Error).name === 'UnsupportedProtocolError' || conn.status !== 'open' || heardSince(conn, asked)) return;
    conn.abort(new VssError('UNAVAILABLE', `no answer in ${probeMs} ms, and nothing else heard, on a connection the peer has replaced`));
  }
}
