import type { Db } from '../db/connection.js';
import { idsStarting, statementCache, type Prepared } from './statements.js';

/** An `albums` row (issue 32): each field with the stamp of the operation that set it ('' before any did). */
export interface AlbumRecord {
  uuid: string;
  name: string;
  name_hlc: string;
  parent_uuid: string | null;
  parent_hlc: string;
  /** A smart album's saved search; null: its contents are the ones put in it. */
  query: string | null;
  query_hlc: string;
  /** The content shown for it; null: its newest. */
  cover: string | null;
  cover_hlc: string;
  deleted: 0 | 1;
  deleted_hlc: string;
}

/** What one operation says of an album: the fields it sets, under its stamp. */
export interface AlbumFields {
  name?: string;
  parent?: string | null;
  query?: string | null;
  cover?: string | null;
  deleted?: boolean;
}

/** A live album with how many contents were put in it (0 for a smart album: its contents are searched). */
export interface AlbumCountRecord extends AlbumRecord {
  items: number;
}

/** The `albums` table: shared data, merged field by field (the newer stamp wins, migration 030). */
export class AlbumStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  /** Merge what one operation stamped HLC says of album UUID. */
  apply(uuid: string, hlc: string, f: AlbumFields): void {
    const at = (present: boolean) => (present ? hlc : '');
    this.sql<[string, string, string, string | null, string, string | null, string, string | null, string, number, string]>(
      `INSERT INTO albums (uuid, name, name_hlc, parent_uuid, parent_hlc, query, query_hlc, cover, cover_hlc, deleted, deleted_hlc)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(uuid) DO UPDATE SET
         name = CASE WHEN excluded.name_hlc > albums.name_hlc THEN excluded.name ELSE albums.name END,
         name_hlc = max(albums.name_hlc, excluded.name_hlc),
         parent_uuid = CASE WHEN excluded.parent_hlc > albums.parent_hlc THEN excluded.parent_uuid ELSE albums.parent_uuid END,
         parent_hlc = max(albums.parent_hlc, excluded.parent_hlc),
         query = CASE WHEN excluded.query_hlc > albums.query_hlc THEN excluded.query ELSE albums.query END,
         query_hlc = max(albums.query_hlc, excluded.query_hlc),
         cover = CASE WHEN excluded.cover_hlc > albums.cover_hlc THEN excluded.cover ELSE albums.cover END,
         cover_hlc = max(albums.cover_hlc, excluded.cover_hlc),
         deleted = CASE WHEN excluded.deleted_hlc > albums.deleted_hlc THEN excluded.deleted ELSE albums.deleted END,
         deleted_hlc = max(albums.deleted_hlc, excluded.deleted_hlc)`,
    ).run(
      uuid, f.name ?? '', at(f.name !== undefined), f.parent ?? null, at(f.parent !== undefined), f.query ?? null, at(f.query !== undefined),
      f.cover ?? null, at(f.cover !== undefined), f.deleted ? 1 : 0, at(f.deleted !== undefined),
    );
  }

  get(uuid: string): AlbumRecord | undefined {
    return this.sql<[string], AlbumRecord>('SELECT * FROM albums WHERE uuid = ?').get(uuid);
  }

  /** Every album that is named and not deleted, with how many contents were put in it, by name. */
  live(): AlbumCountRecord[] {
    return this.sql<[], AlbumCountRecord>(
      `SELECT a.*, (SELECT count(*) FROM album_items i WHERE i.album_uuid = a.uuid AND i.present = 1) AS items
       FROM albums a WHERE a.deleted = 0 AND a.name_hlc <> '' ORDER BY a.name COLLATE NOCASE, a.uuid`,
    ).all();
  }

  /** The albums (live or not) whose id starts START: a few, for a short id (core/short-id.ts). */
  uuidsStarting(start: string): string[] {
    return idsStarting(this.sql, 'albums', 'uuid', start);
  }

  /** The live albums named NAME (any case): more than one when two devices made the same name. */
  named(name: string): AlbumRecord[] {
    return this.sql<[string], AlbumRecord>(`SELECT * FROM albums WHERE name = ? COLLATE NOCASE AND deleted = 0 AND name_hlc <> '' ORDER BY uuid`).all(name);
  }

  /** Every album's parent (live or not): for walking the tree. */
  parents(): Array<Pick<AlbumRecord, 'uuid' | 'parent_uuid' | 'parent_hlc' | 'deleted'>> {
    return this.sql<[], Pick<AlbumRecord, 'uuid' | 'parent_uuid' | 'parent_hlc' | 'deleted'>>('SELECT uuid, parent_uuid, parent_hlc, deleted FROM albums').all();
  }

  /** Every row as stored (a full-state copy for a device away too long). */
  all(): AlbumRecord[] {
    return this.sql<[], AlbumRecord>('SELECT * FROM albums ORDER BY uuid').all();
  }
}
