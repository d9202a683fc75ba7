import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/connection.js';
import { heardWriter, type HeardWriter } from './availability-heard.js';
import {
  checksumBytes, CHECKSUM_TEXT, DEVICE_ID, keyBytes, NAME_ID, NAMED, PACKED_ROW_SQL, RECORD_COLUMNS, ROW_COLUMNS, sameChecksum, UUID_BYTES, uuidBytes, uuidText,
  type AvailabilityKeyedRecord,
} from './availability-keys.js';
import { statementCache, type Prepared } from './statements.js';
import { SyncMetaStore } from './sync-meta.js';

/** A row with its keys read back as the rest of vss names them: uuids and hex (what every reader gets). */
export interface AvailabilityRecord {
  content_uuid: string;
  kind: string;
  variant: string;
  device_uuid: string;
  has: 0 | 1;
  /** Set when `has`; null in a tombstone. */
  size: number | null;
  /** BLAKE3, 64 lowercase hex digits. */
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

export { PACKED_ROW_SQL };
export type { AvailabilityKeyedRecord, HeardWriter };

/** Where a page of this device's full set ended: the last row's key (content bytes, name id). */
export type KeyCursor = readonly [Buffer | null, number];

interface OwnStatements {
  current: Statement<[Buffer, number, number], Current>;
  /** The ids of a name and a device with the row they key (one round trip for a state change): no row when either id is missing. */
  keyed: Statement<[Buffer, string, string, string], Keyed>;
  upsert: Statement<[Buffer, number, number, number, number | null, Buffer | string | null, string, number | null, number]>;
  next: Statement<[], number>;
  tombstone: Statement<[number, number, Buffer | Uint8Array, number, number]>;
  drop: Statement<[Buffer, number, number]>;
  nameId: Statement<[string, string], number>;
  addName: Statement<[string, string]>;
  deviceId: Statement<[string], number>;
  addDevice: Statement<[string]>;
}

type Current = Pick<AvailabilityKeyedRecord, 'has' | 'size' | 'checksum' | 'format' | 'seq'>;

/** A row's key ids and what it says (all null when there is no row). */
interface Keyed {
  name_id: number;
  device_id: number;
  has: 0 | 1 | null;
  size: number | null;
  checksum: Buffer | string | null;
  format: string | null;
  seq: number | null;
}

/**
 * The `sidecar_availability` table: this device's rows, each change numbered (DESIGN §9), and
 * what paired devices say they have (hearsay, under their device uuid). Keys are stored compactly
 * (migration 013) and given back as uuids and hex.
 *
 * This device's rows: a change peers must hear of (has, or a ready file's size, checksum or format)
 * takes the next number of the database's counter (`sync_meta`) in the caller's transaction, so
 * "what changed since N?" is one index range. A removal that peers may have heard of stays as a
 * tombstone (has = 0) with its own number.
 *
 * The two dictionaries (`availability_names`, `availability_devices`) only grow. An id is looked
 * up in the statement or transaction that uses it, never kept across them: one made in a
 * transaction that rolled back is gone again.
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
      current: this.sql('SELECT has, size, checksum, format, seq FROM sidecar_availability WHERE content = ? AND name = ? AND device = ?'),
      keyed: this.sql(
        `SELECT n.id AS name_id, d.id AS device_id, a.has, a.size, a.checksum, a.format, a.seq
         FROM availability_names n JOIN availability_devices d
         LEFT JOIN sidecar_availability a ON a.content = ? AND a.name = n.id AND a.device = d.id
         WHERE n.kind = ? AND n.variant = ? AND d.uuid = ?`,
      ),
      upsert: this.sql(
        `INSERT INTO sidecar_availability (content, name, device, has, size, checksum, format, seq, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(content, name, device) DO UPDATE SET has = excluded.has, size = excluded.size, checksum = excluded.checksum,
           format = excluded.format, seq = excluded.seq, last_seen_at = excluded.last_seen_at`,
      ),
      next: this.meta.nextSeqStatement(),
      tombstone: this.sql('UPDATE sidecar_availability SET has = 0, size = NULL, checksum = NULL, seq = ?, last_seen_at = ? WHERE content = ? AND name = ? AND device = ?'),
      drop: this.sql('DELETE FROM sidecar_availability WHERE content = ? AND name = ? AND device = ?'),
      nameId: this.sql<[string, string], number>('SELECT id FROM availability_names WHERE kind = ? AND variant = ?').pluck(),
      addName: this.sql('INSERT INTO availability_names (kind, variant) VALUES (?, ?)'),
      deviceId: this.sql<[string], number>('SELECT id FROM availability_devices WHERE uuid = ?').pluck(),
      addDevice: this.sql('INSERT INTO availability_devices (uuid) VALUES (?)'),
    });
  }

  /** The id of (KIND, VARIANT), made if new. Valid in the caller's transaction (see the class). */
  private nameId(kind: string, variant: string): number {
    const st = this.ownStatements;
    return st.nameId.get(kind, variant) ?? Number(st.addName.run(kind, variant).lastInsertRowid);
  }

