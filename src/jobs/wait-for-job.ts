import { VssError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import type { JobRow } from './states.js';

const ENDED = new Set<JobRow['status']>(['completed', 'failed', 'cancelled']);
/** Looked at this often besides the events: a job run by another process says nothing on this bus. */
const LOOK_EVERY_MS = 1000;

/**
 * Resolves with job ID's row once it has ended (completed, failed or cancelled); a paused job
 * is waited for (it may be resumed). SIGNAL stops waiting (the job goes on): rejects with its reason.
 */
export function jobEnded(lib: Library, id: number, signal?: AbortSignal): Promise<JobRow> {
  return new Promise<JobRow>((resolve, reject) => {
    const look = (): boolean => {
      const row = lib.store.jobs.get(id);
      if (!row) {
        finish();
        reject(new VssError('NOT_FOUND', `job ${id} is gone`));
        return true;
      }
      if (!ENDED.has(row.status)) return false;
      finish();
      resolve(row);
      return true;
    };
    const off = lib.events.on('jobs:job', (j) => {
      if (j.id === id && ENDED.has(j.status)) look();
    });
    const timer = setInterval(look, LOOK_EVERY_MS);
    const onAbort = () => {
      finish();
      reject(signal!.reason instanceof Error ? signal!.reason : new Error('stopped waiting'));
    };
    function finish(): void {
      off();
      clearInterval(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    look();
  });
}

/**
 * The result of JOB, ended: its `result` when it completed; a cancel or a failure as an error
 * that names WHAT ("the copy", "the send"). A transfer's says what of it is KEPT once cancelled
 * ("the copies finished are kept"), and fails as an IO error (its files), not as a device away.
 */
export function endedResult<T extends object>(job: JobRow, what: string, kept?: string): T {
  if (job.status === 'completed' && job.result !== null) return JSON.parse(job.result) as T;
  if (job.status === 'cancelled') throw new VssError('WRONG_STATE', `${what} (job ${job.id}) was cancelled${kept !== undefined ? `; ${kept}` : ''}`);
  throw new VssError(kept !== undefined ? 'IO' : 'UNAVAILABLE', `${what} (job ${job.id}) failed: ${job.error ?? 'no reason given'}`);
}

/** A job's `params` as JSON, or undefined when absent, longer than MAXCHARS or not JSON: its kind then checks the shape. */
export function paramsJson(job: Pick<JobRow, 'params'>, maxChars: number): unknown {
  if (job.params === null || job.params.length > maxChars) return undefined;
  try {
    return JSON.parse(job.params);
  } catch {
    return undefined;
  }
}
