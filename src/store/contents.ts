import type { ContentKind } from '../content/kinds.js';
import type { Db } from '../db/connection.js';
import { IN_DEEP } from './entries.js';
import { forEachChunk, multiRowSql } from './multi-row.js';
import { statementCache, type Prepared, idsStarting } from './statements.js';

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

/** What identifying a file finds: a content's identity, as its row will hold it. */
export type ContentIdentity = Pick<ContentRecord, 'uuid' | 'cas_id' | 'cas_version' | 'kind' | 'mime' | 'size'>;

/** A content whose media metadata is still to read, and the first of its files in the location. */
export interface PendingMedia extends Pick<ContentRecord, 'id' | 'kind'> {
  entry_id: number;
}

/** Which contents a listing shows: of one kind (or any), with a copy on a device (in one of its locations, or any). */
export interface ContentListFilter {
  kind?: string;
  deviceId: number;
  locationId?: number;
}

/** A content of the whole library as a listing shows it: on this device or on a paired one. */
export type LibraryContent = Pick<ContentRecord, 'uuid' | 'cas_id' | 'kind' | 'mime' | 'size'>;


/** A content as a listing shows it (without its metadata). */
export type ListedContent = Pick<ContentRecord, 'id' | 'uuid' | 'cas_id' | 'kind' | 'mime' | 'size'>;

/**
 * Metadata read by a reader older than REVISION (MediaMetadata's `r`, 1 when absent): a library
 * read before the reader took more from a file is read again once. A file that could not be read
 * at all is not tried again (its bytes cannot change under the same content).
 */
const readBefore = (revision: number) => `(c.media_metadata IS NULL OR (json_valid(c.media_metadata)
  AND json_extract(c.media_metadata, '$.error') IS NULL AND coalesce(json_extract(c.media_metadata, '$.r'), 1) < ${Math.trunc(revision)}))`;

/** The images and videos with a file in a location (whose metadata was never read, or by an older reader, unless ALL). */
const mediaIn = (all: boolean, revision: number) => `FROM content_identities c
    WHERE c.kind IN ('image', 'video') ${all ? '' : `AND ${readBefore(revision)}`}
      AND EXISTS (SELECT 1 FROM entries e WHERE e.content_id = c.id AND e.location_id = ? AND e.kind = 'file')`;

/** No file refers to it, and it holds no ready converted sidecar (that file is the only copy: the content may come back to it). */
// A file in the trash holds its content (it may be restored) though it is no copy of it.
const ORPHAN = `NOT EXISTS (SELECT 1 FROM entries e WHERE e.content_id = c.id)
       AND NOT EXISTS (SELECT 1 FROM sidecars s WHERE s.content_uuid = c.uuid AND s.source = 'converted' AND s.status = 'ready')
       AND NOT EXISTS (SELECT 1 FROM trash t WHERE t.content_uuid = c.uuid)`;

const ADD_MANY = multiRowSql('(?, ?, ?, ?, ?, ?, ?)', (values) => `INSERT INTO content_identities (uuid, cas_id, cas_version, kind, mime, size, created_at)
  VALUES ${values} ON CONFLICT(uuid) DO NOTHING`);

/** The `content_identities` table. */
export class ContentStore {
  private readonly sql: Prepared;

  /**
   * MOVEGRIDVERSION: a content added moves the grid's order (migration 011 took it off a per-row
   * trigger). FACTSCHANGED: a content's facts changed, so the folders listing its files are
   * numbered for peers (migration 012).
   */
  constructor(db: Db, private readonly moveGridVersion: () => void, private readonly factsChanged: (contentId: number) => void = () => undefined) {
    this.sql = statementCache(db);
  }

  /** The first few content uuids starting with START (a short id as a list shows it), in order. */
  uuidsStarting(start: string): string[] {
    return idsStarting(this.sql, 'content_identities', 'uuid', start);
  }

  byUuid(uuid: string): ContentRecord | undefined {
    return this.sql<[string], ContentRecord>(`SELECT ${COLUMNS} FROM content_identities WHERE uuid = ?`).get(uuid);
  }