  /** The id of DEVICE, made if new. Valid in the caller's transaction (see the class). */
  private deviceId(deviceUuid: string): number {
    const st = this.ownStatements;
    return st.deviceId.get(deviceUuid) ?? Number(st.addDevice.run(deviceUuid).lastInsertRowid);
  }

  /** The id of DEVICE if it has one (a device never heard of has no rows). */
  private knownDevice(deviceUuid: string): number | undefined {
    return this.ownStatements.deviceId.get(deviceUuid);
  }

  // ---- this device's rows ----

  /** Record this device's state of one sidecar. Call inside the transaction that writes its record. */
  set(contentUuid: string, kind: string, variant: string, format: string, ready: boolean, size: number | null, checksum: string | null, now: number): void {
    const st = this.ownStatements;
    const content = keyBytes(contentUuid);
    const keyed = st.keyed.get(content, kind, variant, this.deviceUuid);
    const name = keyed?.name_id ?? this.nameId(kind, variant);
    const device = keyed?.device_id ?? this.deviceId(this.deviceUuid);
    const prev = keyed?.has === null || keyed === undefined ? undefined : keyed;
    const has = ready ? 1 : 0;
    const sum = ready && checksum !== null ? checksumBytes(checksum) : null;
    if (!ready) size = null;
    // pending → generating, or a failure of something never ready, tells a peer nothing.
    const news = prev === undefined ? ready : prev.has !== has || (ready && (prev.size !== size || !sameChecksum(prev.checksum, sum) || prev.format !== format));
    const seq = news ? st.next.get()! : (prev?.seq ?? null);
    st.upsert.run(content, name, device, has, size, sum, format, seq, now);
  }

  /** This device no longer has or owes the sidecar: a tombstone if a peer may have heard of it, else nothing at all. */
  remove(contentUuid: string, kind: string, variant: string, now: number): void {
    const st = this.ownStatements;
    const name = st.nameId.get(kind, variant);
    const device = this.knownDevice(this.deviceUuid);
    if (name === undefined || device === undefined) return;
    const content = uuidBytes(contentUuid);
    const prev = st.current.get(content, name, device);
    if (prev === undefined) return;
    if (prev.has === 1) st.tombstone.run(st.next.get()!, now, content, name, device);
    else if (prev.seq === null) st.drop.run(content, name, device);
    // An earlier tombstone already says it.
  }

  /** As `remove`, for every sidecar of a content (its last file left the library). */
  removeContent(contentUuid: string, now: number): void {
    const rows = this.sql<[string, string], { kind: string; variant: string }>(
      `SELECT n.kind, n.variant FROM sidecar_availability a JOIN availability_names n ON n.id = a.name
       WHERE a.content = ${UUID_BYTES} AND a.device = ${DEVICE_ID}`,
    ).all(contentUuid, this.deviceUuid);
    for (const r of rows) this.remove(contentUuid, r.kind, r.variant, now);
  }

