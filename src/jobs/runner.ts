import { availableParallelism } from 'node:os';
import type { GeneratorSettings } from '../generators/types.js';
import type { Library } from '../library/library.js';
import { log } from '../core/log.js';
import { onJobsChanged, type JobStore } from '../store/jobs.js';
import { IdleWaiters } from './idle-waiters.js';
import { OFFLINE_WAIT_NOTE } from './source-file.js';
import { JobOutcomes } from './job-outcome.js';
import { JobSlots } from './job-slots.js';
import { jobProgressMeter } from './job-progress.js';
import { PausedForSpace, RunnerStopped, type FetchFirst, type JobKinds } from './job-kind.js';
import { QueueProgress } from './progress.js';
import { claimJobs } from './queue.js';
import { RunTally, type RunSummary, type SummaryMark } from './run-summary.js';
import { RunningJobs, runWithin, type Running } from './running-jobs.js';
import { FOREGROUND_PRIORITY } from './schedule.js';
import { SpaceWatch } from './space-watch.js';
import { isDiskFull, isTransient } from './transient.js';
import { QueueUpkeep } from './upkeep.js';
import { Wakeup } from './wakeup.js';
import type { JobRow } from './states.js';

export type { RunSummary, SummaryMark };

export interface RunnerOptions {
  kinds: JobKinds;
  settings: GeneratorSettings;
  /** Given to generation jobs: fetch a sidecar from a peer before making it. */
  fetchFirst?: FetchFirst;
  /** Most background jobs at once, over all kinds (default: the number of cores). */
  concurrency?: number;
  /**
   * Slots beyond CONCURRENCY that only foreground work (a user's `sidecars path`, priority
   * FOREGROUND_PRIORITY) may take, past its kind's limit too: a request starts at once even when
   * long background jobs hold every other slot (default 1).
   */
  foregroundSlots?: number;
  /**
   * Slots shared with other runners in this process (the daemon's, one per library): the budget
   * then holds for all of them together, and CONCURRENCY and FOREGROUNDSLOTS are the slots'.
   */
  slots?: JobSlots;
  /** Stop when nothing is queued or running (waiting out retries' backoff); else keep watching the queue. */
  untilIdle?: boolean;
  /** How often to look for cancels from other processes and for newly queued work. */
  pollMs?: number;
  backoffBaseMs?: number;
  /** Stop the runner: running jobs are aborted and left to resume on the next start. */
  signal?: AbortSignal;
  /** Finished jobs that ended longer ago are deleted, at start and hourly (undefined: kept). */
  keepFinishedMs?: number;
  /** While paused for a full disk (and not `untilIdle`): how often to look whether space is back. */
  diskRecheckMs?: number;
}

/** An idle runner claims after a change or a waiting job's time; this often anyway, in case a wake-up went missing. */
const CLAIM_AT_LEAST_EVERY_MS = 10_000;

/**
 * Works the job queue (DESIGN §7): claims the most urgent runnable jobs within the global and
 * per-kind concurrency limits, runs each with a timeout and an abort signal, and writes every
 * outcome to the database at once, so a kill at any moment leaves a queue the next run resumes.
 * This is the loop; what a run's end means is job-outcome.ts, where the queue stands
 * progress.ts, the upkeep upkeep.ts, a pause for disk space space-watch.ts.
 */
export class JobRunner {
  private readonly store: JobStore;
  private readonly running = new RunningJobs();
  private readonly slots: JobSlots;
  private readonly pollMs: number;
  private readonly wakeup = new Wakeup();
  private readonly tally = new RunTally();
  private readonly progress: QueueProgress;
  private readonly upkeep: QueueUpkeep;
  private readonly space: SpaceWatch;
  private readonly outcomes: JobOutcomes;
  private readonly idle: IdleWaiters;
  /** The queue changed in this process (a cancel maybe): look at the running jobs' rows now. */
  private queueChanged = false;
  private finished = false;
  private readonly startedAt = Date.now();
  private idleSweeps = 0;
  /**
   * Bumped by everything that may change what can be claimed or reported: a job queued or changed
   * in this process, one of ours started or ended, a slot freed, another process's commit. An idle
   * runner claims and counts only after a bump (or when a waiting job's time comes).
   */
  private changes = 0;
  private claimedAt = -1;
  private lastClaim = 0;
  /** Idle: when the next queued job becomes runnable (Infinity: only a change can make one). */
  private dueAt = 0;
  private reportedAt = -1;
  private dataVersion: number | undefined;
  private readonly wakeForSlot = () => {
    this.changes++;
    this.wakeup.poke();
  };

