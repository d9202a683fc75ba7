import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/**
 * A `feed_cursors` row (migration 021): how far this device has taken in one paired device's feed
 * (src/sync/feeds/: `availability`, `library`, `shared`).
 */
export interface FeedCursorRecord {
  device_uuid: string;
  feed: string;
  epoch: string | null;
  /** Every change of the device's feed up to this number is taken in. */
  seq: number;
  /** A pull under way or cut off: a full copy (1) or a delta (0); null when none. */
  pull_full: 0 | 1 | null;
  pull_to_seq: number | null;
  /** The last page applied: the folder's number and id, and the last name of its listing ('' when whole). */
  pull_after_seq: number | null;
  pull_after_id: number | null;
  pull_after_name: string | null;
  /** Numbers this device's pulls of the feed: rows carry the one that last confirmed them. */
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

/** The `feed_cursors` table: the one place a follower keeps where it stands in each device's feeds. */
export class FeedCursorStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  get(deviceUuid: string, feed: string): FeedCursorRecord | undefined {
    return this.sql<[string, string], FeedCursorRecord>('SELECT * FROM feed_cursors WHERE device_uuid = ? AND feed = ?').get(deviceUuid, feed);
  }

  /** Every device's cursor in FEED, by device uuid. */
  all(feed: string): FeedCursorRecord[] {
    return this.sql<[string], FeedCursorRecord>('SELECT * FROM feed_cursors WHERE feed = ? ORDER BY device_uuid').all(feed);
  }

  /** DEVICE's FEED is taken in up to SEQ of EPOCH (AT: when the pull ended; null leaves the last one). */
  set(deviceUuid: string, feed: string, epoch: string, seq: number, at: number | null = null): void {
    this.sql<[string, string, string, number, number | null]>(
      `INSERT INTO feed_cursors (device_uuid, feed, epoch, seq, last_pull_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(device_uuid, feed) DO UPDATE SET epoch = excluded.epoch, seq = excluded.seq, last_pull_at = COALESCE(excluded.last_pull_at, last_pull_at)`,
    ).run(deviceUuid, feed, epoch, seq, at);
  }

  /** DEVICE's FEED stood at SEQ of EPOCH as of pull PULLNUMBER of another of its feeds (a mark kept beside a cursor). */
  mark(deviceUuid: string, feed: string, epoch: string, seq: number, pullNumber: number): void {
    this.sql<[string, string, string, number, number]>(
      `INSERT INTO feed_cursors (device_uuid, feed, epoch, seq, pull_number) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(device_uuid, feed) DO UPDATE SET epoch = excluded.epoch, seq = excluded.seq, pull_number = excluded.pull_number`,
    ).run(deviceUuid, feed, epoch, seq, pullNumber);
  }

  /** A new pull of DEVICE's FEED of EPOCH starts at POS: its number (one more than the last). */
  startPull(deviceUuid: string, feed: string, epoch: string, pos: PullPosition, at: number): number {
    return this.sql<[string, string, string, number, number, number, number, string, number], number>(
      `INSERT INTO feed_cursors (device_uuid, feed, epoch, pull_full, pull_to_seq, pull_after_seq, pull_after_id, pull_after_name, pull_number, last_pull_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
       ON CONFLICT(device_uuid, feed) DO UPDATE SET epoch = excluded.epoch, pull_full = excluded.pull_full, pull_to_seq = excluded.pull_to_seq,
         pull_after_seq = excluded.pull_after_seq, pull_after_id = excluded.pull_after_id, pull_after_name = excluded.pull_after_name,
         pull_number = pull_number + 1, last_pull_at = excluded.last_pull_at,
         seq = CASE WHEN feed_cursors.epoch IS excluded.epoch THEN seq ELSE 0 END
       RETURNING pull_number`,
    ).pluck().get(deviceUuid, feed, epoch, pos.full ? 1 : 0, pos.toSeq, pos.afterSeq, pos.afterId, pos.afterName, at)!;
  }

  /** A page of the pull under way was applied: it stands after this folder (and name). */
  advance(deviceUuid: string, feed: string, afterSeq: number, afterId: number, afterName: string): void {
    this.sql<[number, number, string, string, string]>(
      'UPDATE feed_cursors SET pull_after_seq = ?, pull_after_id = ?, pull_after_name = ? WHERE device_uuid = ? AND feed = ?',
    ).run(afterSeq, afterId, afterName, deviceUuid, feed);
  }

  /** The pull under way is whole: every change up to its to-seq is taken in. */
  finishPull(deviceUuid: string, feed: string, at: number): void {
    this.sql<[number, string, string]>(
      `UPDATE feed_cursors SET seq = pull_to_seq, pull_full = NULL, pull_to_seq = NULL, pull_after_seq = NULL,
         pull_after_id = NULL, pull_after_name = NULL, last_pull_at = ? WHERE device_uuid = ? AND feed = ? AND pull_to_seq IS NOT NULL`,
    ).run(at, deviceUuid, feed);
  }

  /** Forget where this device stood in DEVICE's FEED (unpaired). */
  remove(deviceUuid: string, feed: string): void {
    this.sql<[string, string]>('DELETE FROM feed_cursors WHERE device_uuid = ? AND feed = ?').run(deviceUuid, feed);
  }
}
