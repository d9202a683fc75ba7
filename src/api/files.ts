import { UsageError, VssError } from '../core/errors.js';
import type { JobKind } from '../jobs/job-kind.js';
import type { JobRow } from '../jobs/states.js';
import type { Library } from '../library/library.js';
import { DEFAULT_ON_CONFLICT, isOnConflict, kindOf, ON_CONFLICT, type FileOp, type FileOpOutcome, type FileOpResult, type OnConflict } from '../files/file-op.js';
import type { LastCopy, PlannedOp } from '../files/plan.js';
import type { LibraryContext } from './library-api.js';

export type { FileOpOutcome, FileOpResult, LastCopy, OnConflict };
export { ON_CONFLICT, DEFAULT_ON_CONFLICT };

/** Tries before a file operation fails for good (a drive away waits without spending one). */
const MAX_ATTEMPTS = 5;

export interface TransferOptions {
  /** What to do when a target name is taken (default keep-both: nothing is overwritten). */
  onConflict?: string;
  /** DST is a folder to copy into, made when it is not there (a trailing `/` on the command line). */
  into?: boolean;
  /** Queue the job and answer at once, without waiting for it. */
  detach?: boolean;
  /** Stops waiting (the job goes on where a daemon works the queue; in this process it stops, to resume later). */
  signal?: AbortSignal;
  /** Hears the job's id as soon as it is queued. */
  onQueued?: (jobId: number) => void;
}

export interface DeleteOptions extends Omit<TransferOptions, 'onConflict'> {
  /** Delete even a file that is the last copy of its content in the library. */
  force?: boolean;
}

/**
 * File operations (DESIGN §17): copy, move and delete files and folders of this device's
 * locations, each one durable job (`files-copy|move|delete`) that verifies every copy by a full
 * BLAKE3 before a move removes its source, resumes after a kill -9 or a restart, and updates the
 * index itself. Through a daemon its job work runs them; in this process (no daemon) the call
 * runs the job here, and a job left by a killed run is taken up by the next one.
 */
export class FilesApi {
  constructor(private readonly lib: Library, private readonly ctx: LibraryContext) {}

  /** Copy SRCS (absolute paths) to DST: into it when it is a folder, else as its new name. */
  copy(srcs: string[], dst: string, opts: TransferOptions = {}): Promise<FileOpOutcome> {
    return this.transfer('copy', srcs, dst, opts);
  }

  /** Move SRCS to DST: a rename within one filesystem, else copied, verified, flushed, then the source removed. */
  move(srcs: string[], dst: string, opts: TransferOptions = {}): Promise<FileOpOutcome> {
    return this.transfer('move', srcs, dst, opts);
  }

  /** Delete PATHS for good (there is no trash); a file that is the last copy of its content is refused without `force`. */
  async delete(paths: string[], opts: DeleteOptions = {}): Promise<FileOpOutcome> {
    const { planDelete } = await import('../files/plan.js');
    const plan = planDelete(this.lib, paths);
    if (plan.lastCopies.length > 0 && !opts.force) throw lastCopyRefusal(plan.lastCopies);
    return this.start('delete', plan, opts);
  }

  /** The job kinds of file operations, for the daemon's job work. */
  async jobKinds(): Promise<JobKind[]> {
    const { fileOpKinds } = await import('../files/file-op-job.js');
    return fileOpKinds(this.lib);
  }

  private async transfer(op: 'copy' | 'move', srcs: string[], dst: string, opts: TransferOptions): Promise<FileOpOutcome> {
    const onConflict = opts.onConflict ?? DEFAULT_ON_CONFLICT;
    if (!isOnConflict(onConflict)) throw new UsageError(`--on-conflict must be one of ${ON_CONFLICT.join(', ')}`);
    const { planTransfer } = await import('../files/plan.js');
    return this.start(op, planTransfer(this.lib, op, srcs, dst, onConflict, opts.into === true), opts);
  }

  private async start(op: FileOp, plan: PlannedOp, opts: TransferOptions): Promise<FileOpOutcome> {
    const [{ FOREGROUND_PRIORITY }] = await Promise.all([import('../jobs/schedule.js')]);
    const store = this.lib.store;
    const job = store.immediate(() => {
      store.jobs.enqueueUrgent({ kind: kindOf(op), contentUuid: null, priority: FOREGROUND_PRIORITY, maxAttempts: MAX_ATTEMPTS, bytes: plan.bytes, params: JSON.stringify(plan.params) });
      const id = store.fileOpItems.lastInsertedId();
      store.fileOpItems.addMany(id, plan.items);
      const row = store.jobs.get(id);
      if (!row || row.kind !== kindOf(op)) throw new VssError('IO', `the ${op} could not be queued`);
      return row;
    });
    opts.onQueued?.(job.id);
    if (opts.detach) return { job, result: null };
    return this.outcome(await this.runUntilEnded(job.id, opts.signal));
  }

  /** Wait for job ID to end: where a daemon works the queue, it runs it; else it runs here, with the file kinds only. */
  private async runUntilEnded(id: number, signal: AbortSignal | undefined): Promise<JobRow> {
    const [{ jobWorkOf }, { jobEnded }] = await Promise.all([import('../jobs/job-work.js'), import('../jobs/wait-for-job.js')]);
    if (jobWorkOf(this.lib)) return jobEnded(this.lib, id, signal);
    const [{ runJobs }, { JobKinds }] = await Promise.all([import('../jobs/run-jobs.js'), import('../jobs/job-kind.js')]);
    const stop = new AbortController();
    const onAbort = () => stop.abort(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const runner = runJobs(this.lib, { dataDir: this.ctx.dataDir, kinds: new JobKinds(await this.jobKinds()), signal: stop.signal, nice: false, pollMs: 500 });
    try {
      return await Promise.race([
        jobEnded(this.lib, id, stop.signal),
        // The runner ends only when stopped; ended early, it broke: say so rather than wait for ever.
        runner.then(() => { throw new VssError('IO', `the job runner stopped before job ${id} ended`); }),
      ]);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (!stop.signal.aborted) stop.abort(new Error('the file operation ended'));
      await runner.catch(() => undefined);
    }
  }

  private outcome(row: JobRow): FileOpOutcome {
    if (row.status === 'completed') return { job: row, result: row.result !== null ? (JSON.parse(row.result) as FileOpResult) : null };
    if (row.status === 'cancelled') throw new VssError('WRONG_STATE', `the file operation (job ${row.id}) was cancelled; what was finished is kept`);
    throw new VssError('IO', `the file operation (job ${row.id}) failed: ${row.error ?? 'no reason given'}`);
  }
}

function lastCopyRefusal(last: readonly LastCopy[]): VssError {
  const shown = last.slice(0, 10).map((l) => `content ${l.content_uuid} (${l.path})`).join('; ');
  const more = last.length > 10 ? ` and ${last.length - 10} more` : '';
  return new VssError('WRONG_STATE', `refused: ${last.length === 1 ? 'this is' : 'these are'} the last copy in the library of ${shown}${more}; deleting is for good (no trash). Add --force to delete anyway`);
}
