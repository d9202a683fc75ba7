import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/** A `scrubs` row (migration 026): a location's scrub, in progress (`started_at`) or last done. */
export interface ScrubRecord {
  location_id: number;
  /** When the pass in progress began; null: none in progress. */
  started_at: number | null;
  /** The last entry the pass in progress checked (entries are scrubbed in id order). */
  after_id: number;
  files: number;
  bytes: number;
  rot: number;
  edited: number;
  /** When its last pass ended; null: never. */
  done_at: number | null;
}

/** A file a scrub checks: its facts as indexed and what its content should hash to. */
export interface ScrubFile {
  id: number;
  parent_id: number | null;
  rel_path: string;
  size: number;
  inode: number | null;
  mtime_ms: number | null;
  content_id: number;
  cas_id: string;
  cas_version: number;
  /** The content's whole-file BLAKE3 where known (a sampled content's, learnt by an earlier scrub). */
  blake3: string | null;
}

/** How far a pass got since its last save. */
export interface ScrubStep {
  afterId: number;
  files: number;
  bytes: number;
  rot: number;
  edited: number;
}

/** The `scrubs` table, and the pages of files a scrub reads (entries with their contents). */
export class ScrubStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  get(locationId: number): ScrubRecord | undefined {
    return this.sql<[number], ScrubRecord>('SELECT * FROM scrubs WHERE location_id = ?').get(locationId);
  }

  all(): ScrubRecord[] {
    return this.sql<[], ScrubRecord>('SELECT * FROM scrubs ORDER BY location_id').all();
  }

  /** Begin a pass of LOCATIONID from its first file (a pass in progress is left as it is); the row now. */
  begin(locationId: number, now = Date.now()): ScrubRecord {
    this.sql<[number, number]>(`INSERT INTO scrubs (location_id, started_at) VALUES (?, ?)
      ON CONFLICT(location_id) DO UPDATE SET started_at = excluded.started_at, after_id = 0, files = 0, bytes = 0, rot = 0, edited = 0
      WHERE scrubs.started_at IS NULL`).run(locationId, now);
    return this.get(locationId)!;
  }

  /** Save how far the pass in progress got (STEP: its cursor and what it counted since the last save). */
  advance(locationId: number, step: ScrubStep): void {
    this.sql<[number, number, number, number, number, number]>(`UPDATE scrubs SET after_id = ?, files = files + ?, bytes = bytes + ?, rot = rot + ?, edited = edited + ?
      WHERE location_id = ? AND started_at IS NOT NULL`).run(step.afterId, step.files, step.bytes, step.rot, step.edited, locationId);
  }

  /** The pass in progress ended at NOW: what the schedule counts the next one from. */
  finish(locationId: number, now = Date.now()): void {
    this.sql<[number, number]>('UPDATE scrubs SET started_at = NULL, done_at = ? WHERE location_id = ?').run(now, locationId);
  }

  /**
   * LOCATIONID's identified files after entry AFTERID, in id order, LIMIT of them. `+location_id`
   * keeps SQLite on the primary key from AFTERID (as `EntryStore.idPage`): through the (location,
   * inode) index each page read and sorted the whole location.
   */
  filesPage(locationId: number, afterId: number, limit: number): ScrubFile[] {
    return this.sql<[number, number, number], ScrubFile>(`SELECT e.id, e.parent_id, e.rel_path, e.size, e.inode, e.mtime_ms, e.content_id, c.cas_id, c.cas_version, c.blake3
      FROM entries e JOIN content_identities c ON c.id = e.content_id
      WHERE e.id > ? AND +e.location_id = ? AND e.kind = 'file' ORDER BY e.id LIMIT ?`).all(afterId, locationId, limit);
  }
}