  /**
   * Number the ready rows of this device that have no number yet: rows made before availability
   * was numbered (migration 007). Run on open, so a peer's first delta carries them. One index
   * seek when there are none; one transaction when there are.
   */
  numberUnannounced(): number {
    const device = this.knownDevice(this.deviceUuid);
    if (device === undefined) return 0;
    const unnumbered = this.sql<[number], [Buffer, number]>('SELECT content, name FROM sidecar_availability WHERE device = ? AND seq IS NULL AND has = 1 ORDER BY content, name').raw();
    if (unnumbered.get(device) === undefined) return 0;
    const set = this.sql<[number, Buffer, number, number]>('UPDATE sidecar_availability SET seq = ? WHERE content = ? AND name = ? AND device = ? AND seq IS NULL');
    const next = this.meta.nextSeqStatement();
    return this.db.transaction(() => {
      const keys = unnumbered.all(device);
      for (const [content, name] of keys) set.run(next.get()!, content, name, device);
      return keys.length;
    })();
  }

  /** A page of this device's changes after seq AFTER up to TOSEQ, by seq (ONLYHAS: without tombstones). */
  ownChanges(after: number, toSeq: number, limit: number, onlyHas: boolean): AvailabilityRow[] {
    return this.sql<[string, number, number, number], AvailabilityRow>(
      `SELECT ${ROW_COLUMNS} FROM sidecar_availability a JOIN availability_names n ON n.id = a.name
       WHERE a.device = ${DEVICE_ID} AND a.seq > ? AND a.seq <= ?${onlyHas ? ' AND a.has = 1' : ''} ORDER BY a.seq LIMIT ?`,
    ).raw().all(this.deviceUuid, after, toSeq, limit);
  }

  /** As `ownChanges`, the page packed by PACKED_ROW_SQL into one string: [text, rows, the last row's seq]. */
  ownChangesPacked(after: number, toSeq: number, limit: number, onlyHas: boolean): [string, number, number | null] {
    return this.sql<[string, number, number, number], [string, number, number | null]>(
      `SELECT coalesce(group_concat(packed, '' ORDER BY seq), ''), count(*), max(seq) FROM
         (SELECT ${PACKED_ROW_SQL} AS packed, a.seq AS seq FROM sidecar_availability a JOIN availability_names n ON n.id = a.name
          WHERE a.device = ${DEVICE_ID} AND a.seq > ? AND a.seq <= ?${onlyHas ? ' AND a.has = 1' : ''} ORDER BY a.seq LIMIT ?)`,
    ).raw().get(this.deviceUuid, after, toSeq, limit)!;
  }

  /**
   * A page of what this device has (numbered up to TOSEQ), packed, in the table's key order
   * (content, name) after the key AFTER ([null, 0] for the first page): [text, rows, the last
   * row's key]. A peer inserts a full set in (about) that order too: into a large table, over twice
   * as fast as the random order of seq (content uuids are random). The last row's key comes with
   * max(k) (SQLite takes bare columns from the row that has the max); "+device" keeps the planner
   * on the key.
   */
  ownReadyPackedByKey(toSeq: number, after: KeyCursor, limit: number): [string, number, KeyCursor] {
    const [text, count, , content, name] = this.sql<[string, number, Buffer, number, number], [string, number, string | null, Buffer | null, number | null]>(
      `SELECT coalesce(group_concat(packed, ''), ''), count(*), max(k), content, name FROM
         (SELECT ${PACKED_ROW_SQL} AS packed, a.content, a.name, hex(a.content) || printf('%016x', a.name) AS k
          FROM sidecar_availability a JOIN availability_names n ON n.id = a.name
          WHERE +a.device = ${DEVICE_ID} AND a.seq <= ? AND a.has = 1 AND (a.content, a.name) > (?, ?)
          ORDER BY a.content, a.name LIMIT ?)`,
    ).raw().get(this.deviceUuid, toSeq, after[0] ?? Buffer.alloc(0), after[0] === null ? -1 : after[1], limit)!;
    return [text, count, [content, name ?? 0]];
  }

  /** This device's ready rows among ADDRESSES (a JSON array of [content uuid, kind, variant]). */
  ownReadyAmong(addressesJson: string): AvailabilityRow[] {
    return this.sql<[string, string], AvailabilityRow>(
      `SELECT ${ROW_COLUMNS} FROM json_each(?) q
       JOIN availability_names n ON n.kind = json_extract(q.value, '$[1]') AND n.variant = json_extract(q.value, '$[2]')
       JOIN sidecar_availability a ON a.content = unhex(replace(json_extract(q.value, '$[0]'), '-', '')) AND a.name = n.id
         AND a.device = ${DEVICE_ID} AND a.has = 1`,
    ).raw().all(addressesJson, this.deviceUuid);
  }

