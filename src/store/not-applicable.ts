import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/** A `sidecar_not_applicable` row: a sidecar a content will never have, and why (a video without sound has no transcript). */
export interface NotApplicableRecord {
  content_uuid: string;
  kind: string;
  variant: string;
  reason: string;
  generator: string | null;
  created_at: number;
}

/** What a content has of one (kind, variant): its sidecar's status, or `not-applicable`. */
export interface KnownSidecar {
  kind: string;
  variant: string;
  status: string;
}

/** The `sidecar_not_applicable` table. */
export class NotApplicableStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  /**
   * Everything CONTENTUUID has or will never have, in one indexed read: its sidecars' statuses
   * and, as `not-applicable`, the ones it never gets (what queueing must not ask for again).
   */
  knownOf(contentUuid: string): KnownSidecar[] {
    return this.sql<[string, string], KnownSidecar>(
      `SELECT kind, variant, status FROM sidecars WHERE content_uuid = ?
       UNION ALL SELECT kind, variant, 'not-applicable' FROM sidecar_not_applicable WHERE content_uuid = ?`,
    ).all(contentUuid, contentUuid);
  }

  set(r: NotApplicableRecord): void {
    this.sql<[string, string, string, string, string | null, number]>(
      'INSERT OR REPLACE INTO sidecar_not_applicable (content_uuid, kind, variant, reason, generator, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(r.content_uuid, r.kind, r.variant, r.reason, r.generator, r.created_at);
  }

  /** Forget every answer of KINDS; how many went. */
  clearKinds(kinds: readonly string[]): number {
    return this.sql<[string]>('DELETE FROM sidecar_not_applicable WHERE kind IN (SELECT value FROM json_each(?))').run(JSON.stringify(kinds)).changes;
  }

  reason(contentUuid: string, kind: string, variant: string): string | undefined {
    return this.sql<[string, string, string], string>('SELECT reason FROM sidecar_not_applicable WHERE content_uuid = ? AND kind = ? AND variant = ?')
      .pluck().get(contentUuid, kind, variant);
  }

  /** Every answer of a content gone (the content left the library). */
  deleteOfContent(contentUuid: string): void {
    this.sql<[string]>('DELETE FROM sidecar_not_applicable WHERE content_uuid = ?').run(contentUuid);
  }
}
