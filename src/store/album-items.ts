import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/** An `album_items` row: whether a content is in an album, as the newest operation on the pair says. */
export interface AlbumItemRecord {
  album_uuid: string;
  content_uuid: string;
  present: 0 | 1;
  hlc: string;
}

/** The `album_items` table (migration 030): which content was put in which album; a removal is a tombstone with its stamp. */
export class AlbumItemStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  /** Merge one operation stamped HLC: content CONTENTUUID is in album ALBUMUUID (PRESENT) or not. */
  apply(albumUuid: string, contentUuid: string, present: boolean, hlc: string): void {
    this.sql<[string, string, number, string]>(
      `INSERT INTO album_items (album_uuid, content_uuid, present, hlc) VALUES (?, ?, ?, ?)
       ON CONFLICT(album_uuid, content_uuid) DO UPDATE SET
         present = CASE WHEN excluded.hlc > album_items.hlc THEN excluded.present ELSE album_items.present END,
         hlc = max(album_items.hlc, excluded.hlc)`,
    ).run(albumUuid, contentUuid, present ? 1 : 0, hlc);
  }

  /** The contents in ALBUMUUID now, by uuid. */
  contentsOf(albumUuid: string): string[] {
    return this.sql<[string], string>('SELECT content_uuid FROM album_items WHERE album_uuid = ? AND present = 1 ORDER BY content_uuid').pluck().all(albumUuid);
  }

  /** The first content in ALBUMUUID by uuid (a cover when none was chosen), or null. */
  first(albumUuid: string): string | null {
    return this.sql<[string], string>('SELECT content_uuid FROM album_items WHERE album_uuid = ? AND present = 1 ORDER BY content_uuid LIMIT 1').pluck().get(albumUuid) ?? null;
  }

  /** The albums CONTENTUUID was put in (live or not: the caller knows which albums are). */
  albumsOf(contentUuid: string): string[] {
    return this.sql<[string], string>('SELECT album_uuid FROM album_items WHERE content_uuid = ? AND present = 1').pluck().all(contentUuid);
  }

  all(): AlbumItemRecord[] {
    return this.sql<[], AlbumItemRecord>('SELECT * FROM album_items ORDER BY album_uuid, content_uuid').all();
  }
}
