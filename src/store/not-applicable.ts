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
}
