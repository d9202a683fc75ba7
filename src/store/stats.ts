import type { Db } from '../db/connection.js';
import type { LibraryStats } from '../wire/common.js';
import { statementCache, type Prepared } from './statements.js';

/** The counts of `library stats` (src/wire/common.ts), the sidecars as rows: [kind, status, count]. */
export type LibraryCounts = Omit<LibraryStats, 'library_id' | 'name' | 'path' | 'sidecars'> & { sidecars: Array<[string, string, number]> };

/**
 * Counts over the whole library (a read of several tables, none of whose rows it answers with):
 * each an aggregate over an index or a small table, so it stays fast on a large library.
 */
export class StatsStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  counts(): LibraryCounts {
    const c = this.sql<[], { n: number; bytes: number | null }>('SELECT COUNT(*) AS n, SUM(size) AS bytes FROM content_identities').get()!;
    const l = this.sql<[], { n: number; files: number | null; dirs: number | null; bytes: number | null }>(
      'SELECT COUNT(*) AS n, SUM(files) AS files, SUM(dirs) AS dirs, SUM(bytes) AS bytes FROM locations',
    ).get()!;
    const sidecars = this.sql<[], [string, string, number]>('SELECT kind, status, COUNT(*) FROM sidecars GROUP BY kind, status ORDER BY kind, status').raw().all();
    const managed = this.sql<[], number | null>("SELECT SUM(size) FROM sidecars WHERE status = 'ready' AND source <> 'reference'").pluck().get() ?? 0;
    return {
      contents: c.n, content_bytes: c.bytes ?? 0,
      files: l.files ?? 0, dirs: l.dirs ?? 0, bytes: l.bytes ?? 0, locations: l.n,
      sidecars, sidecar_bytes: managed,
    };
  }
}
