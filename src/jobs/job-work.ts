import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { VssError } from '../core/errors.js';
import { log as defaultLog } from '../core/log.js';
import type { Library } from '../library/library.js';
import { onCpuBudgetChange, readCpuBudget } from './cpu-budget.js';
import { defaultJobKinds } from './default-kinds.js';
import type { JobKinds } from './job-kind.js';
import { JobRunner, type RunSummary } from './runner.js';
import { generatorSettings } from './settings.js';

export interface JobWorkOptions {
  dataDir: string;
  /** Cores generation may use; default: this device's setting (cpu-budget.ts), followed when it changes. */
  cpuBudget?: number;
  log?: Logger;
  /** Tests: other job kinds than the generators, a faster poll for other processes' work. */
  kinds?: JobKinds;
  pollMs?: number;
}

/** The daemon's continuous work on one library's job queue. */
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
  /** Resolves when SIGNAL aborts or the work stops, with what finished meanwhile (`jobs run` with a daemon). */
  follow(signal?: AbortSignal): Promise<RunSummary>;
  /** Read this device's models and the library's generator settings again (a model was added or removed): the next jobs use them. */
  refreshSettings(): void;
  /** Cores generation uses now: background jobs at once (one more for a user's request) and threads per tool. */
  readonly budget: number;
}

const DAY_MS = 24 * 3600_000;
/** After the runner broke on an unexpected error: wait this long, then start a new one (which recovers). */
const RESTART_AFTER_MS = 5_000;

/**
 * Work LIB's job queue until stopped (DESIGN §7, §12): within the CPU budget, with one slot kept
 * for a user's request, starting work queued in this process at once (JobStore wakes the runner)
 * and other processes' at the next poll. The process is not reniced (the daemon must answer its
 * API at once); the tools run niced (run-tool.ts).
 */
export function startJobWork(lib: Library, opts: JobWorkOptions): JobWork {
  // Two runners on one library would each take the other's running jobs for a dead run's.
  if (active.has(lib)) throw new VssError('USAGE', 'this library\'s job queue is already being worked in this process');
  const logger = opts.log ?? defaultLog;
  let budget = Math.max(1, Math.floor(opts.cpuBudget ?? readCpuBudget(opts.dataDir).cores));
  // One object for the runner's life: a new budget reaches the next job's tools through it.
  const settings = { ...generatorSettings(lib, opts.dataDir), threads: budget };
  const kinds = opts.kinds ?? defaultJobKinds();
  const stopper = new AbortController();
  let runner = newRunner();

  function newRunner(): JobRunner {
    return new JobRunner(lib, {
      kinds, settings, untilIdle: false, concurrency: budget, foregroundSlots: 1, signal: stopper.signal,
      keepFinishedMs: lib.config.settings.keepFinishedJobsDays * DAY_MS,
      ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}),
    });
  }

  const offBudget = opts.cpuBudget !== undefined ? () => undefined : onCpuBudgetChange(opts.dataDir, (b) => {
    budget = b.cores;
    settings.threads = b.cores;
    runner.setConcurrency(b.cores);
    logger.info({ cpuBudget: b.cores }, 'generation CPU budget changed');
  });

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
  })();

  logger.info({ library: lib.config.id, cpuBudget: budget }, 'job work started');
  const work: JobWork = {
    get budget() {
      return budget;
    },
    waitUntilIdle: (signal) => runner.whenIdle(signal),
    refreshSettings: () => {
      Object.assign(settings, generatorSettings(lib, opts.dataDir), { threads: budget });
      logger.info({ models: settings.models }, 'generator settings read again');
    },
    follow: (signal) => new Promise<RunSummary>((resolve) => {
      const r = runner;
      const from = r.mark();
      const done = () => {
        signal?.removeEventListener('abort', done);
        resolve(r.since(from));
      };
      if (signal?.aborted) return done();
      signal?.addEventListener('abort', done, { once: true });
      void working.then(done);
    }),
    stop: async () => {
      offBudget();
      stopper.abort();
      await working;
      if (active.get(lib) === work) active.delete(lib);
    },
  };
  active.set(lib, work);
  return work;
}

/** The job work running on each library in this process. */
const active = new WeakMap<Library, JobWork>();

/** The job work running on LIB in this process, if any (`jobs run` then follows it rather than starting a second runner). */
export function jobWorkOf(lib: Library): JobWork | undefined {
  return active.get(lib);
}
