import type { ContentKind } from '../content/kinds.js';
import type { Db } from '../db/connection.js';
import { IN_DEEP } from './entries.js';
import { statementCache, type Prepared } from './statements.js';

/** A `content_identities` row: what some bytes are, whichever files hold them (DESIGN §1). */
export interface ContentRecord {
  id: number;
  /** content_uuid: UUIDv5 of cas_id. */
  uuid: string;
  cas_id: string;
  cas_version: number;
  kind: ContentKind;
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

  // -- Reads the job queue needs (jobs helper, issue 18).

  /**
   * The contents with a file in a deep location of device DEVICEID (or in location LOCATIONID
   * only; or only ONLY of them, by row id), after row AFTER, LIMIT of them in id order: queueing's pages.
   */
  inDeepLocations(deviceId: number, after: number, limit: number, opts: { locationId?: number; only?: readonly number[] } = {}): ContentRecord[] {
    const sql = `SELECT ${COLUMNS} FROM content_identities c
       WHERE c.id > ? ${opts.only ? 'AND c.id IN (SELECT value FROM json_each(?))' : ''}
         AND EXISTS (SELECT 1 FROM entries e JOIN locations l ON l.id = +e.location_id WHERE e.content_id = c.id AND ${IN_DEEP} ${opts.locationId === undefined ? '' : 'AND l.id = ?'})
       ORDER BY c.id LIMIT ?`;
    const args: Array<number | string> = [after];
    if (opts.only) args.push(JSON.stringify(opts.only));
    args.push(deviceId);
    if (opts.locationId !== undefined) args.push(opts.locationId);
    args.push(limit);
    return this.sql<Array<number | string>, ContentRecord>(sql).all(...args);
  }
}
