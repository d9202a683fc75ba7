import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';
import { SyncMetaStore } from './sync-meta.js';

/** A `sidecar_availability` row: one device's word about one sidecar (DESIGN §9). */
export interface AvailabilityRecord {
  id: number;
  content_uuid: string;
  kind: string;
  variant: string;
  device_uuid: string;
  has: 0 | 1;
  /** Set when `has`; null in a tombstone. */
  size: number | null;
  checksum: string | null;
  /** Null for rows made before formats were kept (migration 007 found no record). */
  format: string | null;
  /** This device's rows: its change number (null: nothing a peer needs). A peer's rows: the digest's to-seq. */
  seq: number | null;
  last_seen_at: number;
}

/**
 * A row as a page of the table gives it, positionally (`.raw()`: no object per row): content uuid,
 * kind, variant, format, has, size, checksum, then seq.
 */
export type AvailabilityRow = [string, string, string, string | null, 0 | 1, number | null, string | null, number];

/** A row's address and what it says, for the resolver and the fetcher: a source of a sidecar. */
export interface AvailabilitySource {
  device_uuid: string;
  size: number;
  checksum: string;
  format: string | null;
}

/** A sidecar peers have that this device has not (nor is making), for prefetch. */
export interface PrefetchCandidate {
  c: string;
  k: string;
  v: string;
  /** The largest size any peer announced. */
  size: number | null;
  format: string | null;
}

/**
 * One row of this device's availability packed into text, so a page of rows is one string from
 * SQLite (group_concat) rather than eight values a row: content uuid (36) · has (1) · size (16 hex)
 * · checksum length (2 hex) and checksum · kind, variant, format lengths (2 hex each) and the
 * three names (a NULL format: the kind's usual one, filled in by the encoder). The layout is the
 * digest codec's `encodePacked` contract (src/sync/availability/codec.ts).
 */
export const PACKED_ROW_SQL = `content_uuid || has || printf('%016x', coalesce(size, 0))
  || printf('%02x', length(CASE WHEN has = 1 THEN coalesce(checksum, '') ELSE '' END)) || CASE WHEN has = 1 THEN coalesce(checksum, '') ELSE '' END
  || printf('%02x%02x%02x', length(kind), length(variant), length(coalesce(format, ''))) || kind || variant || coalesce(format, '')`;

interface OwnStatements {
  current: Statement<[string, string, string, string], Current>;
  upsert: Statement<[string, string, string, string, number, number | null, string | null, string, number | null, number]>;
  next: Statement<[], number>;
  tombstone: Statement<[number, number, string, string, string, string]>;
  drop: Statement<[string, string, string, string]>;
}

interface Current {
  has: number;
  size: number | null;
  checksum: string | null;
  format: string | null;
  seq: number | null;
}

/**
 * The `sidecar_availability` table: this device's rows, each change numbered (DESIGN §9), and
 * what paired devices say they have (hearsay, under their device uuid).
 *
 * This device's rows: a change peers must hear of (has, or a ready file's size, checksum or format)
 * takes the next number of the database's counter (`sync_meta`) in the caller's transaction, so
 * "what changed since N?" is one index range. A removal that peers may have heard of stays as a
 * tombstone (has = 0) with its own number.
 */
export class AvailabilityStore {
  private readonly sql: Prepared;
  private readonly meta: SyncMetaStore;
  /** The statements of a sidecar state change (the manager's hot path), resolved once, on first use. */
  private own: OwnStatements | undefined;

  constructor(private readonly db: Db, private readonly deviceUuid: string, meta?: SyncMetaStore) {
    this.sql = statementCache(db);
    this.meta = meta ?? new SyncMetaStore(db);
  }

