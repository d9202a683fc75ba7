import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/** A `rot` row (migration 026): a file whose bytes changed while its size, time and inode did not. */
export interface RotRecord {
  entry_id: number;
  content_id: number;
  size: number;
  expected: string;
  found: string;
  found_at: number;
}

/** A rotten file as listed: where it is and which content it should hold. */
export interface RotFile extends RotRecord {
  content_uuid: string;
  location_id: number;
  location_uuid: string;
  location_path: string;
  rel_path: string;
  mtime_ms: number | null;
  cas_version: number;
}

/** Rows that still say something: the file is still linked to the content it rotted from. */
const LIVE = `FROM rot r JOIN entries e ON e.id = r.entry_id AND e.content_id = r.content_id
  JOIN content_identities c ON c.id = r.content_id JOIN locations l ON l.id = e.location_id`;

/** The `rot` table. */
export class RotStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  /** Record (or record again) a rotten file. */
  put(r: RotRecord): void {
    this.sql<[number, number, number, string, string, number]>(`INSERT INTO rot (entry_id, content_id, size, expected, found, found_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT(entry_id) DO UPDATE SET content_id = excluded.content_id, size = excluded.size, expected = excluded.expected, found = excluded.found, found_at = excluded.found_at`)
      .run(r.entry_id, r.content_id, r.size, r.expected, r.found, r.found_at);
  }

  /** Forget ENTRYID's rot (repaired, or its bytes matched again); whether there was any. */
  clear(entryId: number): boolean {
    return this.sql<[number]>('DELETE FROM rot WHERE entry_id = ?').run(entryId).changes > 0;
  }

  /** Whether ENTRYID is recorded rotten (and still linked to that content). */
  has(entryId: number): boolean {
    return this.sql<[number], { n: number }>(`SELECT 1 AS n ${LIVE} WHERE r.entry_id = ?`).get(entryId) !== undefined;
  }

  /** The rotten files on this device, oldest found first, LIMIT of them; or those of the contents UUIDS. */
  list(limit: number, uuids?: readonly string[]): RotFile[] {
    const cols = `r.*, c.uuid AS content_uuid, c.cas_version, e.location_id, l.uuid AS location_uuid, l.path AS location_path, e.rel_path, e.mtime_ms`;
    if (uuids) {
      return this.sql<[string, number], RotFile>(`SELECT ${cols} ${LIVE} WHERE c.uuid IN (SELECT value FROM json_each(?)) ORDER BY r.found_at, r.entry_id LIMIT ?`)
        .all(JSON.stringify(uuids), limit);
    }
    return this.sql<[number], RotFile>(`SELECT ${cols} ${LIVE} ORDER BY r.found_at, r.entry_id LIMIT ?`).all(limit);
  }

  /** The contents with a rotten file, and their bytes. */
  counts(): { contents: number; bytes: number } {
    return this.sql<[], { contents: number; bytes: number }>(`SELECT COUNT(*) AS contents, COALESCE(SUM(size), 0) AS bytes
      FROM (SELECT DISTINCT r.content_id, c.size ${LIVE})`).get()!;
  }
}
