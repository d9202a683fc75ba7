import type { Db } from '../db/connection.js';
import { stoppedError, stopRequested } from '../db/stop-request.js';

/**
 * Groups writes into transactions of bounded size and age. Committing often keeps a killed
 * scan's work; committing in batches keeps writes fast. Between batches the event loop runs,
 * so progress is drawn and signals are handled.
 */
export class BatchWriter {
  private open = false;
  private ops = 0;
  private startedAt = 0;

  constructor(private readonly db: Db, private readonly maxOps = 5000, private readonly maxMs = 300) {}

  /** Count one write, opening a transaction if none is open. */
  touch(n = 1): void {
    if (!this.open) {
      this.db.exec('BEGIN');
      this.open = true;
      this.ops = 0;
      this.startedAt = Date.now();
    }
    this.ops += n;
  }

  /**
   * Commit when the batch is full or old; true when it did, so the caller may yield. When a stop
   * was asked of this database, commit what there is and end the work with `stoppedError()`.
   */
  maybeCommit(): boolean {
    if (stopRequested(this.db)) {
      this.commit();
      throw stoppedError();
    }
    if (!this.open) return false;
    if (this.ops < this.maxOps && Date.now() - this.startedAt < this.maxMs) return false;
    this.commit();
    return true;
  }

  commit(): void {
    if (!this.open) return;
    this.db.exec('COMMIT');
    this.open = false;
  }

  rollback(): void {
    if (!this.open) return;
    this.db.exec('ROLLBACK');
    this.open = false;
  }
}

export const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));
