import type { Db } from '../db/connection.js';
import type { SidecarKind } from '../sidecars/kinds.js';
import { statementCache, type Prepared } from './statements.js';

export type SidecarSource = 'generated' | 'reference' | 'converted' | 'fetched';
export type SidecarStatus = 'pending' | 'generating' | 'ready' | 'failed' | 'missing';
export const SIDECAR_STATUSES: readonly SidecarStatus[] = ['pending', 'generating', 'ready', 'failed', 'missing'];

/** A `sidecars` row (DESIGN §3): one sidecar of one content, wherever its file is. */
export interface SidecarRecord {
  id: number;
  /** UUIDv5 of content_uuid|kind|variant: every device computes the same id. */
  uuid: string;
  content_uuid: string;
  kind: SidecarKind;
  variant: string;
  format: string;
  rel_path: string;
  /** A reference's file: the entry it is tracked at. */
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

/** A write of one row: the columns as stored; `generator` and `attempts` null keep what the row has. */
export type SidecarWrite = Omit<SidecarRecord, 'id' | 'created_at' | 'updated_at' | 'generator' | 'attempts'> & {
  generator: string | null;
  attempts: number | null;
};

/** Which sidecars a listing wants (all given: all must hold). */
export interface SidecarFilter {
  contentUuid?: string;
  kind?: SidecarKind;
  status?: SidecarStatus;
}

/** What reconcile reads of each row, in address order, as SQLite returns it (an array, not an object). */
export type SidecarAddressRow = [
  content_uuid: string, kind: SidecarKind, variant: string, format: string, status: SidecarStatus, source: SidecarSource,
  size: number | null, checksum: string | null, source_entry_id: number | null,
];

/** One presence cell: positions in the contents and variants asked, and what the row says. */
export type PresenceRow = [content: number, variant: number, status: SidecarStatus, source: SidecarSource, format: string, source_entry_id: number | null];

const ADDRESS_COLUMNS = 'content_uuid, kind, variant, format, status, source, size, checksum, source_entry_id';

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

  get(contentUuid: string, kind: string, variant: string): SidecarRecord | undefined {
    return this.sql<[string, string, string], SidecarRecord>('SELECT * FROM sidecars WHERE content_uuid = ? AND kind = ? AND variant = ?').get(contentUuid, kind, variant);
  }

  byUuid(uuid: string): SidecarRecord | undefined {
    return this.sql<[string], SidecarRecord>('SELECT * FROM sidecars WHERE uuid = ?').get(uuid);
  }

  /** Insert or update the row of W's address; the caller holds the transaction that writes its availability too. */
  upsert(w: SidecarWrite, now: number): void {
    this.sql(
      `INSERT INTO sidecars (uuid, content_uuid, kind, variant, format, rel_path, source_entry_id, size, checksum, status, source, generator, error, attempts, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, COALESCE(?, 0), ?, ?)
       ON CONFLICT(content_uuid, kind, variant) DO UPDATE SET
         format = excluded.format, rel_path = excluded.rel_path, source_entry_id = excluded.source_entry_id,
         size = excluded.size, checksum = excluded.checksum, status = excluded.status, source = excluded.source,
         generator = COALESCE(excluded.generator, sidecars.generator), error = excluded.error,
         attempts = COALESCE(?, sidecars.attempts), updated_at = excluded.updated_at`,
    ).run(w.uuid, w.content_uuid, w.kind, w.variant, w.format, w.rel_path, w.source_entry_id,
      w.size, w.checksum, w.status, w.source, w.generator, w.error, w.attempts, now, now, w.attempts);
  }

  /** Delete one sidecar's row; how many went (0 or 1). */
  delete(contentUuid: string, kind: string, variant: string): number {
    return this.sql<[string, string, string]>('DELETE FROM sidecars WHERE content_uuid = ? AND kind = ? AND variant = ?').run(contentUuid, kind, variant).changes;
  }

  /** Delete one sidecar's row only while it is still owed (pending, generating, missing); how many went. */
  deleteOwed(contentUuid: string, kind: string, variant: string): number {
    return this.sql<[string, string, string]>(
      "DELETE FROM sidecars WHERE content_uuid = ? AND kind = ? AND variant = ? AND status IN ('pending', 'generating', 'missing')",
    ).run(contentUuid, kind, variant).changes;
  }

  /** Rows matching FILTER after row id AFTERID, LIMIT of them, in id order. */
  page(filter: SidecarFilter, afterId: number, limit: number): SidecarRecord[] {
    const where: string[] = ['id > ?'];
    const args: Array<string | number> = [afterId];
    if (filter.contentUuid) { where.push('content_uuid = ?'); args.push(filter.contentUuid); }
    // Kind alone: `+kind` walks the table by id; the (kind, status) index would sort every row of the kind for each page.
    if (filter.kind) { where.push(filter.status ? 'kind = ?' : '+kind = ?'); args.push(filter.kind); }
    if (filter.status) { where.push('status = ?'); args.push(filter.status); }
    args.push(limit);
    return this.sql<Array<string | number>, SidecarRecord>(`SELECT * FROM sidecars WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`).all(...args);
  }

  /**
   * The rows of KIND for every pair of CONTENTUUIDS × VARIANTS that has one: one query (the lists
   * bound as single JSON parameters, one unique-index seek per pair), answering with list
   * positions instead of uuid strings. The hot path of every UI that shows thumbnails.
   */
  presence(contentUuids: readonly string[], kind: string, variants: readonly string[]): PresenceRow[] {
    return this.sql<[string, string, string], PresenceRow>(
      `SELECT c.key, v.key, s.status, s.source, s.format, s.source_entry_id
       FROM json_each(?) c CROSS JOIN json_each(?) v
       JOIN sidecars s ON s.content_uuid = c.value AND s.kind = ? AND s.variant = v.value`,
    ).raw().all(JSON.stringify(contentUuids), JSON.stringify(variants), kind);
  }

