import { platform } from 'node:os';
import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/** A `devices` row: a device that has opened this library (this one, or a paired one's rows to come). */
export interface DeviceRecord {
  id: number;
  uuid: string;
  name: string;
  public_key: string;
  os: string | null;
  created_at: number;
  last_seen_at: number;
}

/** What a device says of itself when it opens the library. */
export interface DeviceFacts {
  uuid: string;
  name: string;
  publicKey: string;
}

/** The `devices` table. */
export class DeviceStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  /** Record DEVICE as having opened the library now (its name as it is today); its row id. */
  upsertSelf(device: DeviceFacts, now = Date.now()): number {
    this.sql<[string, string, string, string, number, number]>(
      `INSERT INTO devices (uuid, name, public_key, os, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(uuid) DO UPDATE SET name = excluded.name, last_seen_at = excluded.last_seen_at`,
    ).run(device.uuid, device.name, device.publicKey, platform(), now, now);
    return this.sql<[string], number>('SELECT id FROM devices WHERE uuid = ?').pluck().get(device.uuid)!;
  }

  byUuid(uuid: string): DeviceRecord | undefined {
    return this.sql<[string], DeviceRecord>('SELECT * FROM devices WHERE uuid = ?').get(uuid);
  }
}