  constructor(private readonly lib: Library, private readonly opts: RunnerOptions) {
    this.store = lib.store.jobs;
    this.slots = opts.slots ?? new JobSlots(opts.concurrency ?? availableParallelism(), opts.foregroundSlots ?? 1);
    this.pollMs = opts.pollMs ?? 500;
    this.progress = new QueueProgress(lib, this.tally);
    this.upkeep = new QueueUpkeep(lib, opts, this.tally);
    // Running jobs stop and go back to the queue, or they would only fill what was freed.
    this.space = new SpaceWatch(lib, () => this.running.abortAll(() => new PausedForSpace()), opts.diskRecheckMs);
    this.outcomes = new JobOutcomes(lib, this.tally, this.space, { ...(opts.signal ? { stop: opts.signal } : {}), ...(opts.backoffBaseMs !== undefined ? { backoffBaseMs: opts.backoffBaseMs } : {}) });
    this.idle = new IdleWaiters(this.tally, () => this.space.paused ?? null);
  }

  /** Change the most background jobs at once (a new CPU budget); running jobs above it finish first. */
  setConcurrency(n: number): void {
    this.slots.resize(n);
    this.changes++;
    this.wakeup.poke();
  }

  /**
   * Resolves when nothing is queued or running (retries' backoff waited out; stranded work swept
   * for as `untilIdle` does), or generation paused for space, or the runner stopped, with what
   * finished between this call and then. SIGNAL stops waiting early, with what finished so far
   * (as a stopped `jobs run` reports).
   */
  whenIdle(signal?: AbortSignal): Promise<RunSummary> {
    const idle = this.idle.wait(signal);
    if (this.finished) this.settleIdle();
    else this.wakeup.poke();
    return idle;
  }

  /** Once this runner's run of job ID (if any) has ended and its outcome is recorded. */
  runEnded(id: number): Promise<void> {
    return this.running.ended(id);
  }

  /** Where the summary stands now. */
  mark(): SummaryMark {
    return this.tally.mark();
  }

  /** What finished since FROM (a `mark()` of this runner). */
  since(from: SummaryMark): RunSummary {
    return this.tally.since(from, this.space.paused ?? null);
  }

  private settleIdle(): void {
    this.idleSweeps = 0;
    this.idle.settle();
  }

  async run(): Promise<RunSummary> {
    this.takeUpDeadRun();
    this.space.hold();
    try {
      this.upkeep.tend(true, false);
    } catch (err) {
      // Upkeep can wait for the next chance; the work cannot.
      if (!isTransient(err)) throw err;
      log.warn({ err: (err as Error).message }, 'job upkeep failed; going on');
    }
    const stop = this.opts.signal;
    const onStop = () => {
      this.running.abortAll(() => new RunnerStopped());
      this.wakeup.poke();
    };
    stop?.addEventListener('abort', onStop, { once: true });
    // Work queued in this process (a scan, a `sidecars path`) starts at once; other processes' at the next poll.
    const offChanged = onJobsChanged(this.lib.db, () => {
      this.queueChanged = true;
      this.changes++;
      this.wakeup.poke();
    });
    const leaveSlots = this.slots.join(this.wakeForSlot);
    try {
      await this.loop(stop);
      await Promise.all(this.running.all().map((r) => r.done));
    } finally {
      stop?.removeEventListener('abort', onStop);
      offChanged();
      leaveSlots();
      this.finished = true;
      // Stopped (or broken): nobody waits for an idle that will not come.
      this.settleIdle();
    }
    this.reportProgress();
    this.tally.summary.paused = this.space.paused ?? null;
    this.tally.summary.durationMs = Date.now() - this.startedAt;
    return this.tally.summary;
  }

