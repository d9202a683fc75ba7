import type { Db } from '../db/connection.js';
import type { ContentRecord } from './contents.js';
import { statementCache, type Prepared } from './statements.js';

/** An `entries` row: a file, folder or symlink of a location, by its path relative to the location. */
export interface EntryRecord {
  id: number;
  location_id: number;
  parent_id: number | null;
  name: string;
  /** '/'-separated, relative to the location; '' for its root. */
  rel_path: string;
  kind: 'file' | 'dir' | 'symlink';
  size: number;
  inode: number | null;
  mtime_ms: number | null;
  link_target: string | null;
  content_id: number | null;
  agg_size: number | null;
  agg_files: number | null;
  agg_dirs: number | null;
  created_at: number;
  updated_at: number;
}

/** The `entries` table. */
export class EntryStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  // --- added for sidecars and Live Photos (h-sidecars) ------------------------------------------

  byId(id: number): EntryRecord | undefined {
    return this.sql<[number], EntryRecord>('SELECT * FROM entries WHERE id = ?').get(id);
  }

  /** Whether ID is a file entry (a reference sidecar can be tracked at it). */
  isFile(id: number): boolean {
    return this.sql<[number], number>("SELECT 1 FROM entries WHERE id = ? AND kind = 'file'").pluck().get(id) !== undefined;
  }

  /** An entry's path and the location and device it belongs to. */
  placeOf(id: number): { rel_path: string; location_id: number; device_id: number } | undefined {
    return this.sql<[number], { rel_path: string; location_id: number; device_id: number }>(
      'SELECT e.rel_path, e.location_id, l.device_id FROM entries e JOIN locations l ON l.id = e.location_id WHERE e.id = ?',
    ).get(id);
  }

  /** The file entries holding a content, by id. */
  filesOfContent(contentUuid: string): EntryRecord[] {
    return this.sql<[string], EntryRecord>(
      "SELECT e.* FROM entries e JOIN content_identities c ON c.id = e.content_id WHERE c.uuid = ? AND e.kind = 'file' ORDER BY e.id",
    ).all(contentUuid);
  }

  /** Remove one entry (a file vss moved out of its location); its sidecars' references become null. */
  delete(id: number): void {
    this.sql<[number]>('DELETE FROM entries WHERE id = ?').run(id);
  }

  /** The file entries of IDS with their content (Live Photo movies by id). */
  mediaByIds(ids: readonly number[]): EntryMedia[] {
    return this.sql<[string], EntryMedia>(
      `SELECT ${MEDIA_COLUMNS} FROM entries e JOIN content_identities c ON c.id = e.content_id WHERE e.id IN (SELECT value FROM json_each(?))`,
    ).all(JSON.stringify(ids));
  }

  /** Up to LIMIT video file entries of a location after entry id AFTERID, with their content, by id. */
  videosPage(locationId: number, afterId: number, limit: number): EntryMedia[] {
    // `+e.location_id`: walk entries by id, not the (location, inode) index and a sort of the whole location per page.
    return this.sql<[number, number, number], EntryMedia>(
      `SELECT ${MEDIA_COLUMNS} FROM entries e JOIN content_identities c ON c.id = e.content_id
       WHERE e.id > ? AND +e.location_id = ? AND e.kind = 'file' AND c.kind = 'video' ORDER BY e.id LIMIT ?`,
    ).all(afterId, locationId, limit);
  }

  /** Every file entry of a location holding one of CONTENTIDS, with its content. */
  mediaOfContents(contentIds: readonly number[], locationId: number): EntryMedia[] {
    // By content id (`+e.location_id`: not by the (location, inode) index, which reads the whole location each page).
    return this.sql<[string, number], EntryMedia>(
      `SELECT ${MEDIA_COLUMNS} FROM entries e JOIN content_identities c ON c.id = e.content_id
       WHERE e.content_id IN (SELECT value FROM json_each(?)) AND +e.location_id = ? AND e.kind = 'file'`,
    ).all(JSON.stringify(contentIds), locationId);
  }
}

/** A file entry with what its content is: what Live Photo pairing reads of each still and movie. */
export type EntryMedia = { entry_id: number } & Pick<EntryRecord, 'rel_path' | 'size' | 'inode' | 'mtime_ms'>
  & Pick<ContentRecord, 'uuid' | 'kind' | 'mime' | 'cas_id' | 'cas_version' | 'media_metadata'>;

const MEDIA_COLUMNS = 'e.id AS entry_id, e.rel_path, e.size, e.inode, e.mtime_ms, c.uuid, c.kind, c.mime, c.cas_id, c.cas_version, c.media_metadata';