  private get ownStatements(): OwnStatements {
    return (this.own ??= {
      current: this.sql('SELECT has, size, checksum, format, seq FROM sidecar_availability WHERE content_uuid = ? AND kind = ? AND variant = ? AND device_uuid = ?'),
      upsert: this.sql(
        `INSERT INTO sidecar_availability (content_uuid, kind, variant, device_uuid, has, size, checksum, format, seq, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(content_uuid, kind, variant, device_uuid) DO UPDATE SET has = excluded.has, size = excluded.size, checksum = excluded.checksum,
           format = excluded.format, seq = excluded.seq, last_seen_at = excluded.last_seen_at`,
      ),
      next: this.meta.nextSeqStatement(),
      tombstone: this.sql('UPDATE sidecar_availability SET has = 0, size = NULL, checksum = NULL, seq = ?, last_seen_at = ? WHERE content_uuid = ? AND kind = ? AND variant = ? AND device_uuid = ?'),
      drop: this.sql('DELETE FROM sidecar_availability WHERE content_uuid = ? AND kind = ? AND variant = ? AND device_uuid = ?'),
    });
  }

  // ---- this device's rows ----

  /** Record this device's state of one sidecar. Call inside the transaction that writes its record. */
  set(contentUuid: string, kind: string, variant: string, format: string, ready: boolean, size: number | null, checksum: string | null, now: number): void {
    const st = this.ownStatements;
    const prev = st.current.get(contentUuid, kind, variant, this.deviceUuid);
    const has = ready ? 1 : 0;
    if (!ready) {
      size = null;
      checksum = null;
    }
    // pending → generating, or a failure of something never ready, tells a peer nothing.
    const news = prev === undefined ? ready : prev.has !== has || (ready && (prev.size !== size || prev.checksum !== checksum || prev.format !== format));
    const seq = news ? st.next.get()! : (prev?.seq ?? null);
    st.upsert.run(contentUuid, kind, variant, this.deviceUuid, has, size, checksum, format, seq, now);
  }

  /** This device no longer has or owes the sidecar: a tombstone if a peer may have heard of it, else nothing at all. */
  remove(contentUuid: string, kind: string, variant: string, now: number): void {
    const st = this.ownStatements;
    const prev = st.current.get(contentUuid, kind, variant, this.deviceUuid);
    if (prev === undefined) return;
    if (prev.has === 1) st.tombstone.run(st.next.get()!, now, contentUuid, kind, variant, this.deviceUuid);
    else if (prev.seq === null) st.drop.run(contentUuid, kind, variant, this.deviceUuid);
    // An earlier tombstone already says it.
  }

  /** As `remove`, for every sidecar of a content (its last file left the library). */
  removeContent(contentUuid: string, now: number): void {
    const rows = this.sql<[string, string], { kind: string; variant: string }>('SELECT kind, variant FROM sidecar_availability WHERE content_uuid = ? AND device_uuid = ?').all(contentUuid, this.deviceUuid);
    for (const r of rows) this.remove(contentUuid, r.kind, r.variant, now);
  }

  /**
   * Number the ready rows of this device that have no number yet: rows made before availability
   * was numbered (migration 007). Run on open, so a peer's first delta carries them. One index
   * seek when there are none; one transaction when there are.
   */
  numberUnannounced(): number {
    const unnumbered = this.sql<[string], number>('SELECT id FROM sidecar_availability WHERE device_uuid = ? AND seq IS NULL AND has = 1 ORDER BY id').pluck();
    if (unnumbered.get(this.deviceUuid) === undefined) return 0;
    const set = this.sql<[number, number]>('UPDATE sidecar_availability SET seq = ? WHERE id = ? AND seq IS NULL');
    const next = this.meta.nextSeqStatement();
    return this.db.transaction(() => {
      const ids = unnumbered.all(this.deviceUuid);
      for (const id of ids) set.run(next.get()!, id);
      return ids.length;
    })();
  }