  // ---- other devices' rows (hearsay) ----

  /** Every row of DEVICE gone (a full digest replaces them, or it was unpaired); how many. */
  dropDevice(deviceUuid: string): number {
    const device = this.knownDevice(deviceUuid);
    return device === undefined ? 0 : this.sql<[number]>('DELETE FROM sidecar_availability WHERE device = ?').run(device).changes;
  }

  /**
   * A writer of DEVICE's entries at SEQ, its statements, the device's id and the names' ids
   * resolved once for a digest's loop (availability-heard.ts). Use it inside one transaction (ids
   * it made are that transaction's).
   */
  heardFrom(deviceUuid: string, seq: number, now: number): HeardWriter {
    const device = this.deviceId(deviceUuid);
    const st = this.ownStatements;
    return heardWriter(this.sql, { device, nameId: (k, v) => this.nameId(k, v), knownNameId: (k, v) => st.nameId.get(k, v), tombstone: st.tombstone }, seq, now);
  }

  /**
   * Other devices' usable rows for a sidecar: has = 1, size and checksum known, and not suspect at
   * that checksum (availability_suspects).
   */
  sources(contentUuid: string, kind: string, variant: string): AvailabilitySource[] {
    return this.sql<[string, string, string, string, string, string, string], AvailabilitySource>(
      `SELECT d.uuid AS device_uuid, a.size, ${CHECKSUM_TEXT} AS checksum, a.format
       FROM sidecar_availability a JOIN availability_devices d ON d.id = a.device
       WHERE a.content = ${UUID_BYTES} AND a.name = ${NAME_ID} AND d.uuid <> ? AND a.has = 1
         AND a.size IS NOT NULL AND a.checksum IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM availability_suspects s WHERE s.content_uuid = ? AND s.kind = ?
           AND s.variant = ? AND s.device_uuid = d.uuid AND s.checksum IS ${CHECKSUM_TEXT})
       ORDER BY d.uuid`,
    ).all(contentUuid, kind, variant, this.deviceUuid, contentUuid, kind, variant);
  }

  /** What DEVICE's row of a sidecar says, or undefined. */
  of(contentUuid: string, kind: string, variant: string, deviceUuid: string): AvailabilityRecord | undefined {
    return this.sql<[string, string, string, string], AvailabilityRecord>(
      `SELECT ${RECORD_COLUMNS} FROM ${NAMED} WHERE a.content = ${UUID_BYTES} AND a.name = ${NAME_ID} AND a.device = ${DEVICE_ID}`,
    ).get(contentUuid, kind, variant, deviceUuid);
  }

  /** Every row of DEVICE, by content uuid, kind, variant. */
  ofDevice(deviceUuid: string): AvailabilityRecord[] {
    return this.sql<[string], AvailabilityRecord>(
      `SELECT ${RECORD_COLUMNS} FROM ${NAMED} WHERE a.device = ${DEVICE_ID} ORDER BY a.content, n.kind, n.variant`,
    ).all(deviceUuid);
  }

  /**
   * A page of sidecars of KINDS (a JSON array) that some other device has and this one has not
   * ready nor is making, of contents this library knows (this device's or a paired one's, DESIGN §15), after the key AFTER ([c, k, v] of the
   * page's last, or empty strings), in the table's key order.
   */
  prefetchCandidates(kindsJson: string, after: readonly [string, string, string], limit: number): PrefetchCandidate[] {
    const c = uuidText('a.content');
    return this.sql<[string, number, Buffer, string, string, number], PrefetchCandidate>(
      `SELECT ${c} AS c, n.kind AS k, n.variant AS v, MAX(a.size) AS size, MAX(a.format) AS format
       FROM sidecar_availability a JOIN availability_names n ON n.id = a.name
       WHERE n.kind IN (SELECT value FROM json_each(?)) AND a.has = 1 AND a.device <> ?
         AND (a.content, a.name) > (?, coalesce(${NAME_ID}, -1))
         AND (EXISTS (SELECT 1 FROM content_identities ci WHERE ci.uuid = ${c}) OR EXISTS (SELECT 1 FROM peer_contents pc WHERE pc.content_uuid = ${c}))
         AND NOT EXISTS (SELECT 1 FROM sidecars s WHERE s.content_uuid = ${c} AND s.kind = n.kind AND s.variant = n.variant AND s.status IN ('ready', 'generating'))
       GROUP BY a.content, a.name ORDER BY a.content, a.name LIMIT ?`,
    ).all(kindsJson, this.knownDevice(this.deviceUuid) ?? -1, after[0] === '' ? Buffer.alloc(0) : uuidBytes(after[0]), after[1], after[2], limit);
  }

