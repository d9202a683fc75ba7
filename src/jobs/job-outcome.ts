import { log } from '../core/log.js';
import type { Library } from '../library/library.js';
import { JobTimedOut, PausedByUser, PausedForSpace, type JobOutcome } from './job-kind.js';
import { recordFailure } from './queue.js';
import type { RunTally } from './run-summary.js';
import type { SpaceWatch } from './space-watch.js';
import type { JobRow } from './states.js';
import { isDiskFull, isTransient } from './transient.js';

export interface OutcomeOptions {
  /** The runner's stop: a run it stopped goes back to the queue as it was. */
  stop?: AbortSignal;
  backoffBaseMs?: number;
}

/**
 * What a run's end means for its job, written at once (the database is the truth a killed run
 * resumes from), counted in the run's tally and told as `jobs:job`.
 */
export class JobOutcomes {
  constructor(
    private readonly lib: Library,
    private readonly tally: RunTally,
    private readonly space: SpaceWatch,
    private readonly opts: OutcomeOptions,
  ) {}

  /** The run ended with OUTCOME. */
  ended(job: JobRow, outcome: JobOutcome): void {
    const store = this.lib.store.jobs;
    if (outcome.state === 'wait') {
      store.requeue(job, Date.now() + outcome.delayMs, outcome.reason);
      return;
    }
    if (!store.complete(job, outcome.note ?? null, Date.now(), outcome.result ?? null)) return this.movedOn(job);
    this.tally.completed(job, outcome.note);
    this.emit(job, { status: 'completed', note: outcome.note ?? null });
  }

  /** The run failed with ERR (its abort SIGNAL says whether it was stopped, and why). */
  failed(job: JobRow, err: unknown, signal: AbortSignal): void {
    const store = this.lib.store.jobs;
    const reason = errorText(err, signal);
    if (this.opts.stop?.aborted) {
      // Stopped on purpose (Ctrl-C): the job goes back to the queue without spending an attempt.
      store.requeue(job, Date.now(), 'interrupted by a stop; resumes on the next run');
      return;
    }
    if (signal.reason instanceof PausedByUser) {
      // The pause wrote the row (paused, the attempt given back); the job's sidecars wait pending.
      this.emit(job, { status: this.lib.store.jobs.get(job.id)?.status ?? 'paused' });
      return;
    }
    if (isDiskFull(err) || signal.reason instanceof PausedForSpace) {
      // Not the job's fault: nothing new starts for now (first: with the database on the full
      // disk the requeue below fails too, and the job resumes on the next start), and the job
      // goes back to the queue as it was.
      this.space.pauseFor(err);
      store.requeue(job, Date.now(), 'waiting for disk space');
      this.emit(job, { status: 'queued', note: 'waiting for disk space' });
      return;
    }
    // A timeout is the machine's as often as the input's: retried until the last attempt.
    const transient = signal.reason instanceof JobTimedOut || isTransient(err);
    const status = recordFailure(store, job, reason, !transient, this.opts.backoffBaseMs);
    if (status === 'superseded') return this.movedOn(job);
    if (status === 'failed') this.tally.failed(job, reason);
    log.debug({ job: job.id, kind: job.kind, reason, status }, 'job failed');
    this.emit(job, { status, error: reason });
  }

  /** The row moved on without this run: paused, which waits, or cancelled (perhaps already retried), which counts. */
  private movedOn(job: JobRow): void {
    if (this.lib.store.jobs.get(job.id)?.status === 'paused') return this.emit(job, { status: 'paused' });
    this.tally.cancelled();
    this.emit(job, { status: 'cancelled' });
  }

  private emit(job: JobRow, change: { status: JobRow['status']; note?: string | null; error?: string | null }): void {
    this.lib.events.emit('jobs:job', { id: job.id, kind: job.kind, contentUuid: job.content_uuid, ...change });
  }
}

function errorText(err: unknown, signal: AbortSignal): string {
  // An aborted job failed because of the abort (timeout, cancel), whatever the tool said about it.
  if (signal.aborted && signal.reason instanceof Error) return signal.reason.message;
  return err instanceof Error ? err.message : String(err);
}
