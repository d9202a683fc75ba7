import type { Connection, Stream } from '@libp2p/interface';

/**
 * Yamux's receive windows, bounded where a path is slow. A yamux stream grants its sender a window
 * that grows up to 16 MiB, and the sender sends a whole window as ONE frame (its frame size is its
 * window), so through a relay paced at 5 MB/s a frame took 3.4 s, and a ping or a stream's opening
 * behind it as long: long enough for liveness checks to take the path for dead. A smaller window
 * bounds both what waits on the path and the frame: the latency a frame behind it sees.
 *
 * Yamux's own config is the same for every connection of a node; these set one stream's or one
 * connection's (what yamux 8 keeps on its streams and muxer: a node that is not yamux is left as it is).
 */

/** A yamux window is never less than this: each stream opens with it (the protocol's). */
export const YAMUX_MIN_WINDOW = 256 * 1024;

/**
 * A stream's receive window held to at most BYTES (never below yamux's minimum): its sender may
 * have no more than that unread here, so a paused stream gets no more than it in its read buffer.
 */
export function boundReceiveWindow(stream: Stream, bytes: number): void {
  const s = stream as unknown as { maxStreamWindowSize?: unknown; recvWindow?: unknown; maxReadBufferLength?: unknown };
  const { maxStreamWindowSize, recvWindow, maxReadBufferLength } = s;
  if (typeof maxStreamWindowSize !== 'number' || typeof recvWindow !== 'number') return;
  const max = Math.min(maxStreamWindowSize, Math.max(YAMUX_MIN_WINDOW, bytes));
  s.maxStreamWindowSize = max;
  s.recvWindow = Math.min(recvWindow, max);
  // What a pause holds is within the window; the read buffer's own bound must not be below it.
  if (typeof maxReadBufferLength === 'number') s.maxReadBufferLength = Math.max(maxReadBufferLength, 2 * max);
}

/** Every stream of CONN, those it has and those it opens or accepts from now, held to receive windows of at most BYTES. */
export function boundConnectionWindows(conn: Connection, bytes: number): void {
  const muxer = (conn as unknown as { muxer?: { protocol?: unknown; streamOptions?: Record<string, unknown> } }).muxer;
  if (muxer?.protocol !== YAMUX) return;
  // A copy: the options object may be the node's, shared by every connection.
  muxer.streamOptions = { ...muxer.streamOptions, maxStreamWindowSize: Math.max(YAMUX_MIN_WINDOW, bytes) };
  for (const s of conn.streams) boundReceiveWindow(s, bytes);
}

const YAMUX = '/yamux/1.0.0';
