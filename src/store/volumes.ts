import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/** A `volumes` row: a drive this device has seen (DESIGN §17), device-owned. */
export interface VolumeRecord {
  id: number;
  device_id: number;
  /** Its filesystem UUID where it has one: the same at any mount point. */
  fingerprint: string;
  name: string | null;
  tracked: 0 | 1;
  /** Where it was mounted when last seen. */
  mount_point: string;
  fs: string;
  capacity: number;
  free: number;
  removable: 0 | 1;
  read_only: 0 | 1;
  read_mbps: number | null;
  write_mbps: number | null;
  speed_tested_at: number | null;
  first_seen_at: number;
  last_seen_at: number;
}

export type SeenVolume = Pick<VolumeRecord, 'fingerprint' | 'mount_point' | 'fs' | 'capacity' | 'free' | 'removable' | 'read_only'>;

/** The `volumes` table. */
export class VolumeStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  byId(id: number, deviceId: number): VolumeRecord | undefined {
    return this.sql<[number, number], VolumeRecord>('SELECT * FROM volumes WHERE id = ? AND device_id = ?').get(id, deviceId);
  }

  byFingerprint(fingerprint: string, deviceId: number): VolumeRecord | undefined {
    return this.sql<[string, number], VolumeRecord>('SELECT * FROM volumes WHERE fingerprint = ? AND device_id = ?').get(fingerprint, deviceId);
  }

  ofDevice(deviceId: number): VolumeRecord[] {
    return this.sql<[number], VolumeRecord>('SELECT * FROM volumes WHERE device_id = ? ORDER BY id').all(deviceId);
  }

  /** Record a volume seen mounted now (new, or its mount point and sizes brought up to date); its row comes back. */
  seen(deviceId: number, v: SeenVolume, now = Date.now()): VolumeRecord {
    return this.sql<[number, string, string, string, number, number, number, number, number, number], VolumeRecord>(
      `INSERT INTO volumes (device_id, fingerprint, mount_point, fs, capacity, free, removable, read_only, first_seen_at, last_seen_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(device_id, fingerprint) DO UPDATE SET mount_point = excluded.mount_point, fs = excluded.fs, capacity = excluded.capacity,
         free = excluded.free, removable = excluded.removable, read_only = excluded.read_only, last_seen_at = excluded.last_seen_at
       RETURNING *`,
    ).get(deviceId, v.fingerprint, v.mount_point, v.fs, v.capacity, v.free, v.removable, v.read_only, now, now)!;
  }

  setTracked(id: number, tracked: boolean, name: string | null | undefined): void {
    if (name === undefined) this.sql<[number, number]>('UPDATE volumes SET tracked = ? WHERE id = ?').run(tracked ? 1 : 0, id);
    else this.sql<[number, string | null, number]>('UPDATE volumes SET tracked = ?, name = ? WHERE id = ?').run(tracked ? 1 : 0, name, id);
  }

  setSpeed(id: number, readMbps: number, writeMbps: number, now = Date.now()): void {
    this.sql<[number, number, number, number]>('UPDATE volumes SET read_mbps = ?, write_mbps = ?, speed_tested_at = ? WHERE id = ?').run(readMbps, writeMbps, now, id);
  }
}
