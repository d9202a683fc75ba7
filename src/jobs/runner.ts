import { availableParallelism } from 'node:os';
import type { JobsProgress } from '../core/events.js';
import { GeneratorError, type GeneratorSettings } from '../generators/types.js';
import type { Library } from '../library/library.js';
import { log } from '../core/log.js';
import { diskFullPause, lowSpacePause, spaceIsBack, type DiskFullPause } from './disk-full.js';
import { JobSlots } from './job-slots.js';
import { SpaceReserve } from './space-reserve.js';
import { JobTimedOut, PausedForSpace, RunnerStopped, type FetchFirst, type JobKinds } from './job-kind.js';
import { FOREGROUND_PRIORITY } from './schedule.js';
import { removeStaleScratch } from './scratch.js';
import { onJobsChanged, type JobStore } from '../store/jobs.js';
import { claimJobs, recordFailure, recoverInterrupted } from './queue.js';
import { isDiskFull, isTransient } from './transient.js';
import type { JobRow } from './states.js';

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

export interface RunSummary {
  completed: number;
  failed: number;
  cancelled: number;
  resumed: number;
  durationMs: number;
  /** Notes of completed jobs (e.g. "not made: no speech model installed"), counted once each. */
  notes: Record<string, number>;
  errors: Array<{ id: number; kind: string; contentUuid: string | null; error: string }>;
  /** Jobs queued for pending sidecars that had none (the safety net; see JobKind.queueStranded). */
  requeued: number;
  /**
   * Set when generation paused because a disk is full (which folder, how much is free): the jobs
   * went back to the queue without spending an attempt. With `untilIdle` the run then stopped.
   */
  paused: DiskFullPause | null;
}

interface Running {
  job: JobRow;
  abort: AbortController;
  done: Promise<void>;
  /** Started in a foreground slot (see RunnerOptions.foregroundSlots). */
  foreground: boolean;
}

/** Where the summary stood when the queue last went from idle to busy: progress counts from there. */
interface BusyPeriod {
  at: number;
  completed: number;
  failed: number;
  cancelled: number;
  doneBytes: number;
}

/** Where a run's summary stood at a moment (`mark`), to tell what finished since (`since`). */
export interface SummaryMark {
  at: number;
  completed: number;
  failed: number;
  cancelled: number;
  requeued: number;
  errors: number;
  notes: Record<string, number>;
}

/** Someone waiting for the queue to go idle (`whenIdle`): what had finished when they began. */
interface IdleWaiter {
  from: SummaryMark;
  resolve: (s: RunSummary) => void;
}

/**
 * Works the job queue (DESIGN §7): claims the most urgent runnable jobs within the global and
 * per-kind concurrency limits, runs each with a timeout and an abort signal, and writes every
 * outcome to the database at once, so a kill at any moment leaves a queue the next run resumes.
 */
export class JobRunner {
  private readonly store: JobStore;
  private readonly running = new Map<number, Running>();
  private readonly slots: JobSlots;
  private readonly pollMs: number;
  private wake: (() => void) | undefined;
  /** Poked while not asleep: the next sleep returns at once, so no wake-up is lost. */
  private poked = false;
  /** The queue changed in this process (a cancel maybe): look at the running jobs' rows now. */
  private queueChanged = false;
  private finished = false;
  private readonly idleWaiters = new Set<IdleWaiter>();
  private readonly startedAt = Date.now();
  private readonly summary: RunSummary = { completed: 0, failed: 0, cancelled: 0, resumed: 0, durationMs: 0, notes: {}, errors: [], requeued: 0, paused: null };
  private doneBytes = 0;
  /** Set while generation waits for disk space: nothing new starts. */
  private pause: DiskFullPause | undefined;
  private lastDiskCheck = 0;
  /** A few MiB on the library's disk, given back when it fills so the database can record the pause. */
  private readonly reserve: SpaceReserve;
  private lastSpaceLook = 0;
  private lastPrune = 0;
  private lastSweep = 0;
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
  private lastReported: string | undefined;
  private period: BusyPeriod | undefined;
  /** When each job of the last minute finished: the rate and ETA follow recent work. */
  private readonly recent: number[] = [];
  private dataVersion: number | undefined;
  private readonly wakeForSlot = () => {
    this.changes++;
    this.poke();
  };

  constructor(private readonly lib: Library, private readonly opts: RunnerOptions) {
    this.store = lib.store.jobs;
    this.reserve = new SpaceReserve(lib);
    this.slots = opts.slots ?? new JobSlots(opts.concurrency ?? availableParallelism(), opts.foregroundSlots ?? 1);
    this.pollMs = opts.pollMs ?? 500;
  }

