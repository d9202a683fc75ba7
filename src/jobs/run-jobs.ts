import { setPriority } from 'node:os';
import type { Library } from '../library/library.js';
import { defaultJobKinds } from './default-kinds.js';
import type { JobKinds } from './job-kind.js';
import { JobRunner, type RunSummary } from './runner.js';
import { generatorSettings } from './settings.js';

export interface RunJobsOptions {
  dataDir: string;
  untilIdle?: boolean;
  concurrency?: number;
  signal?: AbortSignal;
  /** Run below normal CPU priority so the machine stays usable (default true). */
  nice?: boolean;
  kinds?: JobKinds;
  pollMs?: number;
}

const DAY_MS = 24 * 3600_000;

/** Work the library's job queue in this process: the core of `vss jobs run` and `vss demo`. */
export async function runJobs(lib: Library, opts: RunJobsOptions): Promise<RunSummary> {
  if (opts.nice !== false) {
    try { setPriority(10); } catch { /* not permitted here: run at normal priority */ }
  }
  const runner = new JobRunner(lib, {
    kinds: opts.kinds ?? defaultJobKinds(),
    settings: generatorSettings(lib, opts.dataDir),
    untilIdle: opts.untilIdle ?? false,
    keepFinishedMs: lib.config.settings.keepFinishedJobsDays * DAY_MS,
    ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}),
  });
  return runner.run();
}
