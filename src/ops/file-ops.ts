import { UsageError, VssError } from '../core/errors.js';
import type { JobKind } from '../jobs/job-kind.js';
import { FOREGROUND_PRIORITY } from '../jobs/schedule.js';
import type { JobRow } from '../jobs/states.js';
import { paramsJson } from '../jobs/wait-for-job.js';
import { DEFAULT_ON_CONFLICT, isOnConflict, kindOf, MAX_PARAMS_CHARS, ON_CONFLICT, type FileOp, type FileOpResult } from '../files/file-op.js';
import { fileOpTimeoutMs, runFileOp } from '../files/file-op-job.js';
import { planDelete, plannedFiles, planTransfer, type PlannedOp } from '../files/plan.js';
import { belowPolicy, policyRefusal } from '../guardian/guard.js';
import type { GuardianBelowPolicy } from '../wire/guardian.js';
import type { DurableOp, OpHost, Plan } from './op.js';
import { previewOf } from './file-op-preview.js';

/** Tries before a file operation fails for good (a drive away waits without spending one). */
const MAX_ATTEMPTS = 5;

/** A copy or move as asked: SRCS (absolute paths) to DST. */
export interface TransferInput {
  srcs: string[];
  dst: string;
  /** What to do when a target name is taken (default keep-both: nothing is overwritten). */
  onConflict?: string;
  /** DST is a folder to copy into, made when it is not there (a trailing `/` on the command line). */
  into?: boolean;
  /** Move (or replace) even what leaves a content below its policy. */
  force?: boolean;
}

/** A delete as asked: PATHS (absolute), for good. */
export interface DeleteInput {
  paths: string[];
  /** Delete even what leaves a content below its policy (its last copy too). */
  force?: boolean;
}

/** `files copy` or `files move` (DESIGN §17): the sources checked and listed item by item before the job is queued. */
export function transferOp(op: 'copy' | 'move'): DurableOp<TransferInput, FileOpResult | null> {
  const planned = (host: OpHost, input: TransferInput): PlannedOp => {
    const onConflict = input.onConflict ?? DEFAULT_ON_CONFLICT;
    if (!isOnConflict(onConflict)) throw new UsageError(`--on-conflict must be one of ${ON_CONFLICT.join(', ')}`);
    return planTransfer(host.lib, op, input.srcs, input.dst, onConflict, input.into === true);
  };
  return {
    ...fileOpParts(op),
    // A folder to copy into is named as the user wrote it: with its trailing '/'.
    asked: (input) => ({ sources: input.srcs, target: input.into === true && !input.dst.endsWith('/') ? `${input.dst}/` : input.dst }),
    plan: (host, input) => queued(host, op, guarded(host, op, planned(host, input), input.force === true)),
    preview: (host, input) => previewOf(host.lib, op, planned(host, input)),
  };
}

/** `files delete` (DESIGN §17): what leaves a content below its policy (its last copy too) is refused without `force`. */
export function deleteOp(): DurableOp<DeleteInput, FileOpResult | null> {
  return {
    ...fileOpParts('delete'),
    asked: (input) => ({ sources: input.paths, target: null }),
    plan: (host, input) => queued(host, 'delete', guarded(host, 'delete', planDelete(host.lib, input.paths), input.force === true)),
    preview: (host, input) => previewOf(host.lib, 'delete', planDelete(host.lib, input.paths)),
  };
}

/**
 * PLAN refused when it leaves a content below its policy (guardian/guard.ts), unless FORCE: then
 * the contents it leaves short travel in the job's params, and its result names them.
 */
function guarded(host: OpHost, op: FileOp, plan: PlannedOp, force: boolean): PlannedOp {
  const below = belowPolicy(host.lib, plan.leaving);
  if (below.length === 0) return plan;
  if (!force) throw policyRefusal(op, below);
  // Named within a budget of the job's params, which a job must be able to read back whole.
  const named: GuardianBelowPolicy[] = [];
  let chars = JSON.stringify(plan.params).length;
  for (const b of below.slice(0, MAX_NAMED_BELOW)) {
    chars += JSON.stringify(b).length + 1;
    if (chars > MAX_PARAMS_CHARS / 2) break;
    named.push(b);
  }
  return { ...plan, params: { ...plan.params, forced_below: named } };
}

/** Contents below their policy a forced operation's job keeps by name. */
const MAX_NAMED_BELOW = 50;

/** What the three file operations share: their kind (one run for all three), and how their result reads. */
function fileOpParts(op: FileOp): Omit<DurableOp<unknown, FileOpResult | null>, 'plan' | 'asked'> {
  const name = kindOf(op);
  return {
    name,
    action: op,
    kind: (host: OpHost): JobKind => ({ name, concurrency: 2, timeoutMs: fileOpTimeoutMs, run: (job, ctx) => runFileOp(host.lib, job, ctx) }),
    result(row: JobRow): FileOpResult | null {
      if (row.status === 'completed') return row.result !== null ? withForced(JSON.parse(row.result) as FileOpResult, row) : null;
      if (row.status === 'cancelled') throw new VssError('WRONG_STATE', `the file operation (job ${row.id}) was cancelled; what was finished is kept`);
      throw new VssError('IO', `the file operation (job ${row.id}) failed: ${row.error ?? 'no reason given'}`);
    },
  };
}

/** PLAN queued as a user's request (ahead of the background work): the job and its items, in one transaction. */
function queued<R>(host: OpHost, op: FileOp, plan: PlannedOp): Plan<R> {
  return {
    size: { files: plannedFiles(plan.items), bytes: plan.bytes },
    queue() {
      const store = host.lib.store;
      return store.immediate(() => {
        store.jobs.enqueueUrgent({ kind: kindOf(op), contentUuid: null, priority: FOREGROUND_PRIORITY, maxAttempts: MAX_ATTEMPTS, bytes: plan.bytes, params: JSON.stringify(plan.params) });
        const id = store.fileOpItems.lastInsertedId();
        store.fileOpItems.addMany(id, plan.items);
        const row = store.jobs.get(id);
        if (!row || row.kind !== kindOf(op)) throw new VssError('IO', `the ${op} could not be queued`);
        return row;
      });
    },
  };
}

/** RESULT with the contents its job was forced to leave below their policy, as its params kept them. */
function withForced(result: FileOpResult, row: JobRow): FileOpResult {
  const forced = (paramsJson(row, MAX_PARAMS_CHARS) as { forced_below?: unknown } | undefined)?.forced_below;
  return Array.isArray(forced) && forced.length > 0 ? { ...result, below_policy: forced as GuardianBelowPolicy[] } : result;
}
