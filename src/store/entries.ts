import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/** Where one copy of a content is: its location and its path there. */
export interface CopyPlace {
  location_id: number;
  rel_path: string;
}

/** A deep location a content has a file in, with the location's own generation policy. */
export interface DeepPlace {
  /** The content's row id. */
  content_id: number;
  location_id: number;
  generation: string | null;
}

/** The `entries` table. */
export class EntryStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  // -- Reads the job queue needs (jobs helper, issue 18).

  /** The first LIMIT file entries of content CONTENTID in locations of device DEVICEID, oldest first. */
  copiesOnDevice(contentId: number, deviceId: number, limit: number): CopyPlace[] {
    return this.sql<[number, number, number], CopyPlace>(
      `SELECT e.location_id, e.rel_path FROM entries e JOIN locations l ON l.id = e.location_id
       WHERE e.content_id = ? AND e.kind = 'file' AND l.device_id = ? ORDER BY e.id LIMIT ?`,
    ).all(contentId, deviceId, limit);
  }

  /**
   * The deep locations of device DEVICEID (or location LOCATIONID only) that each of CONTENTIDS
   * has a file in, each pair once, in content id then location id order.
   */
  deepPlacesOf(contentIds: readonly number[], deviceId: number, locationId?: number): DeepPlace[] {
    // By content id (`+e.location_id`: not by the (location, inode) index, which reads the whole location each page).
    const sql = `SELECT DISTINCT e.content_id, l.id AS location_id, l.generation FROM entries e JOIN locations l ON l.id = +e.location_id
       WHERE e.content_id IN (SELECT value FROM json_each(?)) AND ${IN_DEEP} ${locationId === undefined ? '' : 'AND l.id = ?'} ORDER BY e.content_id, l.id`;
    const ids = JSON.stringify(contentIds);
    return locationId === undefined
      ? this.sql<[string, number], DeepPlace>(sql).all(ids, deviceId)
      : this.sql<[string, number, number], DeepPlace>(sql).all(ids, deviceId, locationId);
  }
}

/** A deep location of one device (bound: the device's row id), over the location aliased `l`. */
export const IN_DEEP = "l.device_id = ? AND l.index_mode = 'deep'";