  /**
   * How many of DEVICE's ready sidecars prefetch would still fetch here: of WANTED (a JSON array
   * of [kind, variant], variant '*' for any), of contents this library knows, neither ready here
   * nor being made (the candidates of prefetchCandidates that DEVICE has, counted).
   */
  prefetchOwedBy(deviceUuid: string, wantedJson: string): number {
    const device = this.knownDevice(deviceUuid);
    if (device === undefined) return 0;
    const c = uuidText('a.content');
    return this.sql<[number, string], number>(
      `SELECT COUNT(*) FROM sidecar_availability a JOIN availability_names n ON n.id = a.name
       WHERE a.device = ? AND a.has = 1
         AND EXISTS (SELECT 1 FROM json_each(?) w WHERE w.value ->> 0 = n.kind AND (w.value ->> 1 = '*' OR w.value ->> 1 = n.variant))
         AND (EXISTS (SELECT 1 FROM content_identities ci WHERE ci.uuid = ${c}) OR EXISTS (SELECT 1 FROM peer_contents pc WHERE pc.content_uuid = ${c}))
         AND NOT EXISTS (SELECT 1 FROM sidecars s WHERE s.content_uuid = ${c} AND s.kind = n.kind AND s.variant = n.variant AND s.status IN ('ready', 'generating'))`,
    ).pluck().get(device, wantedJson)!;
  }

  // ---- who has a sidecar, every device's rows (presence) ----

  /**
   * For CONTENTUUIDS and KIND: [position in the list, variant, the devices that have it, space-separated
   * and sorted], one row per content and variant that anybody has.
   */
  holdersOf(contentUuids: readonly string[], kind: string): Array<[number, string, string]> {
    return this.sql<[string, string], [number, string, string]>(
      `SELECT c.key, n.variant, group_concat(d.uuid, ' ' ORDER BY d.uuid) FROM json_each(?) c
       JOIN sidecar_availability a ON a.content = unhex(replace(c.value, '-', '')) AND a.has = 1
       JOIN availability_names n ON n.id = a.name AND n.kind = ?
       JOIN availability_devices d ON d.id = a.device GROUP BY c.key, n.variant`,
    ).raw().all(JSON.stringify(contentUuids), kind);
  }

  /** The devices that have one sidecar, space-separated and sorted; null when none. */
  holders(contentUuid: string, kind: string, variant: string): string | null {
    return this.sql<[string, string, string], string | null>(
      `SELECT group_concat(d.uuid, ' ' ORDER BY d.uuid) FROM sidecar_availability a JOIN availability_devices d ON d.id = a.device
       WHERE a.content = ${UUID_BYTES} AND a.name = ${NAME_ID} AND a.has = 1`,
    ).pluck().get(contentUuid, kind, variant) ?? null;
  }

  /** Every sidecar somebody has, with its devices (as `holders`), streamed. */
  eachHolders(): IterableIterator<[string, string, string, string]> {
    return this.sql<[], [string, string, string, string]>(
      `SELECT ${uuidText('a.content')}, n.kind, n.variant, group_concat(d.uuid, ' ' ORDER BY d.uuid) FROM ${NAMED}
       WHERE a.has = 1 GROUP BY a.content, a.name`,
    ).raw().iterate();
  }

  /** The sidecars [content_uuid, kind, variant] a device's digest numbered SEQ touched. */
  changedBy(deviceUuid: string, seq: number): Array<[string, string, string]> {
    return this.sql<[string, number], [string, string, string]>(
      `SELECT ${uuidText('a.content')}, n.kind, n.variant FROM sidecar_availability a JOIN availability_names n ON n.id = a.name
       WHERE a.device = ${DEVICE_ID} AND a.seq = ?`,
    ).raw().all(deviceUuid, seq);
  }
}
