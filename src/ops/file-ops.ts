import { UsageError, VssError } from '../core/errors.js';
import type { JobKind } from '../jobs/job-kind.js';
import { FOREGROUND_PRIORITY } from '../jobs/schedule.js';
import type { JobRow } from '../jobs/states.js';
import { DEFAULT_ON_CONFLICT, isOnConflict, kindOf, ON_CONFLICT, type FileOp, type FileOpResult } from '../files/file-op.js';
import { fileOpTimeoutMs, runFileOp } from '../files/file-op-job.js';
import { planDelete, plannedFiles, planTransfer, type LastCopy, type PlannedOp } from '../files/plan.js';
import type { DurableOp, OpHost, Plan } from './op.js';

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
}

/** A delete as asked: PATHS (absolute), for good. */
export interface DeleteInput {
  paths: string[];
  /** Delete even a file that is the last copy of its content in the library. */
  force?: boolean;
}

/** `files copy` or `files move` (DESIGN §17): the sources checked and listed item by item before the job is queued. */
export function transferOp(op: 'copy' | 'move'): DurableOp<TransferInput, FileOpResult | null> {
  return {
    ...fileOpParts(op),
    // A folder to copy into is named as the user wrote it: with its trailing '/'.
    asked: (input) => ({ sources: input.srcs, target: input.into === true && !input.dst.endsWith('/') ? `${input.dst}/` : input.dst }),
    plan(host, input) {
      const onConflict = input.onConflict ?? DEFAULT_ON_CONFLICT;
      if (!isOnConflict(onConflict)) throw new UsageError(`--on-conflict must be one of ${ON_CONFLICT.join(', ')}`);
      return queued(host, op, planTransfer(host.lib, op, input.srcs, input.dst, onConflict, input.into === true));
    },
  };
}

/** `files delete` (DESIGN §17): a file that is the last copy of its content is refused without `force`. */
export function deleteOp(): DurableOp<DeleteInput, FileOpResult | null> {
  return {
    ...fileOpParts('delete'),
    asked: (input) => ({ sources: input.paths, target: null }),
    plan(host, input) {
      const plan = planDelete(host.lib, input.paths);
      if (plan.lastCopies.length > 0 && !input.force) throw lastCopyRefusal(plan.lastCopies);
      return queued(host, 'delete', plan);
    },
  };
}

/** What the three file operations share: their kind (one run for all three), and how their result reads. */
function fileOpParts(op: FileOp): Omit<DurableOp<unknown, FileOpResult | null>, 'plan' | 'asked'> {
  const name = kindOf(op);
  return {
    name,
    action: op,
    kind: (host: OpHost): JobKind => ({ name, concurrency: 2, timeoutMs: fileOpTimeoutMs, run: (job, ctx) => runFileOp(host.lib, job, ctx) }),
    result(row: JobRow): FileOpResult | null {
      if (row.status === 'completed') return row.result !== null ? (JSON.parse(row.result) as FileOpResult) : null;
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

function lastCopyRefusal(last: readonly LastCopy[]): VssError {
  const shown = last.slice(0, 10).map((l) => `content ${l.content_uuid} (${l.path})`).join('; ');
  const more = last.length > 10 ? ` and ${last.length - 10} more` : '';
  return new VssError('WRONG_STATE', `refused: ${last.length === 1 ? 'this is' : 'these are'} the last copy in the library of ${shown}${more}; deleting is for good (no trash). Add --force to delete anyway`);
}
