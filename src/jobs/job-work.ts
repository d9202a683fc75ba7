import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { VssError } from '../core/errors.js';
import { log as defaultLog } from '../core/log.js';
import { resolve as resolvePath } from 'node:path';
import type { Library } from '../library/library.js';
import { onCpuBudgetChange, readCpuBudget } from './cpu-budget.js';
import { defaultJobKinds } from './default-kinds.js';
import type { FetchFirst, JobKinds } from './job-kind.js';
import { JobSlots } from './job-slots.js';
import { JobRunner, type RunSummary } from './runner.js';
import { generatorSettings } from './settings.js';

export interface JobWorkOptions {
  dataDir: string;
  /**
   * Cores generation may use; default: this device's setting (cpu-budget.ts), followed when it
   * changes. Shared by every library worked in this process for DATADIR: a number given here sets
   * it for all of them (tests).
   */
  cpuBudget?: number;
  log?: Logger;
  /** Tests: other job kinds than the generators, a faster poll for other processes' work. */
  kinds?: JobKinds;
  pollMs?: number;
  /** Fetch-before-generate: the sync part's hook (src/sync/prefetch.ts `fetchFirstWith`); absent: every sidecar is made here. */
  fetchFirst?: FetchFirst;
}

/** The daemon's continuous work on one library's job queue, within the budget it shares with the process's other libraries. */
export interface JobWork {
  /**
   * Stop: running jobs are stopped (their tools killed), their sidecars and jobs go back to the
   * queue without spending an attempt; resolves once every outcome is written (at most ~5 s, the
   * time an engine that ignores its abort is given).
   */
  stop(): Promise<void>;
  /**
   * Resolves when nothing is queued or running (or generation paused for a full disk, or the
   * work stopped), with what finished between this call and then (`jobs run --until-idle` with a
   * daemon). SIGNAL stops waiting early, with what finished so far.
   */
  waitUntilIdle(signal?: AbortSignal): Promise<RunSummary>;
  /** Resolves once this work's run of job ID (if any) has ended and its outcome is recorded (a pause or cancel waits for it). */
  runEnded(id: number): Promise<void>;
  /** Resolves when SIGNAL aborts or the work stops, with what finished meanwhile (`jobs run` with a daemon). */
  follow(signal?: AbortSignal): Promise<RunSummary>;
  /** Read this device's models and the library's generator settings again (a model was added or removed): the next jobs use them. */
  refreshSettings(): void;
  /**
   * Cores generation uses now: background jobs at once over every library worked in this process
   * (one more for a user's request) and threads per tool.
   */
  readonly budget: number;
  /** Calls of `follow` waiting now (each is forgotten when its signal aborts). */
  readonly followers: number;
}

const DAY_MS = 24 * 3600_000;
/** After the runner broke on an unexpected error: wait this long, then start a new one (which recovers). */
const RESTART_AFTER_MS = 5_000;

/**
 * Work LIB's job queue until stopped (DESIGN §7, §12): within the CPU budget, with one slot kept
 * for a user's request, starting work queued in this process at once (the job store tells the runner)
 * and other processes' at the next poll. The process is not reniced (the daemon must answer its
 * API at once); the tools run niced (run-tool.ts).
 */