  /** What a dead run left: its jobs resume, or are given up (this run's verdict, counted as its failures). */
  private takeUpDeadRun(): void {
    const interrupted = this.upkeep.recoverDeadRun();
    this.tally.summary.resumed = interrupted.filter((j) => j.status === 'queued').length;
    // Work a dead run left is this run's first busy period, its give-ups counted in it.
    if (interrupted.length > 0) this.progress.begin();
    for (const j of interrupted) if (j.status === 'failed') this.tally.gaveUp(j, j.error ?? 'interrupted too often');
  }

  private async loop(stop: AbortSignal | undefined): Promise<void> {
    let lastPoll = 0;
    for (;;) {
      if (stop?.aborted) return;
      try {
        this.noticeOtherProcesses();
        if (this.space.paused && !this.opts.untilIdle) this.space.lookForSpace();
        if (!this.space.paused) this.space.lookAtLibraryDisk();
        if (!this.space.paused && this.mayClaim()) this.fill();
        if (this.queueChanged) {
          this.queueChanged = false;
          this.running.noticeStops(this.store);
        }
        if (Date.now() - lastPoll >= this.pollMs) {
          lastPoll = Date.now();
          this.running.noticeStops(this.store);
          // Idle and nothing changed: nothing to count, nothing to say.
          if (this.progress.busy || this.changes !== this.reportedAt) this.reportProgress();
          this.upkeep.tend(false, !this.opts.untilIdle && !this.space.paused && this.running.size === 0);
        }
      } catch (err) {
        // The database's disk is full: claiming cannot go on either.
        if (isDiskFull(err)) this.space.pauseFor(err);
        // A busy database (a long write by another process) must not end the run: try again.
        else if (isTransient(err)) log.debug({ err: (err as Error).message }, 'job queue busy; retrying');
        else throw err;
      }
      if (this.running.size === 0 && (this.opts.untilIdle || this.idle.size > 0)) {
        const step = this.idleStep();
        if (step === 'end') return;
        if (step !== 'again') await this.wakeup.sleep(step);
        continue;
      }
      await this.wakeup.sleep(this.pollMs);
    }
  }

  /**
   * Nothing of ours runs, and someone waits for idle: how long to sleep before looking again,
   * `again` to look at once (stranded work was queued), or `end` (a run `untilIdle` is done).
   * No sleep of its own: the loop's one await keeps the order in which freed slots wake runners.
   */
  private idleStep(): number | 'again' | 'end' {
    // Paused for space: what is running has finished, the rest waits for the next run.
    if (this.space.paused) {
      if (this.opts.untilIdle) return 'end';
      this.settleIdle();
      return this.pollMs;
    }
    // A daemon's jobs waiting for an unplugged drive do not hold `jobs run --until-idle` (they run when it is back).
    const next = this.store.nextRunAfter(this.opts.kinds.names(), this.opts.untilIdle ? {} : { exceptNote: OFFLINE_WAIT_NOTE });
    if (next === undefined) {
      // Idle: one more look for owed work without a job (at most twice a run, or a wait,
      // so a job that keeps leaving work owed cannot hold `--until-idle` forever).
      if (this.idleSweeps < 2 && this.upkeep.sweep() > 0) {
        this.idleSweeps++;
        return 'again';
      }
      if (this.opts.untilIdle) return 'end';
      this.settleIdle();
      return this.pollMs;
    }
    // Runnable but not claimed: every slot is another library's (the daemon's shared budget); a freed one wakes us.
    const wait = next > Date.now() ? next - Date.now() : this.dueAt === Infinity ? this.pollMs : 0;
    return Math.min(this.pollMs, wait);
  }

