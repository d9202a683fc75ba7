import type { Database, Statement } from 'better-sqlite3';

/** A statement prepared once per connection, typed by what it binds (P) and what a row is (R). */
export type Prepared = <P extends unknown[] = unknown[], R = unknown>(sql: string) => Statement<P, R>;

/**
 * Prepared statements kept per SQL text for one connection: a store runs the same few statements
 * on a hot path (a sidecar state change, a digest apply), so each is compiled once.
 */
export function statementCache(db: Database): Prepared {
  const statements = new Map<string, Statement>();
  return (<P extends unknown[], R>(sql: string): Statement<P, R> => {
    let st = statements.get(sql);
    if (!st) {
      st = db.prepare(sql);
      statements.set(sql, st);
    }
    return st as unknown as Statement<P, R>;
  }) as Prepared;
}

/**
 * The ids of COLUMN that start with START (a short id as a list shows it, core/short-id.ts), at
 * most LIMIT, in order: a range on the column's index. '~' sorts after every character of an id
 * (hex digits and dashes), so [START, START~) is exactly the ids with that start.
 */
export function idsStarting(sql: Prepared, table: string, column: string, start: string, limit = 6): string[] {
  return sql<[string, string, number], string>(`SELECT DISTINCT ${column} FROM ${table} WHERE ${column} >= ? AND ${column} < ? ORDER BY ${column} LIMIT ?`).pluck().all(start, `${start}~`, limit);
}
