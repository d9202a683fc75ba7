import { log } from '../core/log.js';
import { streamKeyed, type KeyedReader } from '../core/paging.js';
import { UsageError, VssError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import type { Logger } from 'pino';
import type { FetchFirst } from '../jobs/job-kind.js';
import type { JobWork } from '../jobs/job-work.js';
import type { RunSummary } from '../jobs/runner.js';
import { isJobStatus, JOB_STATUSES, type JobRow, type NamedJobRow } from '../jobs/states.js';
import type { JobTotals } from '../wire/jobs.js';
import type { OpHost } from '../ops/op.js';
import { pageKeyed, type Page, type PageRequest } from './pages.js';

/** Each library's continuous work while it loads (the daemon's `startWork`), until it runs. */
const workStarting = new WeakMap<Library, Promise<unknown>>();

export type { JobRow, JobWork, NamedJobRow, RunSummary };

export interface JobFilter {
  status?: string;
  kind?: string;
  contentUuid?: string;
}

export interface RunJobsInput {
  /** Stop when nothing is queued or running. */
  untilIdle?: boolean;
  /** Most jobs at once (default: the number of cores). */
  concurrency?: number;
  /** Stops the run: running jobs are stopped, their tools killed, and they resume next time. */
  signal?: AbortSignal;
}

/** The durable job queue (DESIGN §7): run it, list it, act on one job. */
export class JobsApi {
  constructor(private readonly lib: Library, private readonly host: OpHost) {}

  /**
   * Work the queue in this process; progress arrives as `jobs:*` events. Loads the engines the
   * jobs need. Where the queue is worked continuously already (`startWork`, the daemon), follows
   * that work instead: until idle, or until SIGNAL.
   */
  async run(input: RunJobsInput = {}): Promise<RunSummary> {
    const [{ runJobs }, { jobWorkOf }] = await Promise.all([import('../jobs/run-jobs.js'), import('../jobs/job-work.js')]);
    await workStarting.get(this.lib);
    const work = jobWorkOf(this.lib);
    if (work) return input.untilIdle ? work.waitUntilIdle(input.signal) : work.follow(input.signal);
    // A file operation a killed `vss files` command left is finished here too (the operations that need no network).
    const { jobKinds } = await import('../ops/registry.js');
    const kinds = await jobKinds(this.host, 'process');
    return runJobs(this.lib, {
      dataDir: this.host.dataDir, untilIdle: input.untilIdle ?? false, kinds,
      ...(input.signal ? { signal: input.signal } : {}),
      ...(input.concurrency !== undefined ? { concurrency: input.concurrency } : {}),
    });
  }

  /**
   * Work the queue continuously until stopped (the daemon): within this device's CPU budget (or
   * CPUBUDGET), shared by every library this process works, starting work queued in this process
   * at once, a `sidecars path` request ahead of the background queue. While it runs, `run` follows it.
   * POLLMS (tests): how often it looks for work queued where no wake-up reaches it (default 500 ms).
   */
  startWork(opts: { cpuBudget?: number; log?: Logger; fetchFirst?: FetchFirst; pollMs?: number } = {}): Promise<JobWork> {
    const started = (async () => {
      const [{ startJobWork }, { jobKinds }] = await Promise.all([import('../jobs/job-work.js'), import('../ops/registry.js')]);
      return startJobWork(this.lib, { dataDir: this.host.dataDir, kinds: await jobKinds(this.host, 'daemon'), ...opts });
    })();
    // Known at once: a `run` asked while the work is still loading its kinds follows it rather than starting a second runner.
    workStarting.set(this.lib, started.catch(() => undefined));
    return started;
  }

  /** Jobs, oldest first, read a page at a time, each with its content's name. */
  iterate(filter: JobFilter = {}): Iterable<NamedJobRow> {
    return streamKeyed(this.reader(filter));
  }

  list(filter: JobFilter & PageRequest = {}): Page<NamedJobRow> {
    return pageKeyed(this.reader(filter), filter);
  }

  /** How many jobs of each state there are now (the Jobs page's totals). */
  counts(): JobTotals {
    const { openBytes: _, ...c } = this.lib.store.jobs.counts();
    return c;
  }

  /** One job, with its content's name (`vss jobs info`). */
  get(id: number): NamedJobRow {
    const job = this.lib.store.jobs.getNamed(id);
    if (!job) throw new VssError('NOT_FOUND', `no job ${id}`);
    return job;
  }

  /** Queue a failed or cancelled job again, and ask again for the sidecars it failed to make. */
  async retry(id: number): Promise<JobRow> {
    const { retryJob } = await import('../jobs/job-actions.js');
    return retryJob(this.lib, id);
  }

  /**
   * Cancel a queued, paused or running job (a running one is stopped and its tools killed, even
   * from another process), keeping nothing of it: answers once its run, if any, has stopped and
   * what it left is removed.
   */
  async cancel(id: number): Promise<JobRow> {
    const [{ cancelJob }, { jobWorkOf }, { discardCancelled }, { jobKindOf }] = await Promise.all([
      import('../jobs/job-actions.js'), import('../jobs/job-work.js'), import('../jobs/job-kind.js'), import('../ops/registry.js'),
    ]);
    const job = cancelJob(this.lib, id);
    // A run under way here stops first (its runner notices the cancel); then what the job leaves
    // goes, whether it ran or waited between its tries (a partial kept to resume from). A run in
    // another process (`jobs run`, which holds the library) discards again once it has stopped.
    await jobWorkOf(this.lib)?.runEnded(id);
    // A kind that will not load (its engine missing here) cannot say what it leaves: the cancel stands all the same.
    const kind = await jobKindOf(this.host, job.kind).catch((err: unknown) => void log.warn({ err, job: id, kind: job.kind }, 'the kind of a cancelled job did not load: what it left stays'));
    await discardCancelled(kind, job, this.lib);
    return this.lib.store.jobs.get(id) ?? job;
  }

  /**
   * Hold a queued job, or stop a running one (its tools killed) until it is resumed, without
   * spending an attempt. Where the queue is worked in this process (the daemon), answers once
   * the run has stopped.
   */
  async pause(id: number): Promise<JobRow> {
    const [{ pauseJob }, { jobWorkOf }] = await Promise.all([import('../jobs/job-actions.js'), import('../jobs/job-work.js')]);
    const job = pauseJob(this.lib, id);
    const work = jobWorkOf(this.lib);
    if (!work) return job;
    await work.runEnded(id);
    return this.lib.store.jobs.get(id) ?? job;
  }

  async resume(id: number): Promise<JobRow> {
    const { resumeJob } = await import('../jobs/job-actions.js');
    return resumeJob(this.lib, id);
  }

  private reader(filter: JobFilter): KeyedReader<NamedJobRow> {
    const { status, ...rest } = filter;
    if (status !== undefined && !isJobStatus(status)) throw new UsageError(`status must be one of ${JOB_STATUSES.join(', ')}`);
    const store = this.lib.store.jobs;
    return (afterId, limit) => store.listNamed({ ...rest, ...(status !== undefined ? { status } : {}), afterId, limit }).map((j) => ({ key: j.id, item: j }));
  }
}
