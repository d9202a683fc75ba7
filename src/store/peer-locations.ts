import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/** A `peer_locations` row: a location of a paired device, as its owner sent it (DESIGN §15). */
export interface PeerLocationRecord {
  device_uuid: string;
  /** The owner's id of it: peer entries name their location by it. */
  location_id: number;
  uuid: string;
  name: string;
  /** Its folder on the owner's device, as the owner shows it. */
  path: string;
  index_mode: string;
  files: number;
  dirs: number;
  bytes: number;
  /** Its owner could reach its folder when it last said (0: an unplugged drive). */
  online: 0 | 1;
}

/** The `peer_locations` table: written only from what the owner sent, never edited here. */
export class PeerLocationStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  ofDevice(deviceUuid: string): PeerLocationRecord[] {
    return this.sql<[string], PeerLocationRecord>('SELECT * FROM peer_locations WHERE device_uuid = ? ORDER BY location_id').all(deviceUuid);
  }

  all(): PeerLocationRecord[] {
    return this.sql<[], PeerLocationRecord>('SELECT * FROM peer_locations ORDER BY device_uuid, location_id').all();
  }

  /** Make DEVICE's locations these (the owner's whole list): others are deleted; the ids deleted come back. */
  replace(deviceUuid: string, rows: readonly (Omit<PeerLocationRecord, 'device_uuid' | 'online'> & { online?: 0 | 1 })[]): number[] {
    const keep = JSON.stringify(rows.map((r) => r.location_id));
    const gone = this.sql<[string, string], number>(
      'DELETE FROM peer_locations WHERE device_uuid = ? AND location_id NOT IN (SELECT value FROM json_each(?)) RETURNING location_id',
    ).pluck().all(deviceUuid, keep);
    const put = this.sql<[string, number, string, string, string, string, number, number, number, number]>(
      `INSERT INTO peer_locations (device_uuid, location_id, uuid, name, path, index_mode, files, dirs, bytes, online) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(device_uuid, location_id) DO UPDATE SET uuid = excluded.uuid, name = excluded.name, path = excluded.path,
         index_mode = excluded.index_mode, files = excluded.files, dirs = excluded.dirs, bytes = excluded.bytes, online = excluded.online`,
    );
    for (const r of rows) put.run(deviceUuid, r.location_id, r.uuid, r.name, r.path, r.index_mode, r.files, r.dirs, r.bytes, r.online ?? 1);
    return gone;
  }

  dropDevice(deviceUuid: string): number {
    return this.sql<[string]>('DELETE FROM peer_locations WHERE device_uuid = ?').run(deviceUuid).changes;
  }
}
