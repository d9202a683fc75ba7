import type { Statement } from 'better-sqlite3';
import { checksumBytes, keyBytes, uuidBytes } from './availability-keys.js';
import { forEachChunk, multiRowSql } from './multi-row.js';
import type { Prepared } from './statements.js';

/** A row of a peer's full digest in a multi-row INSERT (multi-row.ts picks the statement sizes): has = 1, eight values. */
const KEYED_ROW = '(?, ?, ?, 1, ?, ?, ?, ?, ?)';
const KEYED_VALUES = 8;
/** Rows held before they are written: the largest statement multi-row.ts makes. */
const KEYED_BATCH = 64;

/** Writes of one device's entries as one digest (or "who has" answer) brings them. */
export interface HeardWriter {
  /** A new row (has = 1); throws SQLITE_CONSTRAINT_PRIMARYKEY when the row is there already. */
  insert(contentUuid: string, kind: string, variant: string, format: string, size: number | null, checksum: string | null): void;
  /** The row says has = 1 at the digest's seq. */
  upsert(contentUuid: string, kind: string, variant: string, format: string, size: number | null, checksum: string | null): void;
  /** As upsert, but an existing row keeps its seq (a "who has" answer is no digest). */
  heard(contentUuid: string, kind: string, variant: string, format: string, size: number | null, checksum: string | null): void;
  /** The row says has = 0 at the digest's seq. */
  tombstone(contentUuid: string, kind: string, variant: string): void;
  /** What the row says now: 1, 0, or undefined when there is none. */
  had(contentUuid: string, kind: string, variant: string): 0 | 1 | undefined;
  /** The id of (KIND, VARIANT) for insertKeyed, made if new (valid in this transaction). */
  nameId(kind: string, variant: string): number;
  /**
   * As insert, from a digest's bytes: CONTENT (16 bytes) and CHECKSUM (32) as they arrived, NAME
   * from nameId. Rows are written many to a statement: call flush() after the last (and before
   * anything reads them); a duplicate throws SQLITE_CONSTRAINT_PRIMARYKEY at the insert or the
   * flush that writes it.
   */
  insertKeyed(content: Uint8Array, name: number, format: string, size: number | null, checksum: Uint8Array | null): void;
  flush(): void;
  /** As upsert, tombstone and had, from a digest's bytes (as insertKeyed). */
  upsertKeyed(content: Uint8Array, name: number, format: string, size: number | null, checksum: Uint8Array | null): void;
  tombstoneKeyed(content: Uint8Array, name: number): void;
  hadKeyed(content: Uint8Array, name: number): 0 | 1 | undefined;
}

/** What a writer needs of the store: the device's id, the names' ids, and its tombstone statement. */
export interface HeardIds {
  device: number;
  /** The id of (KIND, VARIANT), made if new (valid in the caller's transaction). */
  nameId(kind: string, variant: string): number;
  /** The id of (KIND, VARIANT) if it has one. */
  knownNameId(kind: string, variant: string): number | undefined;
  tombstone: Statement<[number, number, Buffer | Uint8Array, number, number]>;
}

/**
 * Writes of IDS.device's rows at SEQ, as one digest (or a "who has" answer) brings them, their
 * statements prepared and the names' ids resolved once for the digest's loop
 * (`AvailabilityStore.heardFrom`). Use it inside one transaction.
 */
export function heardWriter(sql: Prepared, ids: HeardIds, seq: number, now: number): HeardWriter {
  const device = ids.device;
  const columns = 'content, name, device, has, size, checksum, format, seq, last_seen_at';
  type Values = [Buffer | Uint8Array, number, number, number | null, Buffer | Uint8Array | string | null, string, number, number];
  const insert = sql<Values>(`INSERT INTO sidecar_availability (${columns}) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?)`);
  const upsert = sql<Values>(
    `INSERT INTO sidecar_availability (${columns}) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?)
     ON CONFLICT(content, name, device) DO UPDATE SET has = 1, size = excluded.size, checksum = excluded.checksum,
       format = excluded.format, seq = excluded.seq, last_seen_at = excluded.last_seen_at`,
  );
  // A "who has" answer: its rows keep the change number known of the device, so its next digest supersedes them.
  const heard = sql<Values>(
    `INSERT INTO sidecar_availability (${columns}) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?)
     ON CONFLICT(content, name, device) DO UPDATE SET has = 1, size = excluded.size, checksum = excluded.checksum,
       format = excluded.format, last_seen_at = excluded.last_seen_at`,
  );
  const had = sql<[Buffer | Uint8Array, number, number], 0 | 1>('SELECT has FROM sidecar_availability WHERE content = ? AND name = ? AND device = ?').pluck();
  const tombstone = ids.tombstone;
  const many = new Map([...multiRowSql(KEYED_ROW, (values) => `INSERT INTO sidecar_availability (${columns}) VALUES ${values}`)]
    .map(([n, text]) => [n, sql<unknown[]>(text)]));
  // Names looked up or made in this writer's transaction.
  const names = new Map<string, number>();
  const nameId = (k: string, v: string): number => {
    const key = `${k}\0${v}`;
    let id = names.get(key);
    if (id === undefined) names.set(key, (id = ids.nameId(k, v)));
    return id;
  };
  const knownName = (k: string, v: string): number | undefined => names.get(`${k}\0${v}`) ?? ids.knownNameId(k, v);
  const row = (c: string, k: string, v: string, format: string, size: number | null, checksum: string | null): Values =>
    [keyBytes(c), nameId(k, v), device, size, checksum === null ? null : checksumBytes(checksum), format, seq, now];
  // Rows of insertKeyed waiting for a statement: KEYED_VALUES values each, as KEYED_ROW binds them.
  let pending: unknown[] = [];
  const flush = (): void => {
    const values = pending;
    pending = [];
    forEachChunk(values.length / KEYED_VALUES, (at, n) => many.get(n)!.run(...values.slice(at * KEYED_VALUES, (at + n) * KEYED_VALUES)));
  };
  return {
    insert: (...e) => void insert.run(...row(...e)),
    upsert: (...e) => void upsert.run(...row(...e)),
    heard: (...e) => void heard.run(...row(...e)),
    tombstone: (c, k, v) => {
      const name = knownName(k, v);
      if (name !== undefined) tombstone.run(seq, now, uuidBytes(c), name, device);
    },
    had: (c, k, v) => {
      const name = knownName(k, v);
      return name === undefined ? undefined : had.get(uuidBytes(c), name, device);
    },
    nameId,
    insertKeyed: (content, name, format, size, checksum) => {
      pending.push(content, name, device, size, checksum, format, seq, now);
      if (pending.length >= KEYED_BATCH * KEYED_VALUES) flush();
    },
    flush,
    upsertKeyed: (content, name, format, size, checksum) => void upsert.run(content, name, device, size, checksum, format, seq, now),
    tombstoneKeyed: (content, name) => void tombstone.run(seq, now, content, name, device),
    hadKeyed: (content, name) => had.get(content, name, device),
  };
}
