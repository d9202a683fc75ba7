import type { JobsProgress } from '../core/events.js';
import type { Library } from '../library/library.js';
import type { JobCounts } from '../store/jobs.js';
import type { RunTally } from './run-summary.js';

/** Where the tally stood when the queue last went from idle to busy: progress counts from there. */
interface BusyPeriod {
  at: number;
  completed: number;
  failed: number;
  cancelled: number;
  doneBytes: number;
}

/**
 * Where the queue stands (`jobs:progress`), said when it changed: counts of the current busy
 * period (from idle to idle) and the rate over its last minute. The period's last event has
 * nothing queued or running; a queue that stays idle says nothing.
 */
export class QueueProgress {
  private period: BusyPeriod | undefined;
  private lastReported: string | undefined;

  constructor(private readonly lib: Library, private readonly tally: RunTally) {}

  /** Whether a busy period is open (it must be reported until it closes). */
  get busy(): boolean {
    return this.period !== undefined;
  }

  /** Work began (a job started, or a dead run's jobs were taken up): a busy period, if none is open. */
  begin(): void {
    this.period ??= this.start();
  }

  /** Say where the queue stands (C: its open jobs now; RUNNING: this runner's), when that changed. */
  report(c: Pick<JobCounts, 'queued' | 'running' | 'openBytes'>, running: number): void {
    const left = c.queued + c.running;
    if (!this.period) {
      if (left === 0) return;
      this.period = this.start();
    }
    const from = this.period;
    const s = this.tally.summary;
    const rate = this.tally.recentRate(from.at);
    const p: JobsProgress = {
      queued: c.queued, running: c.running, completed: s.completed - from.completed, failed: s.failed - from.failed, cancelled: s.cancelled - from.cancelled,
      doneBytes: this.tally.doneBytes - from.doneBytes, openBytes: c.openBytes, rate, etaMs: rate > 0 ? Math.round((left / rate) * 1000) : null,
    };
    const key = `${p.queued} ${p.running} ${p.completed} ${p.failed} ${p.cancelled} ${p.openBytes}`;
    if (key !== this.lastReported) {
      this.lastReported = key;
      this.lib.events.emit('jobs:progress', p);
    }
    if (left === 0 && running === 0) {
      this.period = undefined;
      this.lastReported = undefined;
    }
  }

  private start(): BusyPeriod {
    const s = this.tally.summary;
    return { at: Date.now(), completed: s.completed, failed: s.failed, cancelled: s.cancelled, doneBytes: this.tally.doneBytes };
  }
}
