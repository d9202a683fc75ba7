import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/** A `peer_library_cursor` row: how far this library's copy of one owner's rows has got (DESIGN §15). */
export interface PeerLibraryCursorRecord {
  device_uuid: string;
  epoch: string | null;
  /** Every change of the owner up to this number is applied. */
  seq: number;
  /** A pull under way or cut off: a full copy (1) or a delta (0); null when none. */
  pull_full: 0 | 1 | null;
  pull_to_seq: number | null;
  /** The last page applied: the folder's number and id, and the last name of its listing ('' when whole). */
  pull_after_seq: number | null;
  pull_after_id: number | null;
  pull_after_name: string | null;
  /** Numbers this device's pulls from the owner: rows carry the one that last confirmed them. */
  pull_number: number;
  last_pull_at: number | null;
}

/** Where a cut-off pull stood: what it brings, and the last page applied. */
export interface PullPosition {
  full: boolean;
  toSeq: number;
  afterSeq: number;
  afterId: number;
  afterName: string;
}

/** The `peer_library_cursor` table. */
export class PeerLibraryCursorStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  get(deviceUuid: string): PeerLibraryCursorRecord | undefined {
    return this.sql<[string], PeerLibraryCursorRecord>('SELECT * FROM peer_library_cursor WHERE device_uuid = ?').get(deviceUuid);
  }

  all(): PeerLibraryCursorRecord[] {
    return this.sql<[], PeerLibraryCursorRecord>('SELECT * FROM peer_library_cursor ORDER BY device_uuid').all();
  }

  /** A new pull from DEVICE of EPOCH starts at POS: its number (one more than the last). */
  startPull(deviceUuid: string, epoch: string, pos: PullPosition, at: number): number {
    return this.sql<[string, string, number, number, number, number, string, number], number>(
      `INSERT INTO peer_library_cursor (device_uuid, epoch, pull_full, pull_to_seq, pull_after_seq, pull_after_id, pull_after_name, pull_number, last_pull_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)
       ON CONFLICT(device_uuid) DO UPDATE SET epoch = excluded.epoch, pull_full = excluded.pull_full, pull_to_seq = excluded.pull_to_seq,
         pull_after_seq = excluded.pull_after_seq, pull_after_id = excluded.pull_after_id, pull_after_name = excluded.pull_after_name,
         pull_number = pull_number + 1, last_pull_at = excluded.last_pull_at,
         seq = CASE WHEN peer_library_cursor.epoch IS excluded.epoch THEN seq ELSE 0 END
       RETURNING pull_number`,
    ).pluck().get(deviceUuid, epoch, pos.full ? 1 : 0, pos.toSeq, pos.afterSeq, pos.afterId, pos.afterName, at)!;
  }

  /** A page of the pull under way was applied: it stands after this folder (and name). */
  advance(deviceUuid: string, afterSeq: number, afterId: number, afterName: string): void {
    this.sql<[number, number, string, string]>(
      'UPDATE peer_library_cursor SET pull_after_seq = ?, pull_after_id = ?, pull_after_name = ? WHERE device_uuid = ?',
    ).run(afterSeq, afterId, afterName, deviceUuid);
  }

  /** The pull under way is whole: every change up to its to-seq is applied. */
  finishPull(deviceUuid: string, at: number): void {
    this.sql<[number, string]>(
      `UPDATE peer_library_cursor SET seq = pull_to_seq, pull_full = NULL, pull_to_seq = NULL, pull_after_seq = NULL,
         pull_after_id = NULL, pull_after_name = NULL, last_pull_at = ? WHERE device_uuid = ? AND pull_to_seq IS NOT NULL`,
    ).run(at, deviceUuid);
  }

  remove(deviceUuid: string): void {
    this.sql<[string]>('DELETE FROM peer_library_cursor WHERE device_uuid = ?').run(deviceUuid);
  }
}