  /** One sidecar's [status, source, format], as SQLite returns it. */
  state(contentUuid: string, kind: string, variant: string): [SidecarStatus, SidecarSource, string] | undefined {
    return this.sql<[string, string, string], [SidecarStatus, SidecarSource, string]>(
      'SELECT status, source, format FROM sidecars WHERE content_uuid = ? AND kind = ? AND variant = ?',
    ).raw().get(contentUuid, kind, variant);
  }

  /** Every row's [content_uuid, kind, variant, status, source, format], streamed (a million rows cost no array). */
  eachState(): IterableIterator<[string, string, string, SidecarStatus, SidecarSource, string]> {
    return this.sql<[], [string, string, string, SidecarStatus, SidecarSource, string]>(
      'SELECT content_uuid, kind, variant, status, source, format FROM sidecars',
    ).raw().iterate();
  }

  /** The entry a sidecar's reference file is tracked at: null when none, undefined when there is no row. */
  sourceEntryOf(contentUuid: string, kind: string, variant: string): number | null | undefined {
    return this.sql<[string, string, string], number | null>('SELECT source_entry_id FROM sidecars WHERE content_uuid = ? AND kind = ? AND variant = ?')
      .pluck().get(contentUuid, kind, variant);
  }

  /** Up to LIMIT rows after address AFTER (from the first when absent), in (content_uuid, kind, variant) order. */
  inAddressOrder(after: readonly [string, string, string] | undefined, limit: number): SidecarAddressRow[] {
    if (!after) {
      return this.sql<[number], SidecarAddressRow>(`SELECT ${ADDRESS_COLUMNS} FROM sidecars ORDER BY content_uuid, kind, variant LIMIT ?`).raw().all(limit);
    }
    return this.sql<[string, string, string, number], SidecarAddressRow>(
      `SELECT ${ADDRESS_COLUMNS} FROM sidecars WHERE (content_uuid, kind, variant) > (?, ?, ?) ORDER BY content_uuid, kind, variant LIMIT ?`,
    ).raw().all(after[0], after[1], after[2], limit);
  }

  /**
   * How many contents with a file in LOCATIONID have a ready sidecar of KIND that still stands: a
   * reference whose file is gone (its entry released) no longer counts. What a scan reports as the
   * location's Live Photos and XMP sidecars, whichever folders it looked in.
   */
  readyOfLocation(locationId: number, kind: string): number {
    return this.sql<[string, number], number>(
      `SELECT COUNT(*) FROM sidecars s
       WHERE s.kind = ? AND s.status = 'ready' AND (s.source <> 'reference' OR s.source_entry_id IS NOT NULL)
         AND EXISTS (SELECT 1 FROM content_identities c JOIN entries e ON e.content_id = c.id
                     WHERE c.uuid = s.content_uuid AND e.location_id = ? AND e.kind = 'file')`,
    ).pluck().get(kind, locationId)!;
  }

  /** How many ready files vss keeps under sidecars/ (every ready row but references), and their bytes. */
  managedReadyTotals(): { files: number; bytes: number } {
    return this.sql<[], { files: number; bytes: number }>(
      "SELECT COUNT(*) AS files, COALESCE(SUM(size), 0) AS bytes FROM sidecars WHERE status = 'ready' AND source <> 'reference'",
    ).get()!;
  }

  /** Ready reference rows (of KIND, of CONTENTUUIDS when given), in id order. */
  readyReferences(filter: { kind?: SidecarKind; contentUuids?: readonly string[] } = {}): SidecarRecord[] {
    const where = ["source = 'reference'", "status = 'ready'"];
    const args: string[] = [];
    if (filter.kind) { where.push('kind = ?'); args.push(filter.kind); }
    if (filter.contentUuids && filter.contentUuids.length > 0) {
      where.push('content_uuid IN (SELECT value FROM json_each(?))');
      args.push(JSON.stringify(filter.contentUuids));
    }
    return this.sql<string[], SidecarRecord>(`SELECT * FROM sidecars WHERE ${where.join(' AND ')} ORDER BY id`).all(...args);
  }

  /** The reference rows tracking the entry ENTRYID (a movie that is the Live Photo of several stills), by id. */
  referencesTo(entryId: number): SidecarRecord[] {
    return this.sql<[number], SidecarRecord>("SELECT * FROM sidecars WHERE source_entry_id = ? AND source = 'reference' ORDER BY id").all(entryId);
  }

  // --- the job queue's reads (h-jobs) ---

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

  /** Bytes of the ready sidecars recorded `fetched` (prefetch's disk budget counts these). */
  fetchedReadyBytes(): number {
    return this.sql<[], number>("SELECT COALESCE(SUM(size), 0) FROM sidecars WHERE source = 'fetched' AND status = 'ready'").pluck().get()!;
  }

  /** Every sidecar record of a content: what it is, its state and where it came from. */
  statesOfContent(contentUuid: string): Array<Pick<SidecarRecord, 'kind' | 'variant' | 'format' | 'status' | 'source'>> {
    return this.sql<[string], Pick<SidecarRecord, 'kind' | 'variant' | 'format' | 'status' | 'source'>>('SELECT kind, variant, format, status, source FROM sidecars WHERE content_uuid = ?').all(contentUuid);
  }

  /** Every sidecar record of a content gone (the content left the library); how many. */
  deleteOfContent(contentUuid: string): number {
    return this.sql<[string]>('DELETE FROM sidecars WHERE content_uuid = ?').run(contentUuid).changes;
  }
}
