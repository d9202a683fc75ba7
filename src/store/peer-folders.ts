import type { Db } from '../db/connection.js';
import { beneath } from './peer-entries.js';
import { statementCache, type Prepared } from './statements.js';

/** A `peer_folders` row (migration 041): one folder of another device's location, as its owner numbered and signed it. */
export interface PeerFolderRecord {
  device_uuid: string;
  location_id: number;
  path: string;
  /** The owner's id of the folder (a delta's order after its seq). */
  folder_id: number;
  seq: number;
  /** The owner's signature over the folder's whole listing; null until its last part came, or from an owner that does not sign. */
  sig: Uint8Array | null;
  pull: number;
}

/** The `peer_folders` table: written only from what the owner sent (or a member passed on, signed by it). */
export class PeerFolderStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  /** A part of a folder came with PULL: its number, and its signature when it was the last part (SIG null otherwise, and kept until then). */
  put(r: PeerFolderRecord): void {
    this.sql<[string, number, string, number, number, Uint8Array | null, number]>(
      `INSERT INTO peer_folders (device_uuid, location_id, path, folder_id, seq, sig, pull) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(device_uuid, location_id, path) DO UPDATE SET folder_id = excluded.folder_id, seq = excluded.seq, sig = excluded.sig, pull = excluded.pull`,
    ).run(r.device_uuid, r.location_id, r.path, r.folder_id, r.seq, r.sig, r.pull);
  }

  get(deviceUuid: string, locationId: number, path: string): PeerFolderRecord | undefined {
    return this.sql<[string, number, string], PeerFolderRecord>('SELECT * FROM peer_folders WHERE device_uuid = ? AND location_id = ? AND path = ?').get(deviceUuid, locationId, path);
  }

  /**
   * DEVICE's folders a pull passes on, in the owner's order: every one by id (FULL), or those
   * numbered after FROMSEQ up to TOSEQ by number then id; after the folder (AFTERSEQ, AFTERID).
   */
  toSend(deviceUuid: string, q: { full: boolean; fromSeq: number; toSeq: number; afterSeq: number; afterId: number; limit: number }): PeerFolderRecord[] {
    if (q.full) {
      return this.sql<[string, number, number], PeerFolderRecord>(
        'SELECT * FROM peer_folders WHERE device_uuid = ? AND folder_id > ? ORDER BY folder_id LIMIT ?',
      ).all(deviceUuid, q.afterId, q.limit);
    }
    return this.sql<[string, number, number, number, number, number, number], PeerFolderRecord>(
      `SELECT * FROM peer_folders WHERE device_uuid = ? AND seq > ? AND seq <= ? AND (seq > ? OR (seq = ? AND folder_id > ?))
       ORDER BY seq, folder_id LIMIT ?`,
    ).all(deviceUuid, Math.max(q.fromSeq, 0), q.toSeq, q.afterSeq, q.afterSeq, q.afterId, q.limit);
  }

  /**
   * Whether every folder of DEVICE here carries its owner's signature: each folder row signed, each
   * folder that holds entries (a location's own too) with its row, and none numbered past TOSEQ, the
   * owner's head (a folder the owner renumbered while a full copy ran comes with its new number,
   * which a pull passed on up to TOSEQ cannot take: the next pull's head covers it).
   */
  allSigned(deviceUuid: string, toSeq: number): boolean {
    const unsigned = this.sql<[string, number], number>('SELECT 1 FROM peer_folders WHERE device_uuid = ? AND (sig IS NULL OR seq > ?) LIMIT 1').pluck().get(deviceUuid, toSeq);
    if (unsigned !== undefined) return false;
    // A folder an entry names may have no row: an empty folder an owner did not number (an older vss
    // numbered a folder only when its listing changed, not when it was made or renamed) comes in no
    // delta (a device that pulls from the owner itself has no row of it either).
    const holding = this.sql<[string], number>(
      `SELECT 1 FROM (SELECT DISTINCT device_uuid, location_id, dir_path FROM peer_entries WHERE device_uuid = ?) e WHERE NOT EXISTS (SELECT 1 FROM peer_folders f
         WHERE f.device_uuid = e.device_uuid AND f.location_id = e.location_id AND f.path = e.dir_path) LIMIT 1`,
    ).pluck().get(deviceUuid);
    return holding === undefined;
  }

  /** Folder PATH of a location of DEVICE and every folder beneath it are gone. */
  dropFolder(deviceUuid: string, locationId: number, path: string): void {
    const [from, to] = beneath(path);
    this.sql<[string, number, string, string, string]>(
      'DELETE FROM peer_folders WHERE device_uuid = ? AND location_id = ? AND (path = ? OR (path >= ? AND path < ?))',
    ).run(deviceUuid, locationId, path, from, to);
  }

  /** After a full copy: DEVICE's folders it did not confirm. */
  sweepDevice(deviceUuid: string, pull: number): void {
    this.sql<[string, number]>('DELETE FROM peer_folders WHERE device_uuid = ? AND pull <> ?').run(deviceUuid, pull);
  }

  dropLocation(deviceUuid: string, locationId: number): void {
    this.sql<[string, number]>('DELETE FROM peer_folders WHERE device_uuid = ? AND location_id = ?').run(deviceUuid, locationId);
  }

  dropDevice(deviceUuid: string): void {
    this.sql<[string]>('DELETE FROM peer_folders WHERE device_uuid = ?').run(deviceUuid);
  }
}

/** A `peer_heads` row: the head of the last pull of a device's rows, as the owner signed it. */
export interface PeerHeadRecord {
  device_uuid: string;
  /** The signed fields as JSON (MessageIn<'feed.library.head'> less what is per pull). */
  head: string;
  sig: Uint8Array;
}

/** The `peer_heads` table. */
export class PeerHeadStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  get(deviceUuid: string): PeerHeadRecord | undefined {
    return this.sql<[string], PeerHeadRecord>('SELECT * FROM peer_heads WHERE device_uuid = ?').get(deviceUuid);
  }

  all(): PeerHeadRecord[] {
    return this.sql<[], PeerHeadRecord>('SELECT * FROM peer_heads ORDER BY device_uuid').all();
  }

  set(r: PeerHeadRecord): void {
    this.sql<[string, string, Uint8Array]>(
      'INSERT INTO peer_heads (device_uuid, head, sig) VALUES (?, ?, ?) ON CONFLICT(device_uuid) DO UPDATE SET head = excluded.head, sig = excluded.sig',
    ).run(r.device_uuid, r.head, r.sig);
  }

  drop(deviceUuid: string): void {
    this.sql<[string]>('DELETE FROM peer_heads WHERE device_uuid = ?').run(deviceUuid);
  }
}
