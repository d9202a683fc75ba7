import type { DiskFullPause } from './disk-full.js';
import type { RunSummary, RunTally, SummaryMark } from './run-summary.js';

interface IdleWaiter {
  from: SummaryMark;
  resolve: (s: RunSummary) => void;
}

/** Those waiting for the queue to go idle (`JobRunner.whenIdle`), each with what had finished when they began. */
export class IdleWaiters {
  private readonly waiters = new Set<IdleWaiter>();

  constructor(private readonly tally: RunTally, private readonly paused: () => DiskFullPause | null) {}

  get size(): number {
    return this.waiters.size;
  }

  /**
   * Resolves at the next `settle`, with what finished from now until then; SIGNAL stops waiting
   * early, with what finished so far.
   */
  wait(signal?: AbortSignal): Promise<RunSummary> {
    return new Promise<RunSummary>((resolve) => {
      const from = this.tally.mark();
      if (signal?.aborted) return resolve(this.tally.since(from, this.paused()));
      const onAbort = () => { this.waiters.delete(waiter); resolve(this.tally.since(from, this.paused())); };
      const waiter: IdleWaiter = { from, resolve: (r) => { signal?.removeEventListener('abort', onAbort); resolve(r); } };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  /** Hand every waiter what finished since it began waiting. */
  settle(): void {
    for (const w of this.waiters) w.resolve(this.tally.since(w.from, this.paused()));
    this.waiters.clear();
  }
}