  /** Contents in the library. */
  count(): number {
    return this.sql<[], number>('SELECT COUNT(*) FROM content_identities').pluck().get()!;
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

  /** The id of the content with this identity, added if new. */
  upsert(c: ContentIdentity, now: number): number {
    const added = this.sql<[string, string, number, string, string, number, number], number>(
      `INSERT INTO content_identities (uuid, cas_id, cas_version, kind, mime, size, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(uuid) DO NOTHING RETURNING id`,
    ).pluck().get(c.uuid, c.cas_id, c.cas_version, c.kind, c.mime, c.size, now);
    if (added === undefined) return this.sql<[string], number>('SELECT id FROM content_identities WHERE uuid = ?').pluck().get(c.uuid)!;
    this.moveGridVersion();
    return added;
  }

  /**
   * Add the contents not yet in the library (a scan's batch: a few multi-row statements, one
   * version move); how many were new. Known ones are left as they are.
   */
  addMany(contents: readonly ContentIdentity[], now: number): number {
    let added = 0;
    forEachChunk(contents.length, (at, n) => {
      const args: Array<string | number> = [];
      for (let i = at; i < at + n; i++) {
        const c = contents[i]!;
        args.push(c.uuid, c.cas_id, c.cas_version, c.kind, c.mime, c.size, now);
      }
      added += this.sql<Array<string | number>>(ADD_MANY.get(n)!).run(...args).changes;
    });
    if (added > 0) this.moveGridVersion();
    return added;
  }

  /** The highest content id given so far (0 with none): a content added after has a higher one. */
  lastId(): number {
    return this.sql<[], number>('SELECT coalesce(max(id), 0) FROM content_identities').pluck().get()!;
  }

  delete(id: number): void {
    this.sql<[number]>('DELETE FROM content_identities WHERE id = ?').run(id);
  }

  /** Learn the whole-file BLAKE3 of a content whose id is sampled (migration 026): the first one learnt stays. */
  learnBlake3(id: number, blake3: string): void {
    this.sql<[string, number]>('UPDATE content_identities SET blake3 = ? WHERE id = ? AND blake3 IS NULL').run(blake3, id);
  }

  /** A content's whole-file BLAKE3 where learnt (a sampled content's), else undefined. */
  blake3Of(id: number): string | undefined {
    return this.sql<[number], { blake3: string | null }>('SELECT blake3 FROM content_identities WHERE id = ?').get(id)?.blake3 ?? undefined;
  }

  /** Media metadata (JSON) for a content that has none yet (or, with REPLACE, whatever it has). */
  /** Keep JSON as content ID's metadata: in place of none or one an older reader (before REVISION) wrote, or in any case with REPLACE. */
  setMediaMetadata(id: number, json: string, replace = false, revision = 1): void {
    const sql = replace
      ? 'UPDATE content_identities SET media_metadata = ? WHERE id = ?'
      : `UPDATE content_identities AS c SET media_metadata = ? WHERE c.id = ? AND ${readBefore(revision)}`;
    if (this.sql<[string, number]>(sql).run(json, id).changes > 0) this.factsChanged(id);
  }

  /** How many images and videos with a file in the location have no metadata yet, or an older reader's (with ALL: have it or not). */
  pendingMediaCount(locationId: number, all = false, revision = 1): number {
    return this.sql<[number], number>(`SELECT COUNT(*) ${mediaIn(all, revision)}`).pluck().get(locationId)!;
  }

  /** The next of them after content AFTERID, each with its first file there: by content id, so paging never revisits a row. */
  pendingMediaPage(locationId: number, afterId: number, limit: number, all = false, revision = 1): PendingMedia[] {
    return this.sql<[number, number, number, number], PendingMedia>(
      `SELECT c.id, c.kind,
         (SELECT e.id FROM entries e WHERE e.content_id = c.id AND e.location_id = ? AND e.kind = 'file' ORDER BY e.id LIMIT 1) AS entry_id
       ${mediaIn(all, revision)} AND c.id > ? ORDER BY c.id LIMIT ?`,
    ).all(locationId, locationId, afterId, limit);
  }

  /** The next contents after AFTERID that have a copy where FILTER says, by id. */
  listPage(filter: ContentListFilter, afterId: number, limit: number): ListedContent[] {
    const kind = filter.kind !== undefined ? 'AND c.kind = ?' : '';
    const location = filter.locationId !== undefined ? 'AND l.id = ?' : '';
    const args: Array<string | number> = [afterId];
    if (filter.kind !== undefined) args.push(filter.kind);
    args.push(filter.deviceId);
    if (filter.locationId !== undefined) args.push(filter.locationId);
    args.push(limit);
    return this.sql<Array<string | number>, ListedContent>(
      `SELECT c.id, c.uuid, c.cas_id, c.kind, c.mime, c.size FROM content_identities c
       WHERE c.id > ? ${kind}
         AND EXISTS (SELECT 1 FROM entries e JOIN locations l ON l.id = +e.location_id WHERE e.content_id = c.id AND l.device_id = ? ${location})
       ORDER BY c.id LIMIT ?`,
    ).all(...args);
  }

  /**
   * The whole library's contents after uuid AFTER, by uuid (DESIGN §15): those with a file on
   * device DEVICEID and those paired devices hold (their facts as they sent them), LIMIT of them.
   * PEERS: only one paired device's (a device uuid), or none ('local' leaves them out).
   */
  libraryPage(q: { deviceId: number; kind?: string; locationId?: number; peers: 'all' | 'none' | string; localToo: boolean }, after: string, limit: number): LibraryContent[] {
    const parts: string[] = [];
    const args: Array<string | number> = [];
    if (q.localToo) {
      parts.push(`SELECT * FROM (SELECT c.uuid, c.cas_id, c.kind, c.mime, c.size FROM content_identities c
        WHERE c.uuid > ? ${q.kind !== undefined ? 'AND c.kind = ?' : ''}
          AND EXISTS (SELECT 1 FROM entries e JOIN locations l ON l.id = +e.location_id WHERE e.content_id = c.id AND l.device_id = ?
            ${q.locationId !== undefined ? 'AND l.id = ?' : ''})
        ORDER BY c.uuid LIMIT ?)`);
      args.push(after);
      if (q.kind !== undefined) args.push(q.kind);
      args.push(q.deviceId);
      if (q.locationId !== undefined) args.push(q.locationId);
      args.push(limit);
    }
    if (q.peers !== 'none') {
      parts.push(`SELECT * FROM (SELECT p.content_uuid AS uuid, MIN(p.cas_id) AS cas_id, MIN(p.kind) AS kind, MIN(p.mime) AS mime, MIN(p.size) AS size FROM peer_contents p
        WHERE p.content_uuid > ? ${q.kind !== undefined ? 'AND p.kind = ?' : ''} ${q.peers === 'all' ? '' : 'AND p.device_uuid = ?'}
        GROUP BY p.content_uuid ORDER BY p.content_uuid LIMIT ?)`);
      args.push(after);
      if (q.kind !== undefined) args.push(q.kind);
      if (q.peers !== 'all') args.push(q.peers);
      args.push(limit);
    }
    if (parts.length === 0) return [];
    args.push(limit);
    // Each side's first LIMIT by uuid, merged: the first LIMIT of the union are among them. One row
    // per content (the facts agree: they are the content's own).
    const st = this.sql<Array<string | number>, [string, string, LibraryContent['kind'], string, number]>(
      `SELECT uuid, MIN(cas_id), MIN(kind), MIN(mime), MIN(size) FROM (${parts.join(' UNION ALL ')}) GROUP BY uuid ORDER BY uuid LIMIT ?`,
    );
    st.raw(true);
    return st.all(...args).map(([uuid, cas_id, kind, mime, size]) => ({ uuid, cas_id, kind, mime, size }));
  }

  /**
   * Which of UUIDS a file holds anywhere in the library: a file of this device's (an entry), or
   * one a paired device told of (its entries). An upload asks before it sends (issue 44).
   */
  heldAnywhere(uuids: readonly string[]): Set<string> {
    const st = this.sql<[string], string>(`SELECT u.value FROM json_each(?) u WHERE
      EXISTS (SELECT 1 FROM content_identities c JOIN entries e ON e.content_id = c.id WHERE c.uuid = u.value)
      OR EXISTS (SELECT 1 FROM peer_contents p JOIN peer_entries pe ON pe.content_id = p.id WHERE p.content_uuid = u.value)`);
    return new Set(st.pluck().all(JSON.stringify(uuids)));
  }

  /** Row ids of the contents with these uuids that this library holds itself. */
  idsByUuid(uuids: readonly string[]): Map<string, number> {
    const st = this.sql<[string], [string, number]>('SELECT uuid, id FROM content_identities WHERE uuid IN (SELECT value FROM json_each(?))');
    st.raw(true);
    return new Map(st.all(JSON.stringify(uuids)));
  }

  /**
   * Which of PAIRS ([uuid, cas id]) name a content of this library identified whole (CASVERSION)
   * by that very cas id: what a verified copy's BLAKE3 may link its file to at once. One statement
   * for a whole batch (a lookup a file cost a copy of 10,000 small files ~0.3 s).
   */
  identifiedAs(pairs: ReadonlyArray<readonly [string, string]>, casVersion: number): Set<string> {
    if (pairs.length === 0) return new Set();
    const st = this.sql<[string, number], string>(`SELECT c.uuid FROM json_each(?) j JOIN content_identities c ON c.uuid = j.value ->> 0
      WHERE c.cas_id = j.value ->> 1 AND c.cas_version = ?`);
    return new Set(st.pluck().all(JSON.stringify(pairs), casVersion));
  }

  /**
   * Whether any content may be one nothing holds (see ORPHAN): fewer contents have a file than
   * there are contents. Counted on the entries' content index alone (a few ms at 100k files, where
   * `orphanPage` looks at every content: ~0.1 s), so a scan that left no content without a file,
   * the usual one, skips that look. Exact because every entry's content exists: the foreign key
   * (ON DELETE SET NULL, enforced on every connection) leaves no entry naming a content that is
   * gone, so no such entry can stand in the count for a content that has no file.
   */
  mayHaveOrphans(): boolean {
    return this.sql<[], number>(
      `SELECT (SELECT COUNT(*) FROM content_identities) >
        (SELECT COUNT(*) FROM (SELECT DISTINCT content_id FROM entries INDEXED BY entries_by_content WHERE content_id IS NOT NULL))`,
    ).pluck().get() === 1;
  }

  /** The next contents after AFTERID that nothing holds any more (see ORPHAN). */
  orphanPage(afterId: number, limit: number): Array<Pick<ContentRecord, 'id' | 'uuid'>> {
    return this.sql<[number, number], Pick<ContentRecord, 'id' | 'uuid'>>(`SELECT id, uuid FROM content_identities c WHERE id > ? AND ${ORPHAN} ORDER BY id LIMIT ?`).all(afterId, limit);
  }

  /** Whether nothing holds this content now (looked at again under the write lock). */
  isOrphan(id: number): boolean {
    return this.sql<[number], number>(`SELECT 1 FROM content_identities c WHERE id = ? AND ${ORPHAN}`).pluck().get(id) !== undefined;
  }

  // --- added for sidecars and Live Photos (h-sidecars) ------------------------------------------

  /** What a content is (its `kind` column): the one column sidecar decisions need. */
  kindOf(uuid: string): string | undefined {
    return this.sql<[string], string>('SELECT kind FROM content_identities WHERE uuid = ?').pluck().get(uuid);
  }

  /**
   * Up to LIMIT [uuid, kind] pairs from UUID on, in uuid order, of every content of the library:
   * this device's and those only paired devices hold (DESIGN §15), whose fetched sidecars are kept
   * too (reconcile reads them beside sidecars/).
   */
  kindsFrom(uuid: string, limit: number): Array<[string, string]> {
    return this.sql<[string, number, string, number, number], [string, string]>(
      `SELECT uuid, MIN(kind) FROM (
         SELECT * FROM (SELECT uuid, kind FROM content_identities WHERE uuid >= ? ORDER BY uuid LIMIT ?)
         UNION ALL SELECT * FROM (SELECT content_uuid, MIN(kind) FROM peer_contents WHERE content_uuid >= ? GROUP BY content_uuid ORDER BY content_uuid LIMIT ?))
       GROUP BY uuid ORDER BY uuid LIMIT ?`,
    ).raw().all(uuid, limit, uuid, limit, limit);
  }

  /** A content's kind, here or as a paired device holds it; undefined when neither knows it. */
  kindOfAnywhere(uuid: string): string | undefined {
    return this.sql<[string, string], string | null>(
      'SELECT coalesce((SELECT kind FROM content_identities WHERE uuid = ?), (SELECT kind FROM peer_contents WHERE content_uuid = ? LIMIT 1))',
    ).pluck().get(uuid, uuid) ?? undefined;
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
