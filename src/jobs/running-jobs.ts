import { GeneratorError } from '../generators/types.js';
import type { JobStore } from '../store/jobs.js';
import { CancelledByUser, discardCancelled, JobTimedOut, PausedByUser, type JobKind, type JobOutcome, type JobRunContext } from './job-kind.js';
import type { JobRow } from './states.js';

/** A job this runner is running. */
export interface Running {
  job: JobRow;
  abort: AbortController;
  /** Settles once the run's outcome is recorded. */
  done: Promise<void>;
  /** Started in a foreground slot (see RunnerOptions.foregroundSlots). */
  foreground: boolean;
}

/** The jobs a runner is running, by id, and how they are stopped. */
export class RunningJobs {
  private readonly byId = new Map<number, Running>();

  get size(): number {
    return this.byId.size;
  }

  ids(): Set<number> {
    return new Set(this.byId.keys());
  }

  all(): Running[] {
    return [...this.byId.values()];
  }

  /** How many jobs of KIND are running. */
  ofKind(kind: string): number {
    let n = 0;
    for (const r of this.byId.values()) if (r.job.kind === kind) n++;
    return n;
  }

  add(entry: Running): void {
    this.byId.set(entry.job.id, entry);
  }

  /** ENTRY's run ended (a newer run of the same job, if any, stays). */
  remove(entry: Running): void {
    if (this.byId.get(entry.job.id) === entry) this.byId.delete(entry.job.id);
  }

  /** Stop every running job, with REASON as the abort's reason (its tools are killed). */
  abortAll(reason: () => Error): void {
    for (const r of this.byId.values()) if (!r.abort.signal.aborted) r.abort.abort(reason());
  }

  /** When this run of ID has ended and its outcome is recorded (at once when it is not running). */
  ended(id: number): Promise<void> {
    return this.byId.get(id)?.done ?? Promise.resolve();
  }

  /**
   * `jobs cancel` and `jobs pause` only write the row (maybe in another process); the running
   * job is stopped here. A row no longer `running` was cancelled, or paused (and perhaps resumed
   * already, which is queued: its run stops all the same, and it starts again).
   */
  noticeStops(store: JobStore): void {
    if (this.byId.size === 0) return;
    const now = store.statuses([...this.byId.keys()]);
    for (const [id, r] of this.byId) {
      const status = now.get(id);
      if (status === 'running' || r.abort.signal.aborted) continue;
      if (status === 'cancelled') r.abort.abort(new CancelledByUser());
      else if (status === 'paused' || status === 'queued') r.abort.abort(new PausedByUser());
    }
  }
}

/**
 * Run JOB as KIND (undefined: this vss does not know the kind) within its time: ABORT stops it
 * (a timeout, a cancel, a stop), and once aborted it is given ABANDON_AFTER_MS to end.
 */
export async function runWithin(kind: JobKind | undefined, job: JobRow, abort: AbortController, ctx: Omit<JobRunContext, 'signal' | 'timeoutMs' | 'deadline'>): Promise<JobOutcome> {
  if (!kind) throw new GeneratorError(`no job kind ${job.kind} in this version of vss`, { permanent: true });
  const timeoutMs = kind.timeoutMs(job);
  const deadline = Date.now() + timeoutMs;
  const timer = setTimeout(() => abort.abort(new JobTimedOut(timeoutMs)), timeoutMs);
  try {
    return await settleOrAbandon(kind.run(job, { ...ctx, signal: abort.signal, timeoutMs, deadline }), abort.signal);
  } finally {
    clearTimeout(timer);
    // A run a cancel stopped: what it leaves goes now (the cancel may have come from another
    // process, which discarded what it could while this run still went on).
    if (abort.signal.reason instanceof CancelledByUser) await discardCancelled(kind, job, ctx.lib);
  }
}

/** How long an aborted job may take to clean up before the runner stops waiting for it. */
const ABANDON_AFTER_MS = 5_000;

/**
 * The job's own promise; but once SIGNAL aborts, no more than ABANDON_AFTER_MS of it: an engine
 * that ignores the signal cannot hold its slot (or `--until-idle`) forever.
 */
function settleOrAbandon<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      timer = setTimeout(() => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted')), ABANDON_AFTER_MS);
      timer.unref();
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => {
      if (timer) clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    });
  });
}
