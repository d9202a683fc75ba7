import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/**
 * A `peer_sync` row: where sync with one paired device stands in this library, with its
 * availability feed's cursor (`feed_cursors`, migration 021).
 */
export interface PeerSyncRecord {
  device_uuid: string;
  /** Its numbering's epoch, as last heard (null before the first digest). */
  epoch: string | null;
  /** The last of its change numbers applied here. */
  seq: number;
  /** Its availability entries held here (has = 1). */
  entries: number;
  last_exchange_at: number | null;
  bytes_fetched: number;
  files_fetched: number;
  failures: number;
}

/** Counters a transfer adds to. */
export interface TransferCounts {
  bytes?: number;
  files?: number;
  failures?: number;
}

/** Its row with the availability feed's cursor read beside it. */
const ROW = `SELECT p.device_uuid, c.epoch, COALESCE(c.seq, 0) AS seq, p.entries, c.last_pull_at AS last_exchange_at, p.bytes_fetched, p.files_fetched, p.failures
  FROM peer_sync p LEFT JOIN feed_cursors c ON c.device_uuid = p.device_uuid AND c.feed = 'availability'`;

/** The `peer_sync` table: per paired device, its availability entries held here and the transfers' counters (its cursor is in `feed_cursors`). */
export class PeerSyncStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  get(deviceUuid: string): PeerSyncRecord | undefined {
    return this.sql<[string], PeerSyncRecord>(`${ROW} WHERE p.device_uuid = ?`).get(deviceUuid);
  }

  /** Every device this library has exchanged availability or files with, by device uuid. */
  all(): PeerSyncRecord[] {
    return this.sql<[], PeerSyncRecord>(`${ROW} ORDER BY p.device_uuid`).all();
  }

  /** A digest from DEVICE was applied: it holds ENTRIES here (its cursor moves in `feed_cursors`, in the same transaction). */
  setEntries(deviceUuid: string, entries: number): void {
    this.sql<[string, number]>(
      `INSERT INTO peer_sync (device_uuid, entries) VALUES (?, ?)
       ON CONFLICT(device_uuid) DO UPDATE SET entries = excluded.entries`,
    ).run(deviceUuid, entries);
  }

  /** DEVICE's count of entries grows by N (a "who has" answer), its cursor untouched. */
  addEntries(deviceUuid: string, n: number): void {
    this.sql<[string, number]>(
      `INSERT INTO peer_sync (device_uuid, entries) VALUES (?, ?)
       ON CONFLICT(device_uuid) DO UPDATE SET entries = entries + excluded.entries`,
    ).run(deviceUuid, n);
  }

  /** Add to DEVICE's transfer counters. */
  count(deviceUuid: string, c: TransferCounts): void {
    this.sql<[string, number, number, number]>(
      `INSERT INTO peer_sync (device_uuid, bytes_fetched, files_fetched, failures) VALUES (?, ?, ?, ?)
       ON CONFLICT(device_uuid) DO UPDATE SET bytes_fetched = bytes_fetched + excluded.bytes_fetched,
         files_fetched = files_fetched + excluded.files_fetched, failures = failures + excluded.failures`,
    ).run(deviceUuid, c.bytes ?? 0, c.files ?? 0, c.failures ?? 0);
  }

  remove(deviceUuid: string): void {
    this.sql<[string]>('DELETE FROM peer_sync WHERE device_uuid = ?').run(deviceUuid);
  }
}
