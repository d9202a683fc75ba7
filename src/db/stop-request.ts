import { VssError } from '../core/errors.js';
import type { Db } from './connection.js';

/**
 * A stop asked of the long writes on a database (a daemon shutting down): each batch of a scan
 * checks it, commits what it has and ends with `stoppedError()`, so the database is never
 * closed under a scan that is still writing.
 */
const stopping = new WeakSet<Db>();

export function requestStop(db: Db): void {
  stopping.add(db);
}

export function stopRequested(db: Db): boolean {
  return stopping.has(db);
}

/** What an operation a daemon's stop cut short answers (its work so far is committed). */
export function stoppedError(cause?: unknown): VssError {
  return new VssError('IO', 'the daemon stopped before this finished: what was done is kept, and the rest is done when it starts again', cause === undefined ? {} : { cause });
}
