import type { Db } from '../db/connection.js';
import { IN_DEEP, type ContentCopy, type CopyPlace, type DeepPlace, type EntryMedia, type EntryRecord, type NamedFile, type SyncFolder, type SyncListingRow } from './entry-types.js';
import { statementCache, type Prepared } from './statements.js';

const MEDIA_COLUMNS = 'e.id AS entry_id, e.rel_path, e.size, e.inode, e.mtime_ms, c.uuid, c.kind, c.mime, c.cas_id, c.cas_version, c.media_metadata';

/**
 * The reads of the `entries` table that look across it rather than down a location's tree: where
 * a content's copies are (the guard, jobs, sidecars and Live Photos), and this device's folders
 * as peers pull them (library sync, DESIGN §15). EntryStore (store/entries.ts) is this with the
 * reads down a location's tree (entry-tree.ts), the links to contents (entry-links.ts) and the
 * writes of rows: one store per table, in a file per concept.
 */
export class EntryReads {
  protected readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  /**
   * Folders of this device's locations (DEVICEID) to send a peer, LIMIT of them after the cursor.
   * A full copy: every folder, by id (after AFTERID). A delta: the folders numbered in
   * (FROMSEQ, TOSEQ], by number then id (after AFTERSEQ, AFTERID), on the sync_seq index.
   */
  foldersToSend(deviceId: number, q: { full: boolean; fromSeq: number; toSeq: number; afterSeq: number; afterId: number; limit: number }): SyncFolder[] {
    if (q.full) {
      return this.sql<[number, number, number], SyncFolder>(
        `SELECT id, location_id, rel_path, coalesce(sync_seq, 0) AS seq FROM entries
         WHERE id > ? AND kind = 'dir' AND location_id IN (SELECT id FROM locations WHERE device_id = ?) ORDER BY id LIMIT ?`,
      ).all(q.afterId, deviceId, q.limit);
    }
    return this.sql<[number, number, number, number, number, number, number], SyncFolder>(
      `SELECT id, location_id, rel_path, sync_seq AS seq FROM entries
       WHERE sync_seq > ? AND sync_seq <= ? AND (sync_seq > ? OR (sync_seq = ? AND id > ?)) AND kind = 'dir'
         AND location_id IN (SELECT id FROM locations WHERE device_id = ?)
       ORDER BY sync_seq, id LIMIT ?`,
    ).all(Math.max(q.fromSeq, 0), q.toSeq, q.afterSeq, q.afterSeq, q.afterId, deviceId, q.limit);
  }

  /** The newest number a folder of this library carries (0: none): whether peers have something new to pull. */
  lastFolderSeq(): number {
    return this.sql<[], number | null>('SELECT MAX(sync_seq) FROM entries').pluck().get() ?? 0;
  }

  /** A folder's direct listing after name AFTERNAME, by name, each file with its content's facts: LIMIT rows. */
  listingToSend(folderId: number, afterName: string, limit: number): SyncListingRow[] {
    const st = this.sql<[number, string, number], SyncListingRow>(
      `SELECT e.name, e.kind, e.size, e.mtime_ms, c.uuid, c.kind, c.mime, c.size, c.media_metadata, c.cas_id, c.cas_version, e.verified_at
       FROM entries e LEFT JOIN content_identities c ON c.id = e.content_id
       WHERE e.parent_id = ? AND e.name > ? ORDER BY e.name LIMIT ?`,
    );
    st.raw(true);
    return st.all(folderId, afterName, limit);
  }

  /** The bytes beneath folder REL of a location as its last scan summed them (undefined: no such folder indexed). */
  folderBytesAt(locationId: number, rel: string): number | undefined {
    let at = this.sql<[number], number>('SELECT id FROM entries WHERE location_id = ? AND parent_id IS NULL').pluck().get(locationId);
    const child = this.sql<[number, string], { id: number; kind: string; agg_size: number | null }>('SELECT id, kind, agg_size FROM entries WHERE parent_id = ? AND name = ?');
    let size: number | null = null;
    for (const name of rel === '' ? [] : rel.split('/')) {
      const row = at === undefined ? undefined : child.get(at, name);
      if (!row || row.kind !== 'dir') return undefined;
      at = row.id;
      size = row.agg_size;
    }
    return size ?? undefined;
  }

