import type { Db } from '../db/connection.js';
import { idsStarting, statementCache, type Prepared } from './statements.js';

/** A `trash` row (migration 036): a file a delete moved aside, where it was and where it is. */
export interface TrashRecord {
  id: number;
  trash_id: string;
  location_id: number;
  rel_path: string;
  trash_rel: string;
  content_uuid: string | null;
  cas_id: string | null;
  cas_version: number | null;
  size: number;
  mtime_ms: number | null;
  inode: number | null;
  deleted_at: number;
  /** The near-duplicate kept in its place (`vss similar keep`), else null. */
  kept_as: string | null;
  /** 1: when it went, no other file or object of its content was known anywhere (migration 043): the user deleted every copy. */
  alone: 0 | 1;
}

export type NewTrashRecord = Omit<TrashRecord, 'id' | 'kept_as' | 'alone'> & { alone?: 0 | 1 };

/** A trash row with its location's folder (this device's): what a listing shows and a restore needs. */
export interface TrashPlaced extends TrashRecord {
  location_path: string;
  location_name: string;
}

const PLACED = `SELECT t.*, l.path AS location_path, l.name AS location_name FROM trash t JOIN locations l ON l.id = t.location_id`;

/** The `trash` table. */
export class TrashStore {
  private readonly sql: Prepared;

  constructor(private readonly db: Db) {
    this.sql = statementCache(db);
  }

  /** Record ROWS, in one transaction (written before their files move). */
  addMany(rows: readonly NewTrashRecord[]): void {
    const st = this.sql<[string, number, string, string, string | null, string | null, number | null, number, number | null, number | null, number, number]>(
      `INSERT INTO trash (trash_id, location_id, rel_path, trash_rel, content_uuid, cas_id, cas_version, size, mtime_ms, inode, deleted_at, alone)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      for (const r of rows) st.run(r.trash_id, r.location_id, r.rel_path, r.trash_rel, r.content_uuid, r.cas_id, r.cas_version, r.size, r.mtime_ms, r.inode, r.deleted_at, r.alone ?? 0);
    })();
  }

  /** Every row, newest first (at most LIMIT), each with its location's folder. */
  list(limit: number): TrashPlaced[] {
    return this.sql<[number], TrashPlaced>(`${PLACED} ORDER BY t.deleted_at DESC, t.id DESC LIMIT ?`).all(limit);
  }

  /** The rows deleted before BEFORE (ms), oldest first, at most LIMIT. */
  olderThan(before: number, limit: number): TrashPlaced[] {
    return this.sql<[number, number], TrashPlaced>(`${PLACED} WHERE t.deleted_at < ? ORDER BY t.deleted_at, t.id LIMIT ?`).all(before, limit);
  }

  byTrashIds(ids: readonly string[]): TrashPlaced[] {
    return this.sql<[string], TrashPlaced>(`${PLACED} WHERE t.trash_id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids));
  }

  /** The trash ids that start with START (a short id as `trash list` shows it), a few at most. */
  idsStarting(start: string): string[] {
    return idsStarting(this.sql, 'trash', 'trash_id', start);
  }

  /** The rows of files that were at REL in location LOCATIONID (newest first: the same path may have been deleted twice). */
  atPlace(locationId: number, rel: string): TrashPlaced[] {
    return this.sql<[number, string], TrashPlaced>(`${PLACED} WHERE t.location_id = ? AND t.rel_path = ? ORDER BY t.deleted_at DESC, t.id DESC`).all(locationId, rel);
  }

  /** The rows of files that were under folder REL of location LOCATIONID ('' its root). */
  under(locationId: number, rel: string): TrashPlaced[] {
    if (rel === '') return this.sql<[number], TrashPlaced>(`${PLACED} WHERE t.location_id = ? ORDER BY t.deleted_at DESC, t.id DESC`).all(locationId);
    const prefix = `${rel}/`;
    // substr, not LIKE: a name may hold % or _.
    // SQLite's length, not JavaScript's: they count a character outside the BMP differently.
    return this.sql<[number, string, string], TrashPlaced>(`${PLACED} WHERE t.location_id = ? AND substr(t.rel_path, 1, length(?)) = ? ORDER BY t.deleted_at DESC, t.id DESC`)
      .all(locationId, prefix, prefix);
  }

  /** Forget rows (their files restored, emptied, or found gone), in one transaction. */
  removeMany(ids: readonly number[]): void {
    const st = this.sql<[string]>('DELETE FROM trash WHERE id IN (SELECT value FROM json_each(?))');
    this.db.transaction(() => {
      for (let i = 0; i < ids.length; i += 1000) st.run(JSON.stringify(ids.slice(i, i + 1000)));
    })();
  }

  /** The contents of the files in the trash (at most LIMIT). */
  contents(limit = 100_000): string[] {
    return this.sql<[number], string>('SELECT DISTINCT content_uuid FROM trash WHERE content_uuid IS NOT NULL LIMIT ?').pluck().all(limit);
  }

  /** Say that the trashed files of CONTENTS were near-duplicates of KEPT (deleted since SINCE). */
  markKeptAs(contents: readonly string[], kept: string, since: number): number {
    return this.sql<[string, string, number]>('UPDATE trash SET kept_as = ? WHERE content_uuid IN (SELECT value FROM json_each(?)) AND deleted_at >= ?')
      .run(kept, JSON.stringify(contents), since).changes;
  }

  /**
   * Of CONTENTS, those with a file in this device's trash that went as the only one of its content
   * known anywhere, deleted as such (not a near-duplicate let go for another: `kept_as`).
   */
  deletedWhole(contents: readonly string[]): Set<string> {
    if (contents.length === 0) return new Set();
    return new Set(this.sql<[string], string>('SELECT DISTINCT content_uuid FROM trash WHERE alone = 1 AND kept_as IS NULL AND content_uuid IN (SELECT value FROM json_each(?))').pluck().all(JSON.stringify(contents)));
  }

  /** Files and bytes in the trash (the Guardian says they do not count). */
  totals(): { files: number; bytes: number } {
    return this.sql<[], { files: number; bytes: number }>('SELECT COUNT(*) AS files, COALESCE(SUM(size), 0) AS bytes FROM trash').get()!;
  }
}