export function startJobWork(lib: Library, opts: JobWorkOptions): JobWork {
  // Two runners on one library would each take the other's running jobs for a dead run's.
  if (active.has(lib)) throw new VssError('USAGE', 'this library\'s job queue is already being worked in this process');
  const logger = opts.log ?? defaultLog;
  const shared = joinSharedSlots(opts.dataDir, opts.cpuBudget);
  const slots = shared.slots;
  // One object for the runner's life: a new budget reaches the next job's tools through it.
  const settings = { ...generatorSettings(lib, opts.dataDir), threads: slots.size };
  const kinds = opts.kinds ?? defaultJobKinds();
  const stopper = new AbortController();
  let runner = newRunner();

  function newRunner(): JobRunner {
    return new JobRunner(lib, {
      kinds, settings, untilIdle: false, slots, signal: stopper.signal,
      keepFinishedMs: lib.config.settings.keepFinishedJobsDays * DAY_MS,
      ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}),
      ...(opts.fetchFirst ? { fetchFirst: opts.fetchFirst } : {}),
    });
  }

  const offBudget = opts.cpuBudget !== undefined ? () => undefined : onCpuBudgetChange(opts.dataDir, (b) => {
    settings.threads = b.cores;
    // Every library's work hears of it; the first to hear resizes the shared slots (and wakes every runner).
    if (slots.size !== b.cores) runner.setConcurrency(b.cores);
    logger.info({ cpuBudget: b.cores }, 'generation CPU budget changed');
  });

  // Who follows the work (`follow`): answered when it ends, forgotten when they stop following.
  const followers = new Set<() => void>();
  let ended = false;

  const working = (async () => {
    for (;;) {
      try {
        const s = await runner.run();
        logger.info({ completed: s.completed, failed: s.failed, cancelled: s.cancelled }, 'job work stopped');
        return;
      } catch (err) {
        // A bug or a broken database must not end the daemon's work for good: a new runner recovers what this one left.
        logger.error({ err }, 'job runner failed; starting again');
        try {
          await sleep(RESTART_AFTER_MS, undefined, { signal: stopper.signal });
        } catch {
          return;
        }
        runner = newRunner();
      }
    }
  })().finally(() => {
    ended = true;
    for (const done of [...followers]) done();
  });

  logger.info({ library: lib.config.id, cpuBudget: slots.size }, 'job work started');
  const work: JobWork = {
    get budget() {
      return slots.size;
    },
    waitUntilIdle: (signal) => runner.whenIdle(signal),
    runEnded: (id) => runner.runEnded(id),
    refreshSettings: () => {
      Object.assign(settings, generatorSettings(lib, opts.dataDir), { threads: slots.size });
      logger.info({ models: settings.models }, 'generator settings read again');
    },
    follow: (signal) => new Promise<RunSummary>((resolve) => {
      const r = runner;
      const from = r.mark();
      const done = () => {
        signal?.removeEventListener('abort', done);
        followers.delete(done);
        resolve(r.since(from));
      };
      if (signal?.aborted || ended) return done();
      signal?.addEventListener('abort', done, { once: true });
      followers.add(done);
    }),
    stop: async () => {
      offBudget();
      stopper.abort();
      await working;
      if (active.get(lib) === work) {
        active.delete(lib);
        shared.leave();
      }
    },
    get followers() {
      return followers.size;
    },
  };
  active.set(lib, work);
  return work;
}

/** The slots of each data dir's budget in this process, while a library of it is worked. */
const sharedSlots = new Map<string, { slots: JobSlots; members: number }>();

/**
 * The slots every library's work for DATADIR shares in this process: sized by the device's
 * budget when the first joins (or CPUBUDGET, which also resizes them when given later).
 */
function joinSharedSlots(dataDir: string, cpuBudget: number | undefined): { slots: JobSlots; leave(): void } {
  const key = resolvePath(dataDir);
  let entry = sharedSlots.get(key);
  if (!entry) sharedSlots.set(key, (entry = { slots: new JobSlots(cpuBudget ?? readCpuBudget(dataDir).cores, 1), members: 0 }));
  else if (cpuBudget !== undefined) entry.slots.resize(cpuBudget);
  entry.members++;
  const joined = entry;
  let left = false;
  return {
    slots: joined.slots,
    leave: () => {
      if (left) return;
      left = true;
      if (--joined.members === 0 && sharedSlots.get(key) === joined) sharedSlots.delete(key);
    },
  };
}

/** The job work running on each library in this process. */
const active = new WeakMap<Library, JobWork>();

/** The job work running on LIB in this process, if any (`jobs run` then follows it rather than starting a second runner). */
export function jobWorkOf(lib: Library): JobWork | undefined {
  return active.get(lib);
}
