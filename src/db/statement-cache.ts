import type { Database, Statement } from 'better-sqlite3';

/**
 * Prepared statements kept per SQL text for one connection: a part that runs the same few
 * statements on a hot path (a sidecar state change, a digest apply) prepares each once.
 */
export function statementCache(db: Database): (sql: string) => Statement {
  const statements = new Map<string, Statement>();
  return (sql) => {
    let st = statements.get(sql);
    if (!st) {
      st = db.prepare(sql);
      statements.set(sql, st);
    }
    return st;
  };
}