  /** A page of this device's changes after seq AFTER up to TOSEQ, by seq (ONLYHAS: without tombstones). */
  ownChanges(after: number, toSeq: number, limit: number, onlyHas: boolean): AvailabilityRow[] {
    return this.sql<[string, number, number, number], AvailabilityRow>(
      onlyHas
        ? 'SELECT content_uuid, kind, variant, format, has, size, checksum, seq FROM sidecar_availability WHERE device_uuid = ? AND seq > ? AND seq <= ? AND has = 1 ORDER BY seq LIMIT ?'
        : 'SELECT content_uuid, kind, variant, format, has, size, checksum, seq FROM sidecar_availability WHERE device_uuid = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?',
    ).raw().all(this.deviceUuid, after, toSeq, limit);
  }

  /** As `ownChanges`, the page packed by PACKED_ROW_SQL into one string: [text, rows, the last row's seq]. */
  ownChangesPacked(after: number, toSeq: number, limit: number, onlyHas: boolean): [string, number, number | null] {
    const where = `device_uuid = ? AND seq > ? AND seq <= ?${onlyHas ? ' AND has = 1' : ''}`;
    return this.sql<[string, number, number, number], [string, number, number | null]>(
      `SELECT coalesce(group_concat(packed, '' ORDER BY seq), ''), count(*), max(seq) FROM
         (SELECT ${PACKED_ROW_SQL} AS packed, seq FROM sidecar_availability WHERE ${where} ORDER BY seq LIMIT ?)`,
    ).raw().get(this.deviceUuid, after, toSeq, limit)!;
  }

  /**
   * A page of what this device has (numbered up to TOSEQ), packed, in the order of the (content
   * uuid, kind, variant, device) index after the key AFTER: [text, rows, the last row's key parts].
   * A peer inserts a full set in that order too: into a large table, over twice as fast as the
   * random order of seq (content uuids are random). The last row's key comes with max(k) (SQLite
   * takes bare columns from the row that has the max); "+device_uuid" keeps the planner on that
   * index.
   */
  ownReadyPackedByKey(toSeq: number, after: readonly [string, string, string], limit: number): [string, number, string | null, string, string, string] {
    return this.sql<[string, number, string, string, string, number], [string, number, string | null, string, string, string]>(
      `SELECT coalesce(group_concat(packed, ''), ''), count(*), max(k), content_uuid, kind, variant FROM
         (SELECT ${PACKED_ROW_SQL} AS packed, content_uuid, kind, variant, content_uuid || char(1) || kind || char(1) || variant AS k
          FROM sidecar_availability WHERE +device_uuid = ? AND seq <= ? AND has = 1 AND (content_uuid, kind, variant) > (?, ?, ?)
          ORDER BY content_uuid, kind, variant LIMIT ?)`,
    ).raw().get(this.deviceUuid, toSeq, after[0], after[1], after[2], limit)!;
  }

  /** This device's ready rows among ADDRESSES (a JSON array of [content uuid, kind, variant]). */
  ownReadyAmong(addressesJson: string): AvailabilityRow[] {
    return this.sql<[string, string], AvailabilityRow>(
      `SELECT a.content_uuid, a.kind, a.variant, a.format, a.has, a.size, a.checksum, a.seq FROM json_each(?) q
       JOIN sidecar_availability a ON a.content_uuid = json_extract(q.value, '$[0]') AND a.kind = json_extract(q.value, '$[1]') AND a.variant = json_extract(q.value, '$[2]')
         AND a.device_uuid = ? AND a.has = 1`,
    ).raw().all(addressesJson, this.deviceUuid);
  }

  // ---- other devices' rows (hearsay) ----

  /** Every row of DEVICE gone (a full digest replaces them, or it was unpaired); how many. */
  dropDevice(deviceUuid: string): number {
    return this.sql<[string]>('DELETE FROM sidecar_availability WHERE device_uuid = ?').run(deviceUuid).changes;
  }

