import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/** A `library_members` row: one signed membership record (`tags/member-record.ts`) as taken in. */
export interface LibraryMemberRow {
  id: string;
  kind: 'admit' | 'remove' | 'rights';
  member_uuid: string;
  by_uuid: string;
  at: string;
  body: string;
  sig_by: string;
  sig_member: string | null;
  hlc: string;
}

/** The `library_members` table (migration 039): the library's membership records, never changed once in. */
export class LibraryMemberStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  /** Keep ROW; true when it is new here (a record taken in again changes nothing). */
  add(row: LibraryMemberRow): boolean {
    return this.sql<[string, string, string, string, string, string, string, string | null, string]>(
      `INSERT INTO library_members (id, kind, member_uuid, by_uuid, at, body, sig_by, sig_member, hlc)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`,
    ).run(row.id, row.kind, row.member_uuid, row.by_uuid, row.at, row.body, row.sig_by, row.sig_member, row.hlc).changes > 0;
  }

  /** Whether the record ID is here (one refused as it came is logged with the shared data, not here). */
  has(id: string): boolean {
    return this.sql<[string], { one: number }>('SELECT 1 AS one FROM library_members WHERE id = ?').get(id) !== undefined;
  }

  /** Every record, oldest first (by the time each says, then id: the same order everywhere). */
  all(): LibraryMemberRow[] {
    return this.sql<[], LibraryMemberRow>('SELECT * FROM library_members ORDER BY at, id').all();
  }

  /** The removals of the devices with these uuids (a record they signed may be refused because of one). */
  removalsOf(uuids: readonly string[]): LibraryMemberRow[] {
    return this.sql<[string], LibraryMemberRow>("SELECT * FROM library_members WHERE kind = 'remove' AND member_uuid IN (SELECT value FROM json_each(?)) ORDER BY at, id").all(JSON.stringify(uuids));
  }

  /** How many records there are: the membership is worked out again only when this moved. */
  count(): number {
    return this.sql<[], { n: number }>('SELECT count(*) AS n FROM library_members').get()!.n;
  }
}