  /** Change the most background jobs at once (a new CPU budget); running jobs above it finish first. */
  setConcurrency(n: number): void {
    this.slots.resize(n);
    this.changes++;
    this.poke();
  }

  /**
   * Resolves when nothing is queued or running (retries' backoff waited out; stranded work swept
   * for as `untilIdle` does), or generation paused for space, or the runner stopped, with what
   * finished between this call and then. SIGNAL stops waiting early, with what finished so far
   * (as a stopped `jobs run` reports).
   */
  whenIdle(signal?: AbortSignal): Promise<RunSummary> {
    return new Promise<RunSummary>((resolve) => {
      const waiter: IdleWaiter = {
        from: this.mark(),
        resolve: (r) => { signal?.removeEventListener('abort', onAbort); resolve(r); },
      };
      if (signal?.aborted) return resolve(this.since(waiter.from));
      const onAbort = () => { this.idleWaiters.delete(waiter); resolve(this.since(waiter.from)); };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.idleWaiters.add(waiter);
      if (this.finished) this.settleIdle();
      else this.poke();
    });
  }

  /** Where the summary stands now. */
  mark(): SummaryMark {
    const s = this.summary;
    return { at: Date.now(), completed: s.completed, failed: s.failed, cancelled: s.cancelled, requeued: s.requeued, errors: s.errors.length, notes: { ...s.notes } };
  }

  /** What finished since FROM (a `mark()` of this runner). */
  since(from: SummaryMark): RunSummary {
    const s = this.summary;
    const notes: Record<string, number> = {};
    for (const [note, n] of Object.entries(s.notes)) if (n > (from.notes[note] ?? 0)) notes[note] = n - (from.notes[note] ?? 0);
    return {
      completed: s.completed - from.completed, failed: s.failed - from.failed, cancelled: s.cancelled - from.cancelled,
      resumed: 0, durationMs: Date.now() - from.at, notes, errors: s.errors.slice(from.errors),
      requeued: s.requeued - from.requeued, paused: this.pause ?? null,
    };
  }

  /** Hand every idle waiter what finished since it began waiting. */
  private settleIdle(): void {
    this.idleSweeps = 0;
    for (const w of this.idleWaiters) w.resolve(this.since(w.from));
    this.idleWaiters.clear();
  }

  async run(): Promise<RunSummary> {
    // Whatever a dead run left behind: its jobs resume, its scratch files go.
    const interrupted = recoverInterrupted(this.lib.store);
    for (const kind of this.opts.kinds.all()) kind.recover?.(this.lib, this.opts.settings);
    this.summary.resumed = interrupted.filter((j) => j.status === 'queued').length;
    // Work a dead run left is this run's first busy period, its give-ups counted in it.
    if (interrupted.length > 0) this.period = this.periodStart();
    // Given up here (interrupted too often): this run's verdict, listed and counted like any failure.
    for (const j of interrupted.filter((r) => r.status === 'failed')) {
      this.summary.failed++;
      this.summary.errors.push({ id: j.id, kind: j.kind, contentUuid: j.content_uuid, error: j.error ?? 'interrupted too often' });
    }
    // Only what dead work left: a scan beside this runner (the daemon) keeps its own files there.
    removeStaleScratch(this.lib);
    this.reserve.hold();
    try {
      this.housekeeping(true);
    } catch (err) {
      // Upkeep can wait for the next chance; the work cannot.
      if (!isTransient(err)) throw err;
      log.warn({ err: (err as Error).message }, 'job upkeep failed; going on');
    }
    const stop = this.opts.signal;
    const onStop = () => {
      for (const r of this.running.values()) r.abort.abort(new RunnerStopped());
      this.poke();
    };
    stop?.addEventListener('abort', onStop, { once: true });
    // Work queued in this process (a scan, a `sidecars path`) starts at once; other processes' at the next poll.
    const offChanged = onJobsChanged(this.lib.db, () => {
      this.queueChanged = true;
      this.changes++;
      this.poke();
    });
    const leaveSlots = this.slots.join(this.wakeForSlot);
    let lastPoll = 0;
    try {
      for (;;) {
        if (stop?.aborted) break;
        try {
          this.noticeOtherProcesses();
          if (this.pause && !this.opts.untilIdle) this.lookForSpace();
          if (!this.pause) this.lookAtLibraryDisk();
          if (!this.pause && this.mayClaim()) this.fill();
          if (this.queueChanged) {
            this.queueChanged = false;
            this.noticeCancels();
          }
          if (Date.now() - lastPoll >= this.pollMs) {
            lastPoll = Date.now();
            this.noticeCancels();
            // Idle and nothing changed: nothing to count, nothing to say.
            if (this.period || this.changes !== this.reportedAt) this.emitProgress();
            this.housekeeping(false);
          }
        } catch (err) {
          // The database's disk is full: claiming cannot go on either.
          if (isDiskFull(err)) this.pauseForSpace(err);
          // A busy database (a long write by another process) must not end the run: try again.
          else if (isTransient(err)) log.debug({ err: (err as Error).message }, 'job queue busy; retrying');
          else throw err;
        }
        if (this.running.size === 0 && (this.opts.untilIdle || this.idleWaiters.size > 0)) {
          // Paused for space: what is running has finished, the rest waits for the next run.
          if (this.pause) {
            if (this.opts.untilIdle) break;
            this.settleIdle();
            await this.sleep(this.pollMs);
            continue;
          }
          const next = this.store.nextRunAfter(this.opts.kinds.names());
          if (next === undefined) {
            // Idle: one more look for owed work without a job (at most twice a run, or a wait,
            // so a job that keeps leaving work owed cannot hold `--until-idle` forever).
            if (this.idleSweeps < 2 && this.sweep() > 0) {
              this.idleSweeps++;
              continue;
            }
            if (this.opts.untilIdle) break;
            this.settleIdle();
            await this.sleep(this.pollMs);
            continue;
          }
          // Runnable but not claimed: every slot is another library's (the daemon's shared budget); a freed one wakes us.
          const wait = next > Date.now() ? next - Date.now() : this.dueAt === Infinity ? this.pollMs : 0;
          await this.sleep(Math.min(this.pollMs, wait));
          continue;
        }
        await this.sleep(this.pollMs);
      }
      await Promise.all([...this.running.values()].map((r) => r.done));
    } finally {
      stop?.removeEventListener('abort', onStop);
      offChanged();
      leaveSlots();
      this.finished = true;
      // Stopped (or broken): nobody waits for an idle that will not come.
      this.settleIdle();
    }
    this.emitProgress();
    this.summary.paused = this.pause ?? null;
    this.summary.durationMs = Date.now() - this.startedAt;
    return this.summary;
  }

