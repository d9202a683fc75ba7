import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/** A `sync_meta` row: one fact of this database's numbering for peers (`epoch`, `seq`). */
export interface SyncMetaRecord {
  key: string;
  value: string;
}

/**
 * The `sync_meta` table (DESIGN §9): this database's `epoch` (a uuid that changes when the database
 * is replaced, so peers ask for the full set again) and its change counter `seq`.
 */
export class SyncMetaStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  get(key: string): string | undefined {
    return this.sql<[string], string>('SELECT value FROM sync_meta WHERE key = ?').pluck().get(key);
  }

  /** Write KEY unless it is there already. */
  setIfAbsent(key: string, value: string): void {
    this.sql<[string, string]>('INSERT INTO sync_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING').run(key, value);
  }

  set(key: string, value: string): void {
    this.sql<[string, string]>('INSERT INTO sync_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** The last change number given (0 before the first). */
  seq(): number {
    return Number(this.get('seq') ?? 0);
  }

  /** The next change number: the counter bumped, in the caller's transaction. */
  nextSeq(): number {
    return this.nextSeqStatement().get()!;
  }

  /** The counter's bump as one statement, for a store that numbers many rows in a loop. */
  nextSeqStatement(): Statement<[], number> {
    return this.sql<[], number>(
      `INSERT INTO sync_meta (key, value) VALUES ('seq', '1') ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1
       RETURNING CAST(value AS INTEGER)`,
    ).pluck();
  }
}
