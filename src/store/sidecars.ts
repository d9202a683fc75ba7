import type { Db } from '../db/connection.js';
import type { SidecarKind } from '../sidecars/kinds.js';
import type { SidecarSource, SidecarStatus } from '../sidecars/manager.js';
import { statementCache, type Prepared } from './statements.js';

/** A `sidecars` row: one derived file of one content, its state and where it came from (DESIGN §3). */
export interface SidecarRecord {
  id: number;
  uuid: string;
  content_uuid: string;
  kind: SidecarKind;
  variant: string;
  format: string;
  rel_path: string;
  source_entry_id: number | null;
  size: number | null;
  checksum: string | null;
  status: SidecarStatus;
  source: SidecarSource;
  generator: string | null;
  error: string | null;
  attempts: number;
  created_at: number;
  updated_at: number;
}

/** A pending sidecar that no open job makes, with its content's size (queueStranded). */
export interface StrandedSidecar {
  id: number;
  content_uuid: string;
  /** The content's size, or null when the content is gone. */
  size: number | null;
}

/** The `sidecars` table. */
export class SidecarStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  // -- Reads the job queue needs (jobs helper, issue 18).

  /** The sidecars of KIND of one content, by variant. */
  ofContentKind(contentUuid: string, kind: string): SidecarRecord[] {
    return this.sql<[string, string], SidecarRecord>('SELECT * FROM sidecars WHERE content_uuid = ? AND kind = ? ORDER BY variant').all(contentUuid, kind);
  }

  /** The sidecars of KIND of one content whose status is one of STATUSES. */
  ofContentKindIn(contentUuid: string, kind: string, statuses: readonly SidecarStatus[]): SidecarRecord[] {
    return this.sql<[string, string, string], SidecarRecord>(
      'SELECT * FROM sidecars WHERE content_uuid = ? AND kind = ? AND status IN (SELECT value FROM json_each(?))',
    ).all(contentUuid, kind, JSON.stringify(statuses));
  }

  /** Every sidecar of KIND with STATUS (through the (kind, status) index). */
  ofKindWithStatus(kind: string, status: SidecarStatus): SidecarRecord[] {
    return this.sql<[string, string], SidecarRecord>('SELECT * FROM sidecars WHERE kind = ? AND status = ?').all(kind, status);
  }

  /**
   * Pending sidecars of KIND after row AFTER (in id order, LIMIT of them) whose content has no
   * open job of that kind: owed work nothing is making.
   */
  pendingWithoutJob(kind: string, after: number, limit: number): StrandedSidecar[] {
    return this.sql<[string, number, number], StrandedSidecar>(
      `SELECT s.id, s.content_uuid, c.size FROM sidecars s LEFT JOIN content_identities c ON c.uuid = s.content_uuid
       WHERE s.kind = ? AND s.status = 'pending' AND s.id > ?
         AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.kind = s.kind AND j.content_uuid = s.content_uuid AND j.status IN ('queued', 'running', 'paused'))
       ORDER BY s.id LIMIT ?`,
    ).all(kind, after, limit);
  }
}
