import Database from 'better-sqlite3';
import { VssError } from '../core/errors.js';
import { guardTransactions } from './transaction-guard.js';

export type Db = Database.Database;

/**
 * Open the library database. WAL lets readers and the writer overlap; synchronous=NORMAL in WAL
 * keeps the database consistent across a killed process (a power cut may lose the last commits,
 * never corrupt). Foreign keys enforce the entry tree. No transaction may stay open while the
 * event loop turns (`guardTransactions`).
 */
export function openDatabase(path: string): Db {
  let db: Db;
  try {
    db = new Database(path);
  } catch (err) {
    throw new VssError('LIBRARY_INVALID', `cannot open the library database: ${(err as Error).message}`, { path, cause: err });
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -32000');
  db.pragma('temp_store = MEMORY');
  db.pragma(`wal_autocheckpoint = ${CHECKPOINT_PAGES}`);
  // A WAL grown while its checkpoints lag (checkpointer.ts) is cut back once checkpointed, not kept at its peak.
  db.pragma(`journal_size_limit = ${WAL_KEPT_BYTES}`);
  guardTransactions(db);
  return db;
}

/** SQLite's own: the commit that takes the WAL past this many pages copies them into the database (and fsyncs both). */
export const CHECKPOINT_PAGES = 1000;
const WAL_KEPT_BYTES = 64 * 1024 * 1024;