  /**
   * Start as many jobs as the limits allow: the most urgent in the background slots (within each
   * kind's limit), then foreground work in the foreground slots (past its kind's limit).
   */
  private fill(): void {
    this.claimedAt = this.changes;
    this.lastClaim = Date.now();
    const after = this.opts.kinds.after();
    const free = this.slots.freeBackground();
    if (free > 0) {
      const room = new Map(this.opts.kinds.all().map((k) => [k.name, k.concurrency - this.running.ofKind(k.name)] as const));
      for (const job of claimJobs(this.lib.store, free, { room, busy: this.running.ids(), after })) this.start(job, false);
    }
    const fgFree = this.slots.freeForeground();
    if (fgFree > 0) {
      const room = new Map(this.opts.kinds.names().map((k) => [k, fgFree] as const));
      for (const job of claimJobs(this.lib.store, fgFree, { room, busy: this.running.ids(), maxPriority: FOREGROUND_PRIORITY, after })) this.start(job, true);
    }
    if (this.running.size === 0) {
      // Nothing runs: the next claim can wait for a change, or for a waiting job's time.
      const next = this.store.nextRunAfter(this.opts.kinds.names());
      this.dueAt = next === undefined || next <= Date.now() ? Infinity : next;
    }
  }

  /**
   * Whether claiming is worth a look: while jobs run, always (as each ends); idle, only after a
   * change, once a waiting job's time comes, or now and then in case a wake-up was missed.
   */
  private mayClaim(): boolean {
    if (this.running.size > 0 || this.changes !== this.claimedAt) return true;
    const now = Date.now();
    return now >= this.dueAt || now - this.lastClaim >= CLAIM_AT_LEAST_EVERY_MS;
  }

  /** Another connection (process) committed since the last look: the queue may have changed. */
  private noticeOtherProcesses(): void {
    const v = this.store.dataVersion();
    if (v !== this.dataVersion) {
      this.dataVersion = v;
      this.changes++;
    }
  }

  private start(job: JobRow, foreground: boolean): void {
    const kind = this.opts.kinds.get(job.kind);
    const abort = new AbortController();
    const entry: Running = { job, abort, done: Promise.resolve(), foreground };
    this.running.add(entry);
    this.slots.take(foreground);
    this.changes++;
    this.progress.begin();
    this.lib.events.emit('jobs:job', { id: job.id, kind: job.kind, contentUuid: job.content_uuid, status: 'running' });
    const ctx = {
      lib: this.lib, settings: this.opts.settings, progress: jobProgressMeter(job, this.lib.events, this.store),
      ...(this.opts.untilIdle ? { untilIdle: true } : {}),
      ...(this.opts.fetchFirst ? { fetchFirst: this.opts.fetchFirst } : {}),
    };
    entry.done = runWithin(kind, job, abort, ctx).then(
      (outcome) => this.finish(entry, () => this.outcomes.ended(job, outcome)),
      (err: unknown) => this.finish(entry, () => this.outcomes.failed(job, err, abort.signal)),
    );
  }

  /** Record ENTRY's end (RECORD), free its slot and look for more work. */
  private finish(entry: Running, record: () => void): void {
    try {
      try {
        record();
      } catch (err) {
        // The database's disk filled up: give back the reserve and record once more.
        if (!isDiskFull(err) || !this.space.releaseReserve()) throw err;
        this.space.pauseFor(err);
        record();
      }
    } catch (err) {
      // The outcome could not be written (database busy or gone): the job stays `running` and
      // resumes on the next start, like after a crash; this run goes on.
      log.warn({ job: entry.job.id, err: (err as Error).message }, 'could not record a job outcome');
    } finally {
      this.running.remove(entry);
      this.changes++;
      this.slots.give(entry.foreground, this.wakeForSlot);
      this.wakeup.poke();
    }
  }

  private reportProgress(): void {
    this.reportedAt = this.changes;
    this.progress.report(this.store.openCounts(), this.running.size);
  }
}
