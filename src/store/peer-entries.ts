import type { Db } from '../db/connection.js';
import { VssError } from '../core/errors.js';
import type { EntryKind } from './entries.js';
import { statementCache, type Prepared } from './statements.js';

/** A `peer_entries` row: a file or folder of a paired device's location, as its owner sent it (DESIGN §15). */
export interface PeerEntryRecord {
  device_uuid: string;
  location_id: number;
  /** The folder it is in, relative to the location ('' for the location's own folder). */
  dir_path: string;
  name: string;
  kind: EntryKind;
  size: number;
  mtime_ms: number | null;
  /** Its content: `peer_contents.id` of the same device's row (an id of this library's, never sent). */
  content_id: number | null;
  /** The pull that last confirmed it (PeerLibraryCursorRecord.pull_number). */
  pull: number;
  /** When its owner last verified its bytes (ms; migration 024), null: never, or an owner that does not say. */
  verified_at: number | null;
}

/** A row as read: its content by uuid, as the owner named it. */
export type PeerEntry = Omit<PeerEntryRecord, 'content_id'> & { content_uuid: string | null; content_kind: string | null };

export type PeerEntryFacts = Pick<PeerEntry, 'name' | 'kind' | 'size' | 'mtime_ms' | 'content_uuid'> & Partial<Pick<PeerEntry, 'verified_at'>>;

/* One row a statement: faster here than a many-row upsert (see peer-contents.ts). */
const PUT = `INSERT INTO peer_entries (device_uuid, location_id, dir_path, name, kind, size, mtime_ms, content_id, pull, verified_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(device_uuid, location_id, dir_path, name) DO UPDATE SET kind = excluded.kind,
  size = excluded.size, mtime_ms = excluded.mtime_ms, content_id = excluded.content_id, pull = excluded.pull, verified_at = excluded.verified_at`;

/** PeerEntry rows, of peer_entries e (a join: cheaper than a look-up of each row's content uuid). */
const ENTRIES = `SELECT e.device_uuid, e.location_id, e.dir_path, e.name, e.kind, e.size, e.mtime_ms, c.content_uuid, c.kind AS content_kind, e.pull, e.verified_at
  FROM peer_entries e LEFT JOIN peer_contents c ON c.id = e.content_id`;

/** The uuids of the contents of the rows a DELETE … RETURNING removed (their rows in peer_contents stay until dropUnheld). */
const REMOVED_CONTENT = '(SELECT c.content_uuid FROM peer_contents c WHERE c.id = content_id)';

/** The range of dir_path values beneath folder PATH: from 'PATH/' up to, not including, 'PATH0' ('0' follows '/'). */
export function beneath(path: string): [string, string] {
  return path === '' ? ['', '\u{10FFFF}'] : [`${path}/`, `${path}0`];
}

