/** No progress for this long ends either side of a /vss/drop stream (the other stalled or went away); what came stays, to resume from. */
export const STALL_MS = 30_000;

/**
 * One signal for a whole transfer that aborts when no progress was made for MS: `touch()` on every
 * chunk moves the deadline. A fresh timeout signal per chunk would cost a timer per megabyte.
 */
export function stallGuard(ms: number, what: string): { signal: AbortSignal; touch(): void; stop(): void } {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new Error(`no progress for ${Math.round(ms / 1000)} s (${what})`)), ms);
  timer.unref();
  return { signal: ac.signal, touch: () => { timer.refresh(); }, stop: () => clearTimeout(timer) };
}
