import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/** A `shared_acks` row: how far a paired device has read this device's log of shared-data operations. */
export interface SharedAckRecord {
  device_uuid: string;
  seq: number;
  at: number;
}

/** The `shared_acks` table (migration 017). */
export class SharedAckStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  /** DEVICEUUID has read this device's log up to SEQ (never moves back: a pull from an older cursor says less, not that it forgot). */
  set(deviceUuid: string, seq: number, now = Date.now()): void {
    this.sql<[string, number, number]>(
      'INSERT INTO shared_acks (device_uuid, seq, at) VALUES (?, ?, ?) ON CONFLICT(device_uuid) DO UPDATE SET seq = max(shared_acks.seq, excluded.seq), at = excluded.at',
    ).run(deviceUuid, seq, now);
  }

  /** How far each of DEVICES has read (0 for one that never pulled). */
  of(devices: readonly string[]): Map<string, number> {
    const rows = this.sql<[string], SharedAckRecord>('SELECT * FROM shared_acks WHERE device_uuid IN (SELECT value FROM json_each(?))').all(JSON.stringify(devices));
    const out = new Map<string, number>(devices.map((d) => [d, 0]));
    for (const r of rows) out.set(r.device_uuid, r.seq);
    return out;
  }

  remove(deviceUuid: string): void {
    this.sql<[string]>('DELETE FROM shared_acks WHERE device_uuid = ?').run(deviceUuid);
  }
}
