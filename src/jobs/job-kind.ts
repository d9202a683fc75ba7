import { log } from '../core/log.js';
import type { Library } from '../library/library.js';
import type { GeneratorSettings } from '../generators/types.js';
import type { SidecarAddress } from '../sidecars/address.js';
import type { JobRow } from './states.js';

export interface JobRunContext {
  lib: Library;
  /** Aborted when the job is cancelled, times out or the runner stops. */
  signal: AbortSignal;
  /** The time this job may take before `signal` aborts it. */
  timeoutMs: number;
  /** When (Date.now()) `signal` aborts it: inner limits count from here, not from their own start. */
  deadline?: number;
  settings: GeneratorSettings;
  /** Fetch-before-generate, where peers are connected (see FetchFirst). */
  fetchFirst?: FetchFirst;
  /**
   * Say how far the job has got, DONE of TOTAL bytes (a transfer): told as `job:progress` and
   * kept in the job's row (both thinned out: call it as often as bytes arrive).
   */
  progress(done: number, total: number): void;
  /**
   * The runner stops once nothing is queued (`jobs run --until-idle`): a job must not wait for a
   * drive that may never come back (volumes, issue 21), so it fails or retries as before.
   */
  untilIdle?: boolean;
}

/**
 * Fetch-before-generate (DESIGN §9): asked by a generation job before it makes anything, for the
 * sidecars it owes; fetches those a connected peer has ready and answers the variants it fetched
 * (recorded ready by then). Never throws: whatever it did not fetch is made as usual.
 */
export type FetchFirst = (addresses: SidecarAddress[], signal: AbortSignal) => Promise<Set<string>>;

/** The abort reason when the runner itself is stopped (Ctrl-C): the job is not at fault. */
export class RunnerStopped extends Error {
  constructor() {
    super('the job runner was stopped');
    this.name = 'RunnerStopped';
  }
}

/** A disk filled up: running jobs stop and go back to the queue, as on a stop, without spending an attempt. */
export class PausedForSpace extends RunnerStopped {
  constructor() {
    super();
    this.message = 'paused: the disk is full';
    this.name = 'PausedForSpace';
  }
}

/** A user cancelled the running job (`vss jobs cancel`): what it left half made is thrown away. */
export class CancelledByUser extends Error {
  constructor() {
    super('cancelled by the user');
    this.name = 'CancelledByUser';
  }
}

/** A user paused the running job (`vss jobs pause`): it goes back to wait, as on a stop, without spending an attempt. */
export class PausedByUser extends RunnerStopped {
  constructor() {
    super();
    this.message = 'paused by the user';
    this.name = 'PausedByUser';
  }
}

/**
 * The abort reason when a job runs past its time. Not the input's fault for sure (a loaded
 * machine, a slow disk), so it counts as a transient failure: retried with backoff until the
 * job's last attempt, then failed.
 */
export class JobTimedOut extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${Math.round(timeoutMs / 1000)} s`);
    this.name = 'JobTimedOut';
  }
}

/** How a job ended when it did not throw. */
export type JobOutcome =
  | { state: 'completed'; note?: string; /** What it made, as JSON (kept in the job's `result`). */ result?: string }
  /** Not yet: requeue after DELAY without counting an attempt (waiting for another sidecar). */
  | { state: 'wait'; reason: string; delayMs: number };

/**
 * A kind of job: everything the runner needs to schedule and run it. New work is a new JobKind
 * (the generators are adapted by `generatorJobKind`); the runner, store and CLI stay as they are.
 * A job fails by throwing: a transient failure (see transient.ts) or a timeout is retried with
 * backoff until the job's `max_attempts` (set when it is queued), a full disk puts it back in the
 * queue without spending an attempt (disk-full.ts), anything else fails at once. Priority is the
 * job row's too, set when it is queued (GENERATION_SCHEDULE for the generators).
 */
/** A job that moves bytes may take ten minutes at least, and longer for many (as if they went at BYTESPERS). */
export function timeoutForBytes(bytes: number, bytesPerS: number): number {
  return Math.max(10 * 60_000, (bytes / bytesPerS) * 1000);
}

export interface JobKind {
  name: string;
  /** Most jobs of this kind running at once. */
  concurrency: number;
  /** The kind it is made from when that one is ready: its job waits for the content's job of that kind (KindSchedule.after). */
  after?: string;
  timeoutMs(job: JobRow): number;
  run(job: JobRow, ctx: JobRunContext): Promise<JobOutcome>;
  /**
   * Put right what runs killed mid-way left behind, once when a runner starts (it holds the
   * library lock, so nothing of this kind is in progress): their jobs are already queued again
   * or failed by then.
   */
  recover?(lib: Library, settings: GeneratorSettings): void;
  /**
   * The safety net: queue a job for any work of this kind that is owed but has no open job
   * (a sidecar left `pending` by an older vss, a crash, or a request that raced a finishing
   * job). Called when a runner starts and when it goes idle; returns how many jobs it queued.
   */
  queueStranded?(lib: Library, settings: GeneratorSettings): number;
  /**
   * What a cancelled job of this kind leaves that no run will take up again, removed: the partial
   * files a copy keeps between its tries (to resume from) where it copies to. The one way a
   * cancel's leftovers go (`discardCancelled`), whether the job ran, waited between its tries,
   * was paused or was left by a killed run: called by the cancel (once a run of this process
   * has stopped), and by a runner whose run a cancel stopped (the cancel may come from another
   * process while it runs). Idempotent: both may call it. What only a run knows (a bucket upload
   * under way, the receiver of a send) its run undoes as the cancel stops it.
   */
  discard?(job: JobRow, lib: Library): Promise<void>;
}

/**
 * KIND's `discard` of the cancelled JOB: best effort, as a cancel cannot be undone (what could
 * not be removed is logged; the job stays cancelled).
 */
export async function discardCancelled(kind: JobKind | undefined, job: JobRow, lib: Library): Promise<void> {
  if (!kind?.discard) return;
  try {
    await kind.discard(job, lib);
  } catch (err) {
    log.warn({ err, job: job.id, kind: job.kind }, 'what a cancelled job left could not all be removed');
  }
}

/** The kinds a runner knows, by name. */
export class JobKinds {
  private readonly kinds = new Map<string, JobKind>();

  constructor(kinds: Iterable<JobKind> = []) {
    for (const k of kinds) this.register(k);
  }

  register(kind: JobKind): this {
    this.kinds.set(kind.name, kind);
    return this;
  }

  get(name: string): JobKind | undefined {
    return this.kinds.get(name);
  }

  names(): string[] {
    return [...this.kinds.keys()];
  }

  all(): JobKind[] {
    return [...this.kinds.values()];
  }

  /** Kind → the kind it is made from when ready (`JobKind.after`), for a claim to let it wait. */
  after(): Map<string, string> {
    const out = new Map<string, string>();
    for (const k of this.kinds.values()) if (k.after !== undefined) out.set(k.name, k.after);
    return out;
  }
}