  /** An entry in a location of DEVICEID: where it is. */
  onDevice(id: number, deviceId: number): Pick<EntryRecord, 'location_id' | 'rel_path'> | undefined {
    return this.sql<[number, number], Pick<EntryRecord, 'location_id' | 'rel_path'>>(
      'SELECT e.location_id, e.rel_path FROM entries e JOIN locations l ON l.id = e.location_id WHERE e.id = ? AND l.device_id = ?',
    ).get(id, deviceId);
  }

  /** A content's files in the locations of DEVICEID, first found first, at most LIMIT. */
  filesOfContent(contentId: number, deviceId: number, limit: number): Array<Pick<EntryRecord, 'location_id' | 'rel_path' | 'inode' | 'mtime_ms' | 'ctime_ms'>> {
    return this.sql<[number, number, number], Pick<EntryRecord, 'location_id' | 'rel_path' | 'inode' | 'mtime_ms' | 'ctime_ms'>>(
      `SELECT e.location_id, e.rel_path, e.inode, e.mtime_ms, e.ctime_ms FROM entries e JOIN locations l ON l.id = e.location_id
       WHERE e.content_id = ? AND e.kind = 'file' AND l.device_id = ? ORDER BY e.id LIMIT ?`,
    ).all(contentId, deviceId, limit);
  }

  /**
   * The copies of many contents in the locations of DEVICEID (or in one of them), in one read,
   * by content, then location path and path. `+e.location_id` keeps SQLite off the (location,
   * inode) index, which would read every entry of a location for each call.
   */
  copiesOf(contentIds: readonly number[], deviceId: number, locationId?: number): ContentCopy[] {
    const ids = JSON.stringify(contentIds);
    const from = `SELECT e.content_id, e.location_id, e.rel_path FROM entries e JOIN locations l ON l.id = +e.location_id
     WHERE e.content_id IN (SELECT value FROM json_each(?)) AND l.device_id = ?`;
    const order = 'ORDER BY e.content_id, l.path, e.rel_path';
    if (locationId === undefined) return this.sql<[string, number], ContentCopy>(`${from} ${order}`).all(ids, deviceId);
    return this.sql<[string, number, number], ContentCopy>(`${from} AND l.id = ? ${order}`).all(ids, deviceId, locationId);
  }

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

  /**
   * This device's identified files named NAME in any case (ASCII), LIMIT of them, by id: a content
   * named as people name it (`IMG_0412.jpg`, browse/content-ref.ts). Names have no index (one
   * would be written on every file a scan indexes, for a lookup made by hand): a read of the
   * table, about 50 ms a million files, made only for a name that is no file in the current folder.
   */
  filesNamed(name: string, deviceId: number, limit: number): NamedFile[] {
    // `+e.location_id`: the table read once, not the (location, inode) index location by location.
    return this.sql<[string, number, number], NamedFile>(
      `SELECT c.uuid AS content_uuid, e.name, e.location_id, l.name AS location_name, e.rel_path
       FROM entries e JOIN content_identities c ON c.id = e.content_id JOIN locations l ON l.id = +e.location_id
       WHERE e.name = ? COLLATE NOCASE AND e.kind = 'file' AND l.device_id = ? ORDER BY e.id LIMIT ?`,
    ).all(name, deviceId, limit);
  }

  /** The file entries holding a content, by id. */
  fileEntriesOfContent(contentUuid: string): EntryRecord[] {
    return this.sql<[string], EntryRecord>(
      "SELECT e.* FROM entries e JOIN content_identities c ON c.id = e.content_id WHERE c.uuid = ? AND e.kind = 'file' ORDER BY e.id",
    ).all(contentUuid);
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
