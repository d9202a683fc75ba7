import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/** A `peer_sync` row: where sync with one paired device stands in this library. */
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

/** The `peer_sync` table: per paired device, the exchange's cursor and the transfers' counters. */
export class PeerSyncStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  get(deviceUuid: string): PeerSyncRecord | undefined {
    return this.sql<[string], PeerSyncRecord>('SELECT * FROM peer_sync WHERE device_uuid = ?').get(deviceUuid);
  }

  /** Every device this library has exchanged availability or files with, by device uuid. */
  all(): PeerSyncRecord[] {
    return this.sql<[], PeerSyncRecord>('SELECT * FROM peer_sync ORDER BY device_uuid').all();
  }

  /** A digest from DEVICE was applied: its cursor moves to SEQ of EPOCH, holding ENTRIES. */
  recordExchange(deviceUuid: string, epoch: string, seq: number, entries: number, at: number): void {
    this.sql<[string, string, number, number, number]>(
      `INSERT INTO peer_sync (device_uuid, epoch, seq, entries, last_exchange_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(device_uuid) DO UPDATE SET epoch = excluded.epoch, seq = excluded.seq, entries = excluded.entries, last_exchange_at = excluded.last_exchange_at`,
    ).run(deviceUuid, epoch, seq, entries, at);
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
