import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/** The kinds of stack (issue 45): a RAW with its camera's JPEG, or a burst's frames. */
export type StackKind = 'raw+jpeg' | 'burst';

/** A `stacks` row (migration 038): each field with the stamp of the operation that set it ('' before any did). */
export interface StackRecord {
  uuid: string;
  kind: string;
  kind_hlc: string;
  /** The cover the rules pick (the same on every device that finds the stack). */
  auto_cover: string | null;
  auto_cover_hlc: string;
  /** The cover a user chose; null: the rules'. */
  cover: string | null;
  cover_hlc: string;
  deleted: 0 | 1;
  deleted_hlc: string;
}

/** What one operation says of a stack: the fields it sets, under its stamp. */
export interface StackFields {
  kind?: StackKind;
  auto_cover?: string | null;
  cover?: string | null;
  deleted?: boolean;
}

/**
 * One present member of a stack not unstacked, with the stack's fields and whether the library
 * has a file of the content (here or on a paired device: one only the trash holds has none, so the
 * rest of its stack shows without it).
 */
export interface StackMemberRow {
  stack_uuid: string;
  kind: string;
  auto_cover: string | null;
  cover: string | null;
  content_uuid: string;
  known: 0 | 1;
}

/** A member row of a live stack, with whether a file of its content is here or on a paired device. */
const MEMBER_ROWS = `SELECT s.uuid AS stack_uuid, s.kind, s.auto_cover, s.cover, m.content_uuid,
    (EXISTS (SELECT 1 FROM entries e WHERE e.content_id = c.id AND e.kind = 'file')
     OR EXISTS (SELECT 1 FROM peer_contents p WHERE p.content_uuid = m.content_uuid)) AS known
  FROM stacks s JOIN stack_members m ON m.stack_uuid = s.uuid LEFT JOIN content_identities c ON c.uuid = m.content_uuid
  WHERE s.deleted = 0 AND s.kind <> '' AND m.present = 1`;

/** The `stacks` table: shared data, merged field by field (the newer stamp wins). */
export class StackStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  /** Merge what one operation stamped HLC says of stack UUID. */
  apply(uuid: string, hlc: string, f: StackFields): void {
    const at = (present: boolean) => (present ? hlc : '');
    this.sql<[string, string, string, string | null, string, string | null, string, number, string]>(
      `INSERT INTO stacks (uuid, kind, kind_hlc, auto_cover, auto_cover_hlc, cover, cover_hlc, deleted, deleted_hlc)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(uuid) DO UPDATE SET
         kind = CASE WHEN excluded.kind_hlc > stacks.kind_hlc THEN excluded.kind ELSE stacks.kind END,
         kind_hlc = max(stacks.kind_hlc, excluded.kind_hlc),
         auto_cover = CASE WHEN excluded.auto_cover_hlc > stacks.auto_cover_hlc THEN excluded.auto_cover ELSE stacks.auto_cover END,
         auto_cover_hlc = max(stacks.auto_cover_hlc, excluded.auto_cover_hlc),
         cover = CASE WHEN excluded.cover_hlc > stacks.cover_hlc THEN excluded.cover ELSE stacks.cover END,
         cover_hlc = max(stacks.cover_hlc, excluded.cover_hlc),
         deleted = CASE WHEN excluded.deleted_hlc > stacks.deleted_hlc THEN excluded.deleted ELSE stacks.deleted END,
         deleted_hlc = max(stacks.deleted_hlc, excluded.deleted_hlc)`,
    ).run(
      uuid, f.kind ?? '', at(f.kind !== undefined), f.auto_cover ?? null, at(f.auto_cover !== undefined),
      f.cover ?? null, at(f.cover !== undefined), f.deleted ? 1 : 0, at(f.deleted !== undefined),
    );
  }

  /** A number every change of the stacks' tables moves (migration 038's triggers). */
  version(): number {
    return this.sql<[], number>('SELECT n FROM stacks_version WHERE id = 1').pluck().get() ?? 0;
  }

  get(uuid: string): StackRecord | undefined {
    return this.sql<[string], StackRecord>('SELECT * FROM stacks WHERE uuid = ?').get(uuid);
  }

  /** The stacks of UUIDS that exist (unstacked ones too: a scan leaves those alone). */
  some(uuids: readonly string[]): StackRecord[] {
    return this.sql<[string], StackRecord>('SELECT * FROM stacks WHERE uuid IN (SELECT value FROM json_each(?))').all(JSON.stringify(uuids));
  }

  /**
   * Every present member of every stack not unstacked, with its stack's fields and whether the
   * library has a file of the content (this device's or a paired device's; a content only the
   * trash holds has none): what the stacks are now is worked out from these
   * (`stacks/effective-stacks.ts`).
   */
  memberRows(): StackMemberRow[] {
    return this.sql<[], StackMemberRow>(`${MEMBER_ROWS} ORDER BY s.uuid, m.content_uuid`).all();
  }

  /** As memberRows, for the stacks CONTENTUUIDS are in only (what a tag or an album given to them reaches). */
  memberRowsOfContents(contentUuids: readonly string[]): StackMemberRow[] {
    return this.sql<[string], StackMemberRow>(
      `${MEMBER_ROWS} AND s.uuid IN (SELECT stack_uuid FROM stack_members WHERE content_uuid IN (SELECT value FROM json_each(?)) AND present = 1)
       ORDER BY s.uuid, m.content_uuid`,
    ).all(JSON.stringify(contentUuids));
  }

  /** Every row as stored (a full-state copy for a device away too long). */
  all(): StackRecord[] {
    return this.sql<[], StackRecord>('SELECT * FROM stacks ORDER BY uuid').all();
  }
}
