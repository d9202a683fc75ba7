import type { GeneratorSettings } from '../generators/types.js';
import type { Library } from '../library/library.js';
import { log } from '../core/log.js';
import type { JobKinds } from './job-kind.js';
import { recoverInterrupted } from './queue.js';
import type { RunTally } from './run-summary.js';
import { removeStaleScratch } from './scratch.js';
import { isTransient } from './transient.js';
import type { JobRow } from './states.js';

/** How often a long run prunes old finished jobs. */
const PRUNE_EVERY_MS = 3600_000;
/** How often an idle long run looks for owed work without a job. */
const SWEEP_EVERY_MS = 60_000;

export interface UpkeepOptions {
  kinds: JobKinds;
  settings: GeneratorSettings;
  /** Finished jobs that ended longer ago are deleted, at start and hourly (undefined: kept). */
  keepFinishedMs?: number;
}

/**
 * A runner's upkeep of the queue, none of which may cost it its work: what a dead run left (its
 * jobs, its sidecars in the making, its scratch files), old finished jobs, and owed work that has
 * no job (the safety net; JobKind.queueStranded).
 */
export class QueueUpkeep {
  private lastPrune = 0;
  private lastSweep = 0;

  constructor(private readonly lib: Library, private readonly opts: UpkeepOptions, private readonly tally: RunTally) {}

  /**
   * Put right what a dead run left: its jobs queued again (or failed, when that was their last
   * attempt), each kind's own leftovers (sidecars in the making), its scratch files. Returns the
   * interrupted jobs as they are now.
   */
  recoverDeadRun(): JobRow[] {
    const interrupted = recoverInterrupted(this.lib.store);
    for (const kind of this.opts.kinds.all()) kind.recover?.(this.lib, this.opts.settings);
    // Only what dead work left: a scan beside this runner (the daemon) keeps its own files there.
    removeStaleScratch(this.lib);
    return interrupted;
  }

  /**
   * Prune finished jobs past the keep time (at start, then hourly) and, at start or when IDLE
   * (a long run with nothing to do), queue stranded work every minute.
   */
  tend(atStart: boolean, idle: boolean): void {
    const now = Date.now();
    if (this.opts.keepFinishedMs !== undefined && (atStart || now - this.lastPrune >= PRUNE_EVERY_MS)) {
      this.lastPrune = now;
      const pruned = this.lib.store.jobs.prune(now - this.opts.keepFinishedMs);
      if (pruned > 0) log.debug({ pruned }, 'finished jobs pruned');
    }
    if (atStart || (idle && now - this.lastSweep >= SWEEP_EVERY_MS)) this.sweep();
  }

  /** Queue a job for owed work that has none (JobKind.queueStranded); returns how many. */
  sweep(): number {
    this.lastSweep = Date.now();
    let queued = 0;
    try {
      for (const kind of this.opts.kinds.all()) queued += kind.queueStranded?.(this.lib, this.opts.settings) ?? 0;
    } catch (err) {
      // A busy database: the next sweep (or run) finds them.
      if (!isTransient(err)) throw err;
      log.debug({ err: (err as Error).message }, 'could not look for stranded work now');
    }
    if (queued > 0) log.debug({ queued }, 'queued jobs for pending sidecars that had none');
    this.tally.requeued(queued);
    return queued;
  }
}
