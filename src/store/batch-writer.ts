import type { Db } from '../db/connection.js';
import { stoppedError, stopRequested } from '../db/stop-request.js';

/**
 * Writes gathered in memory and made together, in one synchronous transaction, once there are
 * MAXOPS of them or the first has waited MAXMS. A long run of writes (a scan's entries and
 * identities, a pull's pages) keeps few commits, which keeps it fast (its indexes are keyed by
 * random ids: each commit rewrites pages all over), and a kill loses at most the writes gathered
 * and not yet made, which the scan or pull that gathered them does again.
 *
 * No transaction is held between the writes, so none is open while the event loop turns (DESIGN
 * §19): the daemon's other writes (a `meta set`, a job's bookkeeping) are never made inside a
 * batch that a kill or an error would roll back. A gathered write must not depend on another
 * gathered one having been made: the database shows them only once the batch is.
 */
export class BatchWriter {
  private gathered: Array<() => void> = [];
  private ops = 0;
  private since = 0;

  /** One write whole or not at all, inside the batch's transaction (a savepoint). */
  private readonly whole: (write: () => void) => void;
  /** The gathered writes in one transaction: those before a failing one kept, its error returned. */
  private readonly inOne: (writes: ReadonlyArray<() => void>) => { err: unknown } | undefined;

  constructor(private readonly db: Db, private readonly maxOps = 5000, private readonly maxMs = 300) {
    // Made once: a scan flushes a batch of listings at a time, a thousand times in a rescan.
    this.whole = db.transaction((write: () => void) => write());
    this.inOne = db.transaction((writes: ReadonlyArray<() => void>) => {
      if (writes.length === 1) {
        // Alone, the transaction is its savepoint: a failure rolls it back whole and is thrown.
        writes[0]!();
        return undefined;
      }
      for (const write of writes) {
        try {
          this.whole(write);
        } catch (err) {
          return { err };
        }
      }
      return undefined;
    });
  }

  /** How many writes wait to be made. */
  get pending(): number {
    return this.gathered.length;
  }

  /**
   * Gather WRITE (worth N writes) for the batch, and make the batch when it is full or old. True
   * when it was made now, so the caller may tell of progress. When a stop was asked of this
   * database, make what there is and end the work with `stoppedError()`.
   */
  add(write: () => void, n = 1): boolean {
    if (this.gathered.length === 0) this.since = Date.now();
    this.gathered.push(write);
    this.ops += n;
    return this.maybeFlush();
  }

  /** Make the batch when it is full or old (or a stop was asked: then end with `stoppedError()`); whether it was made. */
  maybeFlush(): boolean {
    if (stopRequested(this.db)) {
      this.flush();
      throw stoppedError();
    }
    if (this.gathered.length === 0) return false;
    if (this.ops < this.maxOps && Date.now() - this.since < this.maxMs) return false;
    this.flush();
    return true;
  }

  /**
   * Make every gathered write now, in the order gathered, in one transaction, each whole or not at
   * all (a savepoint of its own). When one throws, those before it are committed, it and those
   * after it are not made, and its error is thrown.
   */
  flush(): void {
    if (this.gathered.length === 0) return;
    const writes = this.gathered;
    this.gathered = [];
    this.ops = 0;
    const failed = this.inOne(writes);
    if (failed) throw failed.err;
  }

  /**
   * For work whose next step needs the last one's writes (a folder's listing names the folders to
   * list next): what is gathered is made first, then STEP runs again and again in one transaction
   * until it says nothing is left (undefined; else the writes it was worth) or the batch is full or
   * old. True when steps are left: the caller lets the event loop turn and calls again. A step that
   * throws undoes the steps of this call. When a stop was asked, ends with `stoppedError()` once
   * the steps made are committed.
   */
  steps(step: () => number | undefined): boolean {
    this.flush();
    let more = true;
    const started = Date.now();
    let ops = 0;
    this.db.transaction(() => {
      while (ops < this.maxOps && Date.now() - started < this.maxMs) {
        const n = step();
        if (n === undefined) {
          more = false;
          return;
        }
        ops += n;
      }
    })();
    if (stopRequested(this.db)) throw stoppedError();
    return more;
  }

  /** Forget the gathered writes: none of them is made. */
  discard(): void {
    this.gathered = [];
    this.ops = 0;
  }
}

export const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));