  /** A writer of DEVICE's entries at SEQ, its statements resolved once for a digest's loop. */
  heardFrom(deviceUuid: string, seq: number, now: number): HeardWriter {
    const insert = this.sql<[string, string, string, string, number | null, string | null, string, number, number]>(
      'INSERT INTO sidecar_availability (content_uuid, kind, variant, device_uuid, has, size, checksum, format, seq, last_seen_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?)',
    );
    const upsert = this.sql<[string, string, string, string, number | null, string | null, string, number, number]>(
      `INSERT INTO sidecar_availability (content_uuid, kind, variant, device_uuid, has, size, checksum, format, seq, last_seen_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?)
       ON CONFLICT(content_uuid, kind, variant, device_uuid) DO UPDATE SET has = 1, size = excluded.size, checksum = excluded.checksum,
         format = excluded.format, seq = excluded.seq, last_seen_at = excluded.last_seen_at`,
    );
    // A "who has" answer: its rows keep the change number known of the device, so its next digest supersedes them.
    const heard = this.sql<[string, string, string, string, number | null, string | null, string, number, number]>(
      `INSERT INTO sidecar_availability (content_uuid, kind, variant, device_uuid, has, size, checksum, format, seq, last_seen_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?)
       ON CONFLICT(content_uuid, kind, variant, device_uuid) DO UPDATE SET has = 1, size = excluded.size, checksum = excluded.checksum,
         format = excluded.format, last_seen_at = excluded.last_seen_at`,
    );
    const had = this.sql<[string, string, string, string], 0 | 1>('SELECT has FROM sidecar_availability WHERE content_uuid = ? AND kind = ? AND variant = ? AND device_uuid = ?').pluck();
    return {
      insert: (c, k, v, format, size, checksum) => void insert.run(c, k, v, deviceUuid, size, checksum, format, seq, now),
      upsert: (c, k, v, format, size, checksum) => void upsert.run(c, k, v, deviceUuid, size, checksum, format, seq, now),
      heard: (c, k, v, format, size, checksum) => void heard.run(c, k, v, deviceUuid, size, checksum, format, seq, now),
      tombstone: (c, k, v) => void this.ownStatements.tombstone.run(seq, now, c, k, v, deviceUuid),
      had: (c, k, v) => had.get(c, k, v, deviceUuid),
    };
  }

  /**
   * Other devices' usable rows for a sidecar: has = 1, size and checksum known, and not suspect at
   * that checksum (availability_suspects).
   */
  sources(contentUuid: string, kind: string, variant: string): AvailabilitySource[] {
    return this.sql<[string, string, string, string], AvailabilitySource>(
      `SELECT a.device_uuid, a.size, a.checksum, a.format FROM sidecar_availability a
       WHERE a.content_uuid = ? AND a.kind = ? AND a.variant = ? AND a.device_uuid != ? AND a.has = 1
         AND a.size IS NOT NULL AND a.checksum IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM availability_suspects s WHERE s.content_uuid = a.content_uuid AND s.kind = a.kind
           AND s.variant = a.variant AND s.device_uuid = a.device_uuid AND s.checksum IS a.checksum)`,
    ).all(contentUuid, kind, variant, this.deviceUuid);
  }

  /** What DEVICE's row of a sidecar says, or undefined. */
  of(contentUuid: string, kind: string, variant: string, deviceUuid: string): AvailabilityRecord | undefined {
    return this.sql<[string, string, string, string], AvailabilityRecord>('SELECT * FROM sidecar_availability WHERE content_uuid = ? AND kind = ? AND variant = ? AND device_uuid = ?')
      .get(contentUuid, kind, variant, deviceUuid);
  }

  /** Every row of DEVICE, by content uuid, kind, variant. */
  ofDevice(deviceUuid: string): AvailabilityRecord[] {
    return this.sql<[string], AvailabilityRecord>('SELECT * FROM sidecar_availability WHERE device_uuid = ? ORDER BY content_uuid, kind, variant').all(deviceUuid);
  }

