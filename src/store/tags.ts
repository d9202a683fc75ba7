import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/** A `tags` row (DESIGN §16): each field with the stamp of the operation that set it ('' before any did). */
export interface TagRecord {
  uuid: string;
  name: string;
  name_hlc: string;
  color: string | null;
  color_hlc: string;
  parent_uuid: string | null;
  parent_hlc: string;
  deleted: 0 | 1;
  deleted_hlc: string;
}

/** What one operation says of a tag: the fields it sets, under its stamp (a field it leaves out is not touched). */
export interface TagFields {
  name?: string;
  color?: string | null;
  parent?: string | null;
  deleted?: boolean;
}

/** A live tag with how many contents carry it. */
export interface TagCountRecord extends TagRecord {
  contents: number;
}

/**
 * The `tags` table: shared data, merged field by field (the newer stamp wins, migration 017). A
 * tag an operation reached before the one that created it has no name yet (`name_hlc` ''): it is
 * kept, not shown.
 */
export class TagStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  /** Merge what one operation stamped HLC says of tag UUID. */
  apply(uuid: string, hlc: string, f: TagFields): void {
    const at = (present: boolean) => (present ? hlc : '');
    this.sql<[string, string, string, string | null, string, string | null, string, number, string]>(
      `INSERT INTO tags (uuid, name, name_hlc, color, color_hlc, parent_uuid, parent_hlc, deleted, deleted_hlc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(uuid) DO UPDATE SET
         name = CASE WHEN excluded.name_hlc > tags.name_hlc THEN excluded.name ELSE tags.name END,
         name_hlc = max(tags.name_hlc, excluded.name_hlc),
         color = CASE WHEN excluded.color_hlc > tags.color_hlc THEN excluded.color ELSE tags.color END,
         color_hlc = max(tags.color_hlc, excluded.color_hlc),
         parent_uuid = CASE WHEN excluded.parent_hlc > tags.parent_hlc THEN excluded.parent_uuid ELSE tags.parent_uuid END,
         parent_hlc = max(tags.parent_hlc, excluded.parent_hlc),
         deleted = CASE WHEN excluded.deleted_hlc > tags.deleted_hlc THEN excluded.deleted ELSE tags.deleted END,
         deleted_hlc = max(tags.deleted_hlc, excluded.deleted_hlc)`,
    ).run(
      uuid, f.name ?? '', at(f.name !== undefined), f.color ?? null, at(f.color !== undefined),
      f.parent ?? null, at(f.parent !== undefined), f.deleted ? 1 : 0, at(f.deleted !== undefined),
    );
  }

  get(uuid: string): TagRecord | undefined {
    return this.sql<[string], TagRecord>('SELECT * FROM tags WHERE uuid = ?').get(uuid);
  }

  /** Every tag that is named and not deleted, with how many contents carry it, by name. */
  live(): TagCountRecord[] {
    return this.sql<[], TagCountRecord>(
      `SELECT t.*, (SELECT count(*) FROM metadata_tag m WHERE m.tag_uuid = t.uuid AND m.present = 1) AS contents
       FROM tags t WHERE t.deleted = 0 AND t.name_hlc <> '' ORDER BY t.name COLLATE NOCASE, t.uuid`,
    ).all();
  }

  /** The live tags named NAME (any case): more than one when two devices made the same name. */
  named(name: string): TagRecord[] {
    return this.sql<[string], TagRecord>(`SELECT * FROM tags WHERE name = ? COLLATE NOCASE AND deleted = 0 AND name_hlc <> '' ORDER BY uuid`).all(name);
  }

  /** Every tag's parent (live or not): for walking the tree. */
  parents(): Array<Pick<TagRecord, 'uuid' | 'parent_uuid' | 'parent_hlc' | 'deleted'>> {
    return this.sql<[], Pick<TagRecord, 'uuid' | 'parent_uuid' | 'parent_hlc' | 'deleted'>>('SELECT uuid, parent_uuid, parent_hlc, deleted FROM tags').all();
  }

  /** Every row as stored (a full-state copy for a device away too long; tests comparing two devices). */
  all(): TagRecord[] {
    return this.sql<[], TagRecord>('SELECT * FROM tags ORDER BY uuid').all();
  }
}