  /**
   * Upkeep that must not cost a run its work: prune finished jobs past the library's keep time
   * (at start, then hourly) and, when idle and not `untilIdle`, queue stranded work every minute.
   */
  private housekeeping(atStart: boolean): void {
    const now = Date.now();
    if (this.opts.keepFinishedMs !== undefined && (atStart || now - this.lastPrune >= PRUNE_EVERY_MS)) {
      this.lastPrune = now;
      const pruned = this.store.prune(now - this.opts.keepFinishedMs);
      if (pruned > 0) log.debug({ pruned }, 'finished jobs pruned');
    }
    if (atStart || (!this.opts.untilIdle && !this.pause && this.running.size === 0 && now - this.lastSweep >= SWEEP_EVERY_MS)) this.sweep();
  }

  /** Queue a job for owed work that has none (JobKind.queueStranded); returns how many. */
  private sweep(): number {
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
    this.summary.requeued += queued;
    return queued;
  }

  /**
   * The library's disk (the database's) nearly full: pause before a job fails on it, while the
   * database can still record everything. Looked at once a second.
   */
  private lookAtLibraryDisk(): void {
    if (Date.now() - this.lastSpaceLook < 1000) return;
    this.lastSpaceLook = Date.now();
    const low = lowSpacePause(this.lib);
    if (low) this.pauseForSpace(undefined, low);
  }

  /**
   * A disk is full: nothing new starts until there is space again (one message). The reserve is
   * given back first, so the database can record what follows; running jobs are stopped and go
   * back to the queue, or they would only fill what was freed.
   */
  private pauseForSpace(err: unknown, pause?: DiskFullPause): void {
    if (this.pause) return;
    this.reserve.release();
    this.pause = pause ?? diskFullPause(this.lib, err);
    for (const r of this.running.values()) if (!r.abort.signal.aborted) r.abort.abort(new PausedForSpace());
    this.lastDiskCheck = Date.now();
    log.warn({ path: this.pause.path, freeBytes: this.pause.freeBytes }, 'generation paused: disk full');
    this.lib.events.emit('jobs:paused', this.pause);
  }

  /** While paused (a long-running runner): start again once space has been freed. */
  private lookForSpace(): void {
    const pause = this.pause;
    if (!pause || Date.now() - this.lastDiskCheck < (this.opts.diskRecheckMs ?? DISK_RECHECK_MS)) return;
    this.lastDiskCheck = Date.now();
    if (!spaceIsBack(pause)) return;
    this.pause = undefined;
    this.reserve.hold();
    log.info({ path: pause.path }, 'generation resumed: disk space is back');
    this.lib.events.emit('jobs:resumed', { path: pause.path });
  }

