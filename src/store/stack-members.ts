import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/** A `stack_members` row: whether a content is in a stack, as the newest operation on the pair says. */
export interface StackMemberRecord {
  stack_uuid: string;
  content_uuid: string;
  present: 0 | 1;
  hlc: string;
}

/** The `stack_members` table (migration 038): which content is in which stack; a removal is a tombstone with its stamp. */
export class StackMemberStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  /** Merge one operation stamped HLC: content CONTENTUUID is in stack STACKUUID (PRESENT) or not. */
  apply(stackUuid: string, contentUuid: string, present: boolean, hlc: string): void {
    this.sql<[string, string, number, string]>(
      `INSERT INTO stack_members (stack_uuid, content_uuid, present, hlc) VALUES (?, ?, ?, ?)
       ON CONFLICT(stack_uuid, content_uuid) DO UPDATE SET
         present = CASE WHEN excluded.hlc > stack_members.hlc THEN excluded.present ELSE stack_members.present END,
         hlc = max(stack_members.hlc, excluded.hlc)`,
    ).run(stackUuid, contentUuid, present ? 1 : 0, hlc);
  }

  /** Every row (tombstones too) of the stacks CONTENTUUIDS are or were in: what a scan checks before it stacks them. */
  rowsOfContents(contentUuids: readonly string[]): StackMemberRecord[] {
    return this.sql<[string], StackMemberRecord>(
      'SELECT * FROM stack_members WHERE content_uuid IN (SELECT value FROM json_each(?)) ORDER BY stack_uuid, content_uuid',
    ).all(JSON.stringify(contentUuids));
  }

  /** Every row (tombstones too) of stack STACKUUID. */
  rowsOf(stackUuid: string): StackMemberRecord[] {
    return this.sql<[string], StackMemberRecord>('SELECT * FROM stack_members WHERE stack_uuid = ? ORDER BY content_uuid').all(stackUuid);
  }

  all(): StackMemberRecord[] {
    return this.sql<[], StackMemberRecord>('SELECT * FROM stack_members ORDER BY stack_uuid, content_uuid').all();
  }
}
