import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/**
 * A `conversion_journal` row: one conversion of a reference into a managed file in progress
 * (DESIGN §4), written before any file moves, so a crash at any step is finished or undone.
 */
export interface ConversionJournalRecord {
  id: number;
  sidecar_uuid: string;
  /** The user's file, absolute. */
  src_path: string;
  /** The sidecar's managed path, absolute. */
  dst_path: string;
  /** The temporary file beside dst_path a copy across filesystems goes through. */
  tmp_path: string;
  size: number;
  checksum: string;
  /** `placed`: the file is at dst_path and the sidecar recorded; only the source's removal is left. */
  step: 'started' | 'placed';
  created_at: number;
}

export type ConversionStart = Omit<ConversionJournalRecord, 'id' | 'step' | 'created_at'>;

/** The `conversion_journal` table. */
export class ConversionJournalStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  /** Journal a conversion as started (replacing a row of the same sidecar). */
  start(j: ConversionStart, now = Date.now()): void {
    this.sql<[string, string, string, string, number, string, number]>(
      "INSERT OR REPLACE INTO conversion_journal (sidecar_uuid, src_path, dst_path, tmp_path, size, checksum, step, created_at) VALUES (?, ?, ?, ?, ?, ?, 'started', ?)",
    ).run(j.sidecar_uuid, j.src_path, j.dst_path, j.tmp_path, j.size, j.checksum, now);
  }

  /** The file is in place and recorded; call in the transaction that records it. */
  placed(sidecarUuid: string): void {
    this.sql<[string]>("UPDATE conversion_journal SET step = 'placed' WHERE sidecar_uuid = ?").run(sidecarUuid);
  }

  remove(sidecarUuid: string): void {
    this.sql<[string]>('DELETE FROM conversion_journal WHERE sidecar_uuid = ?').run(sidecarUuid);
  }

  /** Every conversion in progress (after a crash: those it interrupted). */
  all(): ConversionJournalRecord[] {
    return this.sql<[], ConversionJournalRecord>('SELECT * FROM conversion_journal ORDER BY id').all();
  }
}
