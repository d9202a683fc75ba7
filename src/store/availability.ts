import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

interface Current {
  has: number;
  size: number | null;
  checksum: string | null;
  format: string | null;
  seq: number | null;
}

/**
 * This device's availability rows, each change numbered (DESIGN §9): a change peers must hear of
 * (has, or a ready file's size, checksum or format) takes the next number of the database's
 * counter in the caller's transaction, so "what changed since N?" is one index range. A removal
 * that peers may have heard of stays as a tombstone (has = 0) with its own number.
 */
export class LocalAvailability {
  private readonly current: Statement;
  private readonly upsert: Statement;
  private readonly next: Statement;
  private readonly tombstone: Statement;
  private readonly drop: Statement;
  private readonly ofContent: Statement;

  constructor(private readonly db: Db, private readonly deviceUuid: string) {
    this.current = db.prepare('SELECT has, size, checksum, format, seq FROM sidecar_availability WHERE content_uuid = ? AND kind = ? AND variant = ? AND device_uuid = ?');
    this.upsert = db.prepare(
      `INSERT INTO sidecar_availability (content_uuid, kind, variant, device_uuid, has, size, checksum, format, seq, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(content_uuid, kind, variant, device_uuid) DO UPDATE SET has = excluded.has, size = excluded.size, checksum = excluded.checksum,
         format = excluded.format, seq = excluded.seq, last_seen_at = excluded.last_seen_at`,
    );
    this.next = nextSeqStatement(db);
    this.tombstone = db.prepare('UPDATE sidecar_availability SET has = 0, size = NULL, checksum = NULL, seq = ?, last_seen_at = ? WHERE content_uuid = ? AND kind = ? AND variant = ? AND device_uuid = ?');
    this.drop = db.prepare('DELETE FROM sidecar_availability WHERE content_uuid = ? AND kind = ? AND variant = ? AND device_uuid = ?');
    this.ofContent = db.prepare('SELECT kind, variant FROM sidecar_availability WHERE content_uuid = ? AND device_uuid = ?');
  }

  /** Record this device's state of one sidecar. Call inside the transaction that writes its record. */
  set(contentUuid: string, kind: string, variant: string, format: string, ready: boolean, size: number | null, checksum: string | null, now: number): void {
    const prev = this.current.get(contentUuid, kind, variant, this.deviceUuid) as Current | undefined;
    const has = ready ? 1 : 0;
    if (!ready) {
      size = null;
      checksum = null;
    }
    // pending → generating, or a failure of something never ready, tells a peer nothing.
    const news = prev === undefined ? ready : prev.has !== has || (ready && (prev.size !== size || prev.checksum !== checksum || prev.format !== format));
    const seq = news ? (this.next.get() as number) : (prev?.seq ?? null);
    this.upsert.run(contentUuid, kind, variant, this.deviceUuid, has, size, checksum, format, seq, now);
  }

  /** This device no longer has or owes the sidecar: a tombstone if a peer may have heard of it, else nothing at all. */
  remove(contentUuid: string, kind: string, variant: string, now: number): void {
    const prev = this.current.get(contentUuid, kind, variant, this.deviceUuid) as Current | undefined;
    if (prev === undefined) return;
    if (prev.has === 1) this.tombstone.run(this.next.get(), now, contentUuid, kind, variant, this.deviceUuid);
    else if (prev.seq === null) this.drop.run(contentUuid, kind, variant, this.deviceUuid);
    // An earlier tombstone already says it.
  }

  /** As `remove`, for every sidecar of a content (its last file left the library). */
  removeContent(contentUuid: string, now: number): void {
    for (const r of this.ofContent.all(contentUuid, this.deviceUuid) as Array<{ kind: string; variant: string }>) this.remove(contentUuid, r.kind, r.variant, now);
  }

  // --- added for presence (h-sidecars): who has a sidecar, every device's rows -----------------

  private cache: Prepared | undefined;

  private get sql(): Prepared {
    return (this.cache ??= statementCache(this.db));
  }

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

/** The next change number of this database (the counter lives in sync_meta, bumped in the caller's transaction). */
function nextSeqStatement(db: Db): Statement {
  return db.prepare(
    `INSERT INTO sync_meta (key, value) VALUES ('seq', '1') ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1
     RETURNING CAST(value AS INTEGER)`,
  ).pluck();
}

/**
 * Number the ready rows of DEVICE that have no number yet: rows made before availability was
 * numbered (migration 007). Run on open, so a peer's first delta carries them. One index seek
 * when there are none.
 */
export function numberUnannounced(db: Db, deviceUuid: string): number {
  const unnumbered = db.prepare('SELECT id FROM sidecar_availability WHERE device_uuid = ? AND seq IS NULL AND has = 1 ORDER BY id').pluck();
  if (unnumbered.get(deviceUuid) === undefined) return 0;
  const next = nextSeqStatement(db);
  const set = db.prepare('UPDATE sidecar_availability SET seq = ? WHERE id = ? AND seq IS NULL');
  return db.transaction(() => {
    const ids = unnumbered.all(deviceUuid) as number[];
    for (const id of ids) set.run(next.get(), id);
    return ids.length;
  })();
}
