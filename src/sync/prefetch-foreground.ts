import type { Library } from '../library/library.js';

/**
 * Whether a user is asking for sidecars of a library now: the resolver says when a request starts
 * and ends, the prefetcher keeps to one batch in flight while one is open or was within the last
 * QUIET_MS (measured: with three 200-item batches in flight a foreground thumbnail's p99 was
 * ~470 ms; with one it stayed under 200 ms, bench/sync-foreground-bench.ts). In-process: the
 * daemon runs both.
 */
const QUIET_MS = 1000;

const open = new WeakMap<Library, { requests: number; lastEnd: number }>();

/** A user's request on LIB begins; call the returned function when it ends. */
export function foregroundRequest(lib: Library): () => void {
  let s = open.get(lib);
  if (!s) open.set(lib, (s = { requests: 0, lastEnd: 0 }));
  const state = s;
  state.requests++;
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    state.requests--;
    state.lastEnd = Date.now();
  };
}

/** Whether a user's request on LIB is open now or ended within the last second. */
export function userIsAsking(lib: Library): boolean {
  const s = open.get(lib);
  return s !== undefined && (s.requests > 0 || Date.now() - s.lastEnd < QUIET_MS);
}
