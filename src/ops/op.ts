import type { JobKind } from '../jobs/job-kind.js';
import type { JobRow } from '../jobs/states.js';
import type { Library } from '../library/library.js';
import type { PeerLink } from '../sync/peer-link.js';
import type { ActionOp } from '../wire/actions.js';
import type { OpPreview } from '../wire/preview.js';

/** The daemon's network as a durable operation's job uses it: streams to paired devices, and whether it is still coming up. */
export type OpNetwork = Required<Pick<PeerLink, 'connected' | 'open'>> & Pick<PeerLink, 'settling' | 'redial'>;

/**
 * Where a durable operation runs: one library, this installation's data dir, and the daemon's
 * network while the library is linked to its paired devices (never in a process without the
 * daemon). The library API is given one when it is made; every runner of jobs is given the same.
 */
export interface OpHost {
  readonly lib: Library;
  readonly dataDir: string;
  network(): OpNetwork | undefined;
}

/** How a call of an operation goes (the one facade contract, `perform` in facade.ts). */
export interface OpCall {
  /** Queue the job and answer at once, without waiting for it (refused where the job could not run). */
  detach?: boolean;
  /** Stops waiting (the job goes on where a daemon works the queue; in this process it stops, to resume later). */
  signal?: AbortSignal;
  /** Hears the job's id as soon as it is queued. */
  onQueued?: (jobId: number) => void;
}

/** What a call of an operation answers: its job (ended, unless detached) and its result; or, done at once without a job, the result. */
export type Performed<R> = { job: JobRow; result: R | null } | { job: null; result: R };

/**
 * What `plan` decided, every refusal already thrown: a job to queue, or where no queue can take
 * it now (no daemon), the work done at once within the call; and how much it covers (for the
 * action log).
 */
export type Plan<R> = ({ queue(): JobRow } | { now(signal: AbortSignal | undefined): Promise<R> }) & { size: PlanSize };

/** The files (folders' files counted) and bytes a plan covers. */
export interface PlanSize {
  files: number;
  bytes: number;
}

/** What the user asked, as they named it, for the action log: the sources (paths, content ids) and where to (null: nowhere, a delete). */
export interface Asked {
  sources: readonly string[];
  target: string | null;
}

/**
 * A durable user operation (a transfer, files delete, a scrub, a check of the buckets): jobs of
 * its kinds that survive a kill -9 or a restart and resume. I: what the user asked; R: what it
 * made; P: its plan as a dry run shows it.
 */
export interface DurableOp<I, R, P = OpPreview> {
  /** Its name in the registry (ops/registry.ts). */
  readonly name: string;
  /** What the action log calls INPUT (every durable operation changes files or copies: each is logged). */
  action: ActionOp | ((input: I) => ActionOp);
  /** INPUT as the action log names it (also when `plan` refuses it). */
  asked(input: I): Asked;
  /**
   * Check INPUT against the world as it is now and refuse at once (before anything is queued)
   * what cannot work; DETACH: the caller will not wait.
   */
  plan(host: OpHost, input: I, call: { detach: boolean }): Plan<R> | Promise<Plan<R>>;
  /**
   * INPUT planned by the same checks as `plan` and shown, not run (`--dry-run`): nothing queued,
   * nothing logged (ops/preview.ts); asynchronous where the plan must ask (a bucket's listing).
   * Absent where the operation offers no preview: a dry run of it is refused.
   */
  preview?(host: OpHost, input: I): P | Promise<P>;
  /** Its job kinds: what runs its jobs, on HOST; ONLY: those a runner takes (the others are not loaded). */
  kinds(host: OpHost, only?: (kind: string) => boolean): JobKind[] | Promise<JobKind[]>;
  /** The result of its job JOB, ended; a cancel or a failure thrown as this operation says it. */
  result(job: JobRow): R | Promise<R>;
}

/**
 * One way of the transfer (ops/transfer/strategies.ts): how verified bytes go from one kind of
 * storage to another for what was asked, as a job of its own kind (its name). The transfer
 * (ops/transfer/transfer.ts) is the durable operation: it names what was asked for the action
 * log, picks the way, and hands it the input.
 */
export interface Way<I, R, P = OpPreview> {
  /** Its job kind's name, as stored in the jobs table (a job queued by an older vss resumes by it). */
  readonly name: string;
  plan(host: OpHost, input: I, call: { detach: boolean }): Plan<R>;
  preview?(host: OpHost, input: I): P | Promise<P>;
  kind(host: OpHost): JobKind;
  result(job: JobRow): R;
}
