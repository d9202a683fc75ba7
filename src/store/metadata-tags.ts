import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/** A `metadata_tag` row: whether a content carries a tag, as the newest operation on the pair says. */
export interface MetadataTagRecord {
  tag_uuid: string;
  content_uuid: string;
  present: 0 | 1;
  hlc: string;
}

/** The `metadata_tag` table: which content carries which tag; a removal is a tombstone (`present` 0) with its stamp. */
export class MetadataTagStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  /** Merge one operation stamped HLC: content CONTENTUUID carries tag TAGUUID (PRESENT) or not. */
  apply(tagUuid: string, contentUuid: string, present: boolean, hlc: string): void {
    this.sql<[string, string, number, string]>(
      `INSERT INTO metadata_tag (tag_uuid, content_uuid, present, hlc) VALUES (?, ?, ?, ?)
       ON CONFLICT(tag_uuid, content_uuid) DO UPDATE SET
         present = CASE WHEN excluded.hlc > metadata_tag.hlc THEN excluded.present ELSE metadata_tag.present END,
         hlc = max(metadata_tag.hlc, excluded.hlc)`,
    ).run(tagUuid, contentUuid, present ? 1 : 0, hlc);
  }

  /** The tags CONTENTUUID carries now. */
  tagsOf(contentUuid: string): string[] {
    return this.sql<[string], string>('SELECT tag_uuid FROM metadata_tag WHERE content_uuid = ? AND present = 1').pluck().all(contentUuid);
  }

  /** Every row of CONTENTUUID, removals (tombstones) included, with their stamps. */
  ofContent(contentUuid: string): MetadataTagRecord[] {
    return this.sql<[string], MetadataTagRecord>('SELECT * FROM metadata_tag WHERE content_uuid = ?').all(contentUuid);
  }

  /** The contents that carry TAGUUID now. */
  contentsOf(tagUuid: string): string[] {
    return this.sql<[string], string>('SELECT content_uuid FROM metadata_tag WHERE tag_uuid = ? AND present = 1 ORDER BY content_uuid').pluck().all(tagUuid);
  }

  /** How many contents carry any of TAGS, each once. */
  countCarrying(tags: readonly string[]): number {
    return this.sql<[string], number>('SELECT count(DISTINCT content_uuid) FROM metadata_tag WHERE tag_uuid IN (SELECT value FROM json_each(?)) AND present = 1').pluck().get(JSON.stringify(tags))!;
  }

  /** Every content with user metadata or a tag (what `xmp export` writes with no contents named), by uuid. */
  contentsWithMetadata(): string[] {
    return this.sql<[], string>(
      `SELECT content_uuid FROM user_metadata WHERE favorite_hlc <> '' OR rating_hlc <> '' OR note_hlc <> '' OR hidden_hlc <> ''
       UNION SELECT content_uuid FROM metadata_tag WHERE present = 1 ORDER BY 1`,
    ).pluck().all();
  }

  all(): MetadataTagRecord[] {
    return this.sql<[], MetadataTagRecord>('SELECT * FROM metadata_tag ORDER BY tag_uuid, content_uuid').all();
  }
}
