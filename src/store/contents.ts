import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/** A `content_identities` row: what some bytes are, whichever files hold them (DESIGN §1). */
export interface ContentRecord {
  id: number;
  /** content_uuid: UUIDv5 of cas_id. */
  uuid: string;
  cas_id: string;
  cas_version: number;
  kind: string;
  mime: string;
  size: number;
  /** JSON of src/media/media-metadata.ts, or null before it is read (or when there is none). */
  media_metadata: string | null;
  created_at: number;
}

/**
 * The name a content is shown by: its first file entry's (lowest id), the copy this device found
 * first. An SQL expression over the
 * content row aliased `c`, for queries of other stores that name contents (the grid, job lists).
 */
export const FIRST_NAME_SQL = `(SELECT e.name FROM entries e WHERE e.content_id = c.id AND e.kind = 'file' ORDER BY e.id LIMIT 1)`;

const COLUMNS = 'id, uuid, cas_id, cas_version, kind, mime, size, media_metadata, created_at';

/** The `content_identities` table. */
export class ContentStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  byUuid(uuid: string): ContentRecord | undefined {
    return this.sql<[string], ContentRecord>(`SELECT ${COLUMNS} FROM content_identities WHERE uuid = ?`).get(uuid);
  }

  byId(id: number): ContentRecord | undefined {
    return this.sql<[number], ContentRecord>(`SELECT ${COLUMNS} FROM content_identities WHERE id = ?`).get(id);
  }

  // --- added for sidecars and Live Photos (h-sidecars) ------------------------------------------

  /** What a content is (its `kind` column): the one column sidecar decisions need. */
  kindOf(uuid: string): string | undefined {
    return this.sql<[string], string>('SELECT kind FROM content_identities WHERE uuid = ?').pluck().get(uuid);
  }

  /** Up to LIMIT [uuid, kind] pairs from UUID on, in uuid order (reconcile reads them beside sidecars/). */
  kindsFrom(uuid: string, limit: number): Array<[string, string]> {
    return this.sql<[string, number], [string, string]>('SELECT uuid, kind FROM content_identities WHERE uuid >= ? ORDER BY uuid LIMIT ?').raw().all(uuid, limit);
  }

  /** Up to LIMIT ids of image contents with a file in the location, after content id AFTERID, by id. */
  imagesInLocation(locationId: number, afterId: number, limit: number): number[] {
    return this.sql<[number, number, number], number>(
      `SELECT c.id FROM content_identities c
       WHERE c.id > ? AND c.kind = 'image' AND EXISTS (SELECT 1 FROM entries e WHERE e.content_id = c.id AND +e.location_id = ? AND e.kind = 'file')
       ORDER BY c.id LIMIT ?`,
    ).pluck().all(afterId, locationId, limit);
  }

  /** Add a content identity; its row id. */
  insert(c: Omit<ContentRecord, 'id'>): number {
    return Number(this.sql<[string, string, number, string, string, number, string | null, number]>(
      'INSERT INTO content_identities (uuid, cas_id, cas_version, kind, mime, size, media_metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(c.uuid, c.cas_id, c.cas_version, c.kind, c.mime, c.size, c.media_metadata, c.created_at).lastInsertRowid);
  }
}
