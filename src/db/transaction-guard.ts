import type { Database } from 'better-sqlite3';
import { childLog } from '../core/log.js';

const log = childLog('db');

/** Statements that may open a transaction (a SAVEPOINT outside one opens one). */
const OPENS = /^\s*(BEGIN|SAVEPOINT)\b/i;

/** What the guard does with a transaction it finds left open: told where it began. */
export type LeftOpen = (begun: string) => void;

/**
 * Whether a transaction left open is an error that stops the process (tests: `VSS_STRICT_TX=1`,
 * set by `npm test` and inherited by the daemons and CLIs a test starts) or is logged.
 */
export const strictTransactions = (): boolean => process.env.VSS_STRICT_TX === '1';

/** A transaction found open at the end of the synchronous run that began it. */
export class TransactionLeftOpen extends Error {
  constructor(readonly begun: string) {
    super(`a database transaction was left open across an await (committed now); it began ${begun}`);
    this.name = 'TransactionLeftOpen';
  }
}

/**
 * No transaction is open while the event loop turns (DESIGN §19: an answer the API gives is a
 * committed fact). The daemon has one connection per library: a transaction held across an
 * `await` takes in every write made meanwhile (a `meta set`, a job's bookkeeping), which the CLI
 * is told is done and a kill then rolls back. So a statement that opens a transaction queues a
 * check that runs when the synchronous run that opened it ends (a microtask runs exactly then,
 * before any await's continuation); a transaction still open there is committed (a write answered
 * must be kept) and reported: LEFTOPEN (default: thrown when strict, so a test fails loudly;
 * else logged as the bug it is).
 *
 * better-sqlite3's own transactions (`db.transaction(fn)`, `Stores.transaction`) are synchronous
 * and refuse a function that returns a promise; they open theirs through statements of their own
 * that pass no method seen here, and always close them before returning.
 */
export function guardTransactions(db: Database, leftOpen: LeftOpen = reportLeftOpen): void {
  let queued = false;
  let begun = '';
  const check = (): void => {
    queued = false;
    if (!db.open || !db.inTransaction) return;
    exec('COMMIT');
    leftOpen(begun);
  };
  const opened = (): void => {
    if (queued) return;
    queued = true;
    begun = whereFrom(new Error().stack);
    queueMicrotask(check);
  };

  const exec = db.exec.bind(db);
  db.exec = ((sql: string) => {
    const before = db.inTransaction;
    exec(sql);
    if (!before && db.inTransaction) opened();
    return db;
  }) as typeof db.exec;

  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    const st = prepare(sql);
    if (!OPENS.test(sql)) return st;
    const run = st.run.bind(st);
    st.run = ((...args: unknown[]) => {
      const before = db.inTransaction;
      const r = run(...args);
      if (!before && db.inTransaction) opened();
      return r;
    }) as typeof st.run;
    return st;
  }) as typeof db.prepare;
}

function reportLeftOpen(begun: string): void {
  const err = new TransactionLeftOpen(begun);
  if (strictTransactions()) throw err;
  log.error({ err }, 'a database transaction was left open across an await; committed it (a bug: every write is made in one synchronous run)');
}

/** The caller's frames of STACK (this module's own left out). */
function whereFrom(stack: string | undefined): string {
  const frames = (stack ?? '').split('\n').slice(1).map((l) => l.trim()).filter((l) => !l.includes(import.meta.url));
  return frames.slice(0, 8).join(' ← ') || '(no stack)';
}