/** The `peer_entries` table: written only from what the owner sent, never edited here. */
export class PeerEntryStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  /** A folder's listing on DEVICE, by name: LIMIT rows after AFTERNAME. */
  listing(deviceUuid: string, locationId: number, dirPath: string, afterName = '', limit = 10_000): PeerEntry[] {
    return this.sql<[string, number, string, string, number], PeerEntry>(
      `${ENTRIES} WHERE e.device_uuid = ? AND e.location_id = ? AND e.dir_path = ? AND e.name > ? ORDER BY e.name LIMIT ?`,
    ).all(deviceUuid, locationId, dirPath, afterName, limit);
  }

  /**
   * A folder's listing on DEVICE as its owner sent it, with the facts of each row's content, by
   * name: LIMIT rows after AFTERNAME (what a member passes on: src/sync/library/forward-changes.ts).
   */
  listingToForward(deviceUuid: string, locationId: number, dirPath: string, afterName: string, limit: number): ForwardListingRow[] {
    const st = this.sql<[string, number, string, string, number], ForwardListingRow>(
      `SELECT e.name, e.kind, e.size, e.mtime_ms, c.content_uuid, c.cas_id, c.cas_version, c.kind, c.mime, c.size, c.media_metadata, e.verified_at
       FROM peer_entries e LEFT JOIN peer_contents c ON c.id = e.content_id
       WHERE e.device_uuid = ? AND e.location_id = ? AND e.dir_path = ? AND e.name > ? ORDER BY e.name LIMIT ?`,
    );
    st.raw(true);
    return st.all(deviceUuid, locationId, dirPath, afterName, limit);
  }

  /** One row of DEVICE: the entry NAME in folder DIRPATH. */
  get(deviceUuid: string, locationId: number, dirPath: string, name: string): PeerEntry | undefined {
    return this.sql<[string, number, string, string], PeerEntry>(
      `${ENTRIES} WHERE e.device_uuid = ? AND e.location_id = ? AND e.dir_path = ? AND e.name = ?`,
    ).get(deviceUuid, locationId, dirPath, name);
  }

  /** Whether DEVICE has any row here. */
  anyOf(deviceUuid: string): boolean {
    return this.sql<[string]>('SELECT 1 FROM peer_entries WHERE device_uuid = ? LIMIT 1').get(deviceUuid) !== undefined;
  }

  /** Where copies of a content are on other devices, LIMIT of them. */
  copiesOf(contentUuid: string, limit = 100): PeerEntry[] {
    return this.sql<[string, number], PeerEntry>(
      `SELECT e.device_uuid, e.location_id, e.dir_path, e.name, e.kind, e.size, e.mtime_ms, c.content_uuid, e.pull, e.verified_at
       FROM peer_contents c JOIN peer_entries e ON e.content_id = c.id
       WHERE c.content_uuid = ? AND e.kind = 'file' ORDER BY e.device_uuid, e.location_id, e.dir_path, e.name LIMIT ?`,
    ).all(contentUuid, limit);
  }

  /** Paired devices' identified files named NAME in any case (ASCII), LIMIT of them: as EntryReads.filesNamed, a read of the table. */
  filesNamed(name: string, limit: number): PeerNamedFile[] {
    return this.sql<[string, number], PeerNamedFile>(
      `SELECT c.content_uuid, e.device_uuid, l.name AS location_name, e.dir_path, e.name
       FROM peer_entries e JOIN peer_contents c ON c.id = e.content_id
       JOIN peer_locations l ON l.device_uuid = e.device_uuid AND l.location_id = e.location_id
       WHERE e.name = ? COLLATE NOCASE AND e.kind = 'file' ORDER BY e.device_uuid, e.location_id, e.dir_path LIMIT ?`,
    ).all(name, limit);
  }

  /** The copies on paired devices of these contents (a page of a list), with their location's name and folder there. */
  copiesOfMany(contentUuids: readonly string[]): PeerCopy[] {
    return this.sql<[string], PeerCopy>(
      `SELECT c.content_uuid, e.device_uuid, e.location_id, e.dir_path, e.name, l.name AS location_name, l.path AS location_path
       FROM peer_contents c JOIN peer_entries e ON e.content_id = c.id
       JOIN peer_locations l ON l.device_uuid = e.device_uuid AND l.location_id = e.location_id
       WHERE c.content_uuid IN (SELECT value FROM json_each(?)) AND e.kind = 'file'
       ORDER BY c.content_uuid, e.device_uuid, e.location_id, e.dir_path, e.name`,
    ).all(JSON.stringify(contentUuids));
  }

  /**
   * Write the rows of one folder as the owner sent them, marked with PULL. Their contents are
   * written first (PeerContentStore.putMany): a row names its content by that row's id, taken from
   * CONTENTIDS (what putMany returned) or else looked up.
   */
  putMany(deviceUuid: string, locationId: number, dirPath: string, rows: readonly PeerEntryFacts[], pull: number, contentIds?: ReadonlyMap<string, number>): void {
    const put = this.sql<[string, number, string, string, string, number, number | null, number | null, number, number | null]>(PUT);
    for (const r of rows) {
      const c = r.content_uuid === null ? null : contentIds?.get(r.content_uuid) ?? this.contentId(deviceUuid, r.content_uuid, dirPath, r.name);
      put.run(deviceUuid, locationId, dirPath, r.name, r.kind, r.size, r.mtime_ms, c, pull, r.verified_at ?? null);
    }
  }

  private contentId(deviceUuid: string, contentUuid: string, dirPath: string, name: string): number {
    const id = this.sql<[string, string], number>('SELECT id FROM peer_contents WHERE content_uuid = ? AND device_uuid = ?').pluck().get(contentUuid, deviceUuid);
    if (id === undefined) throw new VssError('NOT_FOUND', `peer entry ${JSON.stringify(dirPath === '' ? name : `${dirPath}/${name}`)} of ${deviceUuid} holds content ${contentUuid}, which that device's contents do not describe`);
    return id;
  }

  /**
   * A folder's whole listing came with PULL: its rows that pull did not confirm are gone on the
   * owner, and so is everything beneath those that were folders. How many rows were removed.
   */
  sweepFolder(deviceUuid: string, locationId: number, dirPath: string, pull: number): Removed {
    const gone = this.sql<[string, number, string, number], { name: string; kind: EntryKind; content_uuid: string | null }>(
      `DELETE FROM peer_entries WHERE device_uuid = ? AND location_id = ? AND dir_path = ? AND pull <> ? RETURNING name, kind, ${REMOVED_CONTENT} AS content_uuid`,
    ).all(deviceUuid, locationId, dirPath, pull);
    const removed: Removed = { rows: gone.length, contents: [], folders: [] };
    for (const g of gone) {
      if (g.content_uuid !== null) removed.contents.push(g.content_uuid);
      if (g.kind !== 'dir') continue;
      const path = dirPath === '' ? g.name : `${dirPath}/${g.name}`;
      removed.folders!.push(path);
      const sub = this.dropFolder(deviceUuid, locationId, path);
      removed.rows += sub.rows;
      removed.contents.push(...sub.contents);
    }
    // A folder the owner replaced by a file (or a link) of the same name: its row stays, confirmed,
    // but what was beneath it is gone on the owner.
    const prefix = dirPath === '' ? '' : `${dirPath}/`;
    const unfoldered = this.sql<[string, number, string, string, string], string>(
      `SELECT e.name FROM peer_entries e WHERE e.device_uuid = ? AND e.location_id = ? AND e.dir_path = ? AND e.kind <> 'dir' AND (
         EXISTS (SELECT 1 FROM peer_entries s WHERE s.device_uuid = e.device_uuid AND s.location_id = e.location_id AND s.dir_path = ? || e.name)
         OR EXISTS (SELECT 1 FROM peer_folders f WHERE f.device_uuid = e.device_uuid AND f.location_id = e.location_id AND f.path = ? || e.name))`,
    ).pluck().all(deviceUuid, locationId, dirPath, prefix, prefix);
    for (const name of unfoldered) {
      const path = prefix + name;
      removed.folders!.push(path);
      const sub = this.dropFolder(deviceUuid, locationId, path);
      removed.rows += sub.rows;
      removed.contents.push(...sub.contents);
    }
    return removed;
  }

  /** Everything in and beneath folder PATH of a location of DEVICE. */
  dropFolder(deviceUuid: string, locationId: number, path: string): Removed {
    const [from, to] = beneath(path);
    return removedOf(this.sql<[string, number, string, string, string], string | null>(
      `DELETE FROM peer_entries WHERE device_uuid = ? AND location_id = ? AND (dir_path = ? OR (dir_path >= ? AND dir_path < ?)) RETURNING ${REMOVED_CONTENT}`,
    ).pluck().all(deviceUuid, locationId, path, from, to));
  }

  /** After a full copy: DEVICE's rows it did not confirm (folders gone or left out) go. */
  sweepDevice(deviceUuid: string, pull: number): Removed {
    return removedOf(this.sql<[string, number], string | null>(`DELETE FROM peer_entries WHERE device_uuid = ? AND pull <> ? RETURNING ${REMOVED_CONTENT}`).pluck().all(deviceUuid, pull));
  }

  dropLocation(deviceUuid: string, locationId: number): Removed {
    return removedOf(this.sql<[string, number], string | null>(`DELETE FROM peer_entries WHERE device_uuid = ? AND location_id = ? RETURNING ${REMOVED_CONTENT}`).pluck().all(deviceUuid, locationId));
  }

  dropDevice(deviceUuid: string): Removed {
    return removedOf(this.sql<[string], string | null>(`DELETE FROM peer_entries WHERE device_uuid = ? RETURNING ${REMOVED_CONTENT}`).pluck().all(deviceUuid));
  }

  /** DEVICE's rows: files and folders. */
  count(deviceUuid: string): { files: number; dirs: number } {
    return this.sql<[string], { files: number; dirs: number }>(
      "SELECT COALESCE(SUM(kind = 'file'), 0) AS files, COALESCE(SUM(kind = 'dir'), 0) AS dirs FROM peer_entries WHERE device_uuid = ?",
    ).get(deviceUuid)!;
  }
}

/** [name, kind, size, mtime ms, content uuid, cas id, cas version, content kind, mime, content size, media metadata, verified at]. */
export type ForwardListingRow = [string, EntryKind, number, number | null, string | null, string | null, number | null, string | null, string | null, number | null, string | null, number | null];

/** A copy of a content on a paired device: where, in the owner's terms. */
export interface PeerCopy {
  content_uuid: string;
  device_uuid: string;
  location_id: number;
  dir_path: string;
  name: string;
  location_name: string;
  location_path: string;
}

/** A file of a paired device found by its name: its content and where it is, in the owner's terms. */
export type PeerNamedFile = Pick<PeerCopy, 'content_uuid' | 'device_uuid' | 'location_name' | 'dir_path' | 'name'>;

/** Rows removed, and the contents they held (their names and copies changed). */
export interface Removed {
  rows: number;
  contents: string[];
  /** Folders removed (a sweep's: each with everything beneath it). */
  folders?: string[];
}

function removedOf(contents: Array<string | null>): Removed {
  return { rows: contents.length, contents: contents.filter((c): c is string => c !== null) };
}
