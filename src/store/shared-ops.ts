import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/** A `shared_ops` row: one operation on shared data (JSON), numbered in the order it arrived here. */
export interface SharedOpRecord {
  seq: number;
  hlc: string;
  op: string;
  received_at: number;
}

/** The `shared_ops` table: this device's log of the operations it made or took in (migration 017). */
export class SharedOpStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  /** Log the operation stamped HLC unless it is logged already. Whether it is new here. */
  append(hlc: string, op: string, now = Date.now()): boolean {
    return this.sql<[string, string, number]>('INSERT OR IGNORE INTO shared_ops (hlc, op, received_at) VALUES (?, ?, ?)').run(hlc, op, now).changes > 0;
  }

  /** Whether the operation stamped HLC is logged here. */
  has(hlc: string): boolean {
    return this.sql<[string], number>('SELECT 1 FROM shared_ops WHERE hlc = ?').pluck().get(hlc) !== undefined;
  }

  /** Up to LIMIT operations that arrived after SEQ, in arrival order. */
  since(seq: number, limit: number): SharedOpRecord[] {
    return this.sql<[number, number], SharedOpRecord>('SELECT * FROM shared_ops WHERE seq > ? ORDER BY seq LIMIT ?').all(seq, limit);
  }

  /** Delete the operations up to seq UPTO, and those that arrived before OLDERTHAN (ms epoch); how many went. */
  prune(upto: number, olderThan: number): number {
    return this.sql<[number, number]>('DELETE FROM shared_ops WHERE seq <= ? OR received_at < ?').run(upto, olderThan).changes;
  }

  /** The number of the oldest operation still logged (undefined when the log is empty). */
  oldest(): number | undefined {
    return this.sql<[], number | null>('SELECT min(seq) FROM shared_ops').pluck().get() ?? undefined;
  }

  /** The number of the last operation that arrived (0 before any). */
  head(): number {
    // The last number given, kept by SQLite (AUTOINCREMENT) even when the log was pruned empty.
    return this.sql<[], number>("SELECT coalesce(max(seq), (SELECT seq FROM sqlite_sequence WHERE name = 'shared_ops'), 0) FROM shared_ops").pluck().get() ?? 0;
  }
}
