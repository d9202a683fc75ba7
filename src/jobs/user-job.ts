import { VssError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import type { NewFileOpItem } from '../store/file-op-items.js';
import { FOREGROUND_PRIORITY } from './schedule.js';
import type { JobRow } from './states.js';

/** A job a user asked for, as its operation queues it: of no one content (so no two ever join), its work listed in ITEMS where it has them. */
export interface UserJob {
  kind: string;
  maxAttempts: number;
  bytes: number;
  params: string;
  items?: readonly NewFileOpItem[];
}

/**
 * JOB queued as a user's request, ahead of the background work, with its items, in one
 * transaction: the one way a transfer's or a file operation's job is queued (WHAT names it in the
 * error, should it not be).
 */
export function queueUserJob(lib: Library, job: UserJob, what: string): JobRow {
  const store = lib.store;
  return store.immediate(() => {
    const queued = store.jobs.enqueueUrgent({ kind: job.kind, contentUuid: null, priority: FOREGROUND_PRIORITY, maxAttempts: job.maxAttempts, bytes: job.bytes, params: job.params });
    const id = store.fileOpItems.lastInsertedId();
    const row = queued ? store.jobs.get(id) : undefined;
    if (!row || row.kind !== job.kind) throw new VssError('IO', `${what} could not be queued`);
    if (job.items) store.fileOpItems.addMany(id, job.items);
    return row;
  });
}
