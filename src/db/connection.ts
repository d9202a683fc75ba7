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
  guardTransactions(db);
  return db;
}
