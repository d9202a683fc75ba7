import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/** An `availability_suspects` row: a peer's entry whose bytes were not what it announced. */
export interface AvailabilitySuspectRecord {
  content_uuid: string;
  kind: string;
  variant: string;
  device_uuid: string;
  /** The checksum it lied at: the entry is usable again once it announces another. */
  checksum: string | null;
  reason: string;
  at: number;
}

/** The `availability_suspects` table (read with the availability it vetoes: `AvailabilityStore.sources`). */
export class AvailabilitySuspectStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  mark(s: AvailabilitySuspectRecord): void {
    this.sql<[string, string, string, string, string | null, string, number]>(
      `INSERT INTO availability_suspects (content_uuid, kind, variant, device_uuid, checksum, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(content_uuid, kind, variant, device_uuid) DO UPDATE SET checksum = excluded.checksum, reason = excluded.reason, at = excluded.at`,
    ).run(s.content_uuid, s.kind, s.variant, s.device_uuid, s.checksum, s.reason, s.at);
  }

  ofDevice(deviceUuid: string): AvailabilitySuspectRecord[] {
    return this.sql<[string], AvailabilitySuspectRecord>('SELECT * FROM availability_suspects WHERE device_uuid = ? ORDER BY content_uuid, kind, variant').all(deviceUuid);
  }

  removeDevice(deviceUuid: string): number {
    return this.sql<[string]>('DELETE FROM availability_suspects WHERE device_uuid = ?').run(deviceUuid).changes;
  }
}