  /**
   * Start as many jobs as the limits allow: the most urgent in the background slots (within each
   * kind's limit), then foreground work in the foreground slots (past its kind's limit).
   */
  private fill(): void {
    this.claimedAt = this.changes;
    this.lastClaim = Date.now();
    const free = this.slots.freeBackground();
    if (free > 0) {
      const room = new Map<string, number>();
      for (const k of this.opts.kinds.all()) {
        let busy = 0;
        for (const r of this.running.values()) if (r.job.kind === k.name) busy++;
        room.set(k.name, k.concurrency - busy);
      }
      for (const job of claimJobs(this.lib.store, free, { room, busy: new Set(this.running.keys()) })) this.start(job, false);
    }
    const fgFree = this.slots.freeForeground();
    if (fgFree > 0) {
      const room = new Map(this.opts.kinds.names().map((k) => [k, fgFree] as const));
      for (const job of claimJobs(this.lib.store, fgFree, { room, busy: new Set(this.running.keys()), maxPriority: FOREGROUND_PRIORITY })) this.start(job, true);
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
    this.running.set(job.id, entry);
    this.slots.take(foreground);
    this.changes++;
    this.period ??= this.periodStart();
    this.lib.events.emit('jobs:job', { id: job.id, kind: job.kind, contentUuid: job.content_uuid, status: 'running' });
    entry.done = (async () => {
      if (!kind) throw new GeneratorError(`no job kind ${job.kind} in this version of vss`, { permanent: true });
      const timeoutMs = kind.timeoutMs(job);
      const timer = setTimeout(() => abort.abort(new JobTimedOut(timeoutMs)), timeoutMs);
      try {
        return await settleOrAbandon(kind.run(job, { lib: this.lib, signal: abort.signal, timeoutMs, settings: this.opts.settings, ...(this.opts.fetchFirst ? { fetchFirst: this.opts.fetchFirst } : {}) }), abort.signal);
      } finally {
        clearTimeout(timer);
      }
    })().then(
      (outcome) => this.finish(entry, () => {
        if (outcome.state === 'wait') {
          this.store.requeue(job, Date.now() + outcome.delayMs, outcome.reason);
          return;
        }
        if (!this.store.complete(job, outcome.note ?? null)) return this.countCancelled(job);
        this.summary.completed++;
        this.doneBytes += job.bytes;
        this.recent.push(Date.now());
        if (outcome.note) this.summary.notes[outcome.note] = (this.summary.notes[outcome.note] ?? 0) + 1;
        this.lib.events.emit('jobs:job', { id: job.id, kind: job.kind, contentUuid: job.content_uuid, status: 'completed', note: outcome.note ?? null });
      }),
      (err: unknown) => this.finish(entry, () => {
        const reason = errorText(err, abort.signal);
        if (this.opts.signal?.aborted) {
          // Stopped on purpose (Ctrl-C): the job goes back to the queue without spending an attempt.
          this.store.requeue(job, Date.now(), 'interrupted by a stop; resumes on the next run');
          return;
        }
        if (isDiskFull(err) || abort.signal.reason instanceof PausedForSpace) {
          // Not the job's fault: nothing new starts for now (first: with the database on the full
          // disk the requeue below fails too, and the job resumes on the next start), and the job
          // goes back to the queue as it was.
          this.pauseForSpace(err);
          this.store.requeue(job, Date.now(), 'waiting for disk space');
          this.lib.events.emit('jobs:job', { id: job.id, kind: job.kind, contentUuid: job.content_uuid, status: 'queued', note: 'waiting for disk space' });
          return;
        }
        // A timeout is the machine's as often as the input's: retried until the last attempt.
        const transient = abort.signal.reason instanceof JobTimedOut || isTransient(err);
        const status = recordFailure(this.store, job, reason, !transient, this.opts.backoffBaseMs);
        if (status === 'superseded') return this.countCancelled(job);
        if (status === 'failed') {
          this.summary.failed++;
          this.doneBytes += job.bytes;
          this.recent.push(Date.now());
          this.summary.errors.push({ id: job.id, kind: job.kind, contentUuid: job.content_uuid, error: reason });
        }
        log.debug({ job: job.id, kind: job.kind, reason, status }, 'job failed');
        this.lib.events.emit('jobs:job', { id: job.id, kind: job.kind, contentUuid: job.content_uuid, status, error: reason });
      }),
    );
  }

  /** The row moved on without this run (cancelled, perhaps already retried): it only counts. */
  private countCancelled(job: JobRow): void {
    this.summary.cancelled++;
    this.recent.push(Date.now());
    this.lib.events.emit('jobs:job', { id: job.id, kind: job.kind, contentUuid: job.content_uuid, status: 'cancelled' });
  }

  private finish(entry: Running, record: () => void): void {
    try {
      try {
        record();
      } catch (err) {
        // The database's disk filled up: give back the reserve and record once more.
        if (!isDiskFull(err) || !this.reserve.release()) throw err;
        this.pauseForSpace(err);
        record();
      }
    } catch (err) {
      // The outcome could not be written (database busy or gone): the job stays `running` and
      // resumes on the next start, like after a crash; this run goes on.
      log.warn({ job: entry.job.id, err: (err as Error).message }, 'could not record a job outcome');
    } finally {
      if (this.running.get(entry.job.id) === entry) this.running.delete(entry.job.id);
      this.changes++;
      this.slots.give(entry.foreground, this.wakeForSlot);
      this.poke();
    }
  }

  /** `jobs cancel` in another process only writes the row; the running job is aborted here. */
  private noticeCancels(): void {
    if (this.running.size === 0) return;
    const now = this.store.statuses([...this.running.keys()]);
    for (const [id, r] of this.running) {
      if (now.get(id) === 'cancelled' && !r.abort.signal.aborted) r.abort.abort(new Error('cancelled by the user'));
    }
  }

  /**
   * Say where the queue stands, when that changed: counts of the current busy period (from idle
   * to idle), the rate over its last minute. The period's last event has nothing queued or running.
   */
  private emitProgress(): void {
    this.reportedAt = this.changes;
    const c = this.store.openCounts();
    const left = c.queued + c.running;
    if (!this.period) {
      if (left === 0) return;
      this.period = this.periodStart();
    }
    const from = this.period;
    const s = this.summary;
    const rate = this.recentRate(from.at);
    const p: JobsProgress = {
      queued: c.queued, running: c.running, completed: s.completed - from.completed, failed: s.failed - from.failed, cancelled: s.cancelled - from.cancelled,
      doneBytes: this.doneBytes - from.doneBytes, openBytes: c.openBytes, rate, etaMs: rate > 0 ? Math.round((left / rate) * 1000) : null,
    };
    const key = `${p.queued} ${p.running} ${p.completed} ${p.failed} ${p.cancelled} ${p.openBytes}`;
    if (key !== this.lastReported) {
      this.lastReported = key;
      this.lib.events.emit('jobs:progress', p);
    }
    if (left === 0 && this.running.size === 0) {
      this.period = undefined;
      this.lastReported = undefined;
    }
  }

  private periodStart(): BusyPeriod {
    const s = this.summary;
    return { at: Date.now(), completed: s.completed, failed: s.failed, cancelled: s.cancelled, doneBytes: this.doneBytes };
  }

  /** Jobs finished per second over the last minute, or since SINCE when that is later (at least a second). */
  private recentRate(since: number): number {
    const now = Date.now();
    let old = 0;
    while (old < this.recent.length && this.recent[old]! < now - RATE_WINDOW_MS) old++;
    if (old > 0) this.recent.splice(0, old);
    const from = Math.max(since, now - RATE_WINDOW_MS);
    let n = 0;
    for (const t of this.recent) if (t >= from) n++;
    return n / (Math.max(1000, now - from) / 1000);
  }

  private sleep(ms: number): Promise<void> {
    if (this.poked) {
      this.poked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.wake = undefined; resolve(); }, ms);
      this.wake = () => { clearTimeout(t); this.wake = undefined; resolve(); };
    });
  }

  private poke(): void {
    if (this.wake) this.wake();
    else this.poked = true;
  }
}

function errorText(err: unknown, signal: AbortSignal): string {
  // An aborted job failed because of the abort (timeout, cancel), whatever the tool said about it.
  if (signal.aborted && signal.reason instanceof Error) return signal.reason.message;
  return err instanceof Error ? err.message : String(err);
}

/** How long a window the progress rate (and ETA) is measured over. */
const RATE_WINDOW_MS = 60_000;
/** An idle runner claims after a change or a waiting job's time; this often anyway, in case a wake-up went missing. */
const CLAIM_AT_LEAST_EVERY_MS = 10_000;

/** How often a long run prunes old finished jobs. */
const PRUNE_EVERY_MS = 3600_000;
/** How often an idle long run looks for owed work without a job. */
const SWEEP_EVERY_MS = 60_000;
/** How often a long run paused for space looks whether space is back. */
const DISK_RECHECK_MS = 30_000;

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