  /**
   * A page of sidecars of KINDS (a JSON array) that some other device has and this one has not
   * ready nor is making, of contents this library knows, after the key AFTER, in key order.
   */
  prefetchCandidates(kindsJson: string, after: readonly [string, string, string], limit: number): PrefetchCandidate[] {
    return this.sql<[string, string, string, string, string, number], PrefetchCandidate>(
      `SELECT a.content_uuid AS c, a.kind AS k, a.variant AS v, MAX(a.size) AS size, MAX(a.format) AS format
       FROM sidecar_availability a
       WHERE a.kind IN (SELECT value FROM json_each(?)) AND a.has = 1 AND a.device_uuid <> ? AND (a.content_uuid, a.kind, a.variant) > (?, ?, ?)
         AND EXISTS (SELECT 1 FROM content_identities ci WHERE ci.uuid = a.content_uuid)
         AND NOT EXISTS (SELECT 1 FROM sidecars s WHERE s.content_uuid = a.content_uuid AND s.kind = a.kind AND s.variant = a.variant AND s.status IN ('ready', 'generating'))
       GROUP BY a.content_uuid, a.kind, a.variant ORDER BY a.content_uuid, a.kind, a.variant LIMIT ?`,
    ).all(kindsJson, this.deviceUuid, after[0], after[1], after[2], limit);
  }

  // ---- who has a sidecar, every device's rows (presence) ----

  /**
   * For CONTENTUUIDS and KIND: [position in the list, variant, the devices that have it, space-separated
   * and sorted], one row per content and variant that anybody has.
   */
  holdersOf(contentUuids: readonly string[], kind: string): Array<[number, string, string]> {
    return this.sql<[string, string], [number, string, string]>(
      `SELECT c.key, a.variant, group_concat(a.device_uuid, ' ' ORDER BY a.device_uuid) FROM json_each(?) c
       JOIN sidecar_availability a ON a.content_uuid = c.value AND a.kind = ? AND a.has = 1 GROUP BY c.key, a.variant`,
    ).raw().all(JSON.stringify(contentUuids), kind);
  }

  /** The devices that have one sidecar, space-separated and sorted; null when none. */
  holders(contentUuid: string, kind: string, variant: string): string | null {
    return this.sql<[string, string, string], string | null>(
      "SELECT group_concat(device_uuid, ' ' ORDER BY device_uuid) FROM sidecar_availability WHERE content_uuid = ? AND kind = ? AND variant = ? AND has = 1",
    ).pluck().get(contentUuid, kind, variant) ?? null;
  }

  /** Every sidecar somebody has, with its devices (as `holders`), streamed. */
  eachHolders(): IterableIterator<[string, string, string, string]> {
    return this.sql<[], [string, string, string, string]>(
      "SELECT content_uuid, kind, variant, group_concat(device_uuid, ' ' ORDER BY device_uuid) FROM sidecar_availability WHERE has = 1 GROUP BY content_uuid, kind, variant",
    ).raw().iterate();
  }

  /** The sidecars [content_uuid, kind, variant] a device's digest numbered SEQ touched. */
  changedBy(deviceUuid: string, seq: number): Array<[string, string, string]> {
    return this.sql<[string, number], [string, string, string]>('SELECT content_uuid, kind, variant FROM sidecar_availability WHERE device_uuid = ? AND seq = ?')
      .raw().all(deviceUuid, seq);
  }
}

/** Writes of one device's entries as one digest (or "who has" answer) brings them. */
export interface HeardWriter {
  /** A new row (has = 1); throws SQLITE_CONSTRAINT_UNIQUE when the row is there already. */
  insert(contentUuid: string, kind: string, variant: string, format: string, size: number | null, checksum: string | null): void;
  /** The row says has = 1 at the digest's seq. */
  upsert(contentUuid: string, kind: string, variant: string, format: string, size: number | null, checksum: string | null): void;
  /** As upsert, but an existing row keeps its seq (a "who has" answer is no digest). */
  heard(contentUuid: string, kind: string, variant: string, format: string, size: number | null, checksum: string | null): void;
  /** The row says has = 0 at the digest's seq. */
  tombstone(contentUuid: string, kind: string, variant: string): void;
  /** What the row says now: 1, 0, or undefined when there is none. */
  had(contentUuid: string, kind: string, variant: string): 0 | 1 | undefined;
}
