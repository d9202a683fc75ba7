import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/** What an object is: a folder, or a file outside every location (issue 59). */
export type ObjectKind = 'folder' | 'file';

/** An `objects` row (migration 045): each shared field with the stamp of the operation that set it. */
export interface ObjectRecord {
  uuid: string;
  device_uuid: string;
  kind: string;
  path: string;
  content_uuid: string | null;
  deleted: 0 | 1;
  /** This device's own objects: what was at `path` when it was last looked at. */
  inode: number | null;
  dev: number | null;
  /** Its birth time (ms) when looked at, where the filesystem keeps one (0: it does not). */
  born: number | null;
}

/** What one operation says of an object: the fields it sets, under its stamp. */
export interface ObjectFields {
  device?: string;
  kind?: ObjectKind;
  path?: string;
  content?: string | null;
  deleted?: boolean;
}

/** The `objects` table: shared data, merged field by field (the newer stamp wins). */
export class ObjectStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  /** Merge what one operation stamped HLC says of object UUID. */
  apply(uuid: string, hlc: string, f: ObjectFields): void {
    const at = (present: boolean) => (present ? hlc : '');
    // Each field taken with its stamp when that stamp is newer than the one the row holds.
    const field = (col: string, stamp: string) => `${col} = CASE WHEN excluded.${stamp} > objects.${stamp} THEN excluded.${col} ELSE objects.${col} END, ${stamp} = max(objects.${stamp}, excluded.${stamp})`;
    this.sql<[string, string, string, string, string, string, string, string | null, string, number, string]>(
      `INSERT INTO objects (uuid, device_uuid, device_hlc, kind, kind_hlc, path, path_hlc, content_uuid, content_hlc, deleted, deleted_hlc)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(uuid) DO UPDATE SET ${field('device_uuid', 'device_hlc')}, ${field('kind', 'kind_hlc')}, ${field('path', 'path_hlc')},
         ${field('content_uuid', 'content_hlc')}, ${field('deleted', 'deleted_hlc')}`,
    ).run(
      uuid, f.device ?? '', at(f.device !== undefined), f.kind ?? '', at(f.kind !== undefined), f.path ?? '', at(f.path !== undefined),
      f.content ?? null, at(f.content !== undefined), f.deleted ? 1 : 0, at(f.deleted !== undefined),
    );
  }

  /** Every row with its stamps, as the full state of shared data gives it (tags/shared-log.ts). */
  all(): Array<ObjectRecord & { device_hlc: string; kind_hlc: string; path_hlc: string; content_hlc: string; deleted_hlc: string }> {
    return this.sql<[], ObjectRecord & { device_hlc: string; kind_hlc: string; path_hlc: string; content_hlc: string; deleted_hlc: string }>('SELECT * FROM objects ORDER BY uuid').all();
  }

  byUuid(uuid: string): ObjectRecord | undefined {
    return this.sql<[string], ObjectRecord>('SELECT uuid, device_uuid, kind, path, content_uuid, deleted, inode, dev, born FROM objects WHERE uuid = ?').get(uuid);
  }

  /** The live object of DEVICE at PATH, if any. */
  at(device: string, path: string): ObjectRecord | undefined {
    return this.sql<[string, string], ObjectRecord>('SELECT uuid, device_uuid, kind, path, content_uuid, deleted, inode, dev, born FROM objects WHERE device_uuid = ? AND path = ? AND deleted = 0').get(device, path);
  }

  /** The live objects of DEVICE last seen as INODE on DEV (one renamed or moved within its drive since). */
  byInode(device: string, inode: number, dev: number): ObjectRecord[] {
    return this.sql<[string, number, number], ObjectRecord>('SELECT uuid, device_uuid, kind, path, content_uuid, deleted, inode, dev, born FROM objects WHERE device_uuid = ? AND inode = ? AND dev = ? AND deleted = 0').all(device, inode, dev);
  }

  /** The live objects of DEVICE beneath folder DIR (not DIR itself). */
  beneath(device: string, dir: string): ObjectRecord[] {
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    return this.sql<[string, number, string], ObjectRecord>(
      'SELECT uuid, device_uuid, kind, path, content_uuid, deleted, inode, dev, born FROM objects WHERE device_uuid = ? AND deleted = 0 AND substr(path, 1, ?) = ?',
    ).all(device, prefix.length, prefix).filter((o) => o.path.startsWith(prefix));
  }

  /** This device's look at its object UUID: what was at its path (never shared). */
  looked(uuid: string, inode: number, dev: number, born: number): void {
    this.sql<[number, number, number, string]>('UPDATE objects SET inode = ?, dev = ?, born = ? WHERE uuid = ?').run(inode, dev, born, uuid);
  }

  /**
   * Live objects that carry user data (a tag present, or metadata) by their own uuid or, a file,
   * by its content's: what a search's filters may meet. At most LIMIT, by uuid.
   */
  withUserData(limit: number): ObjectRecord[] {
    return this.sql<[number], ObjectRecord>(
      `SELECT uuid, device_uuid, kind, path, content_uuid, deleted, inode, dev, born FROM objects o WHERE deleted = 0 AND kind <> '' AND path <> ''
         AND (EXISTS (SELECT 1 FROM metadata_tag m WHERE m.content_uuid IN (o.uuid, o.content_uuid) AND m.present = 1)
           OR EXISTS (SELECT 1 FROM user_metadata u WHERE u.content_uuid IN (o.uuid, o.content_uuid)))
       ORDER BY uuid LIMIT ?`,
    ).all(limit);
  }
}
