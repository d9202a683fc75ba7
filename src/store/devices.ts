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
  /** When the library was made from a snapshot (restored, recovered), this device not heard from since: its copies are not counted (migration 050). */
  unconfirmed_since: number | null;
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
       ON CONFLICT(uuid) DO UPDATE SET name = excluded.name, last_seen_at = excluded.last_seen_at, unconfirmed_since = NULL`,
    ).run(device.uuid, device.name, device.publicKey, platform(), now, now);
    return this.sql<[string], number>('SELECT id FROM devices WHERE uuid = ?').pluck().get(device.uuid)!;
  }

  /**
   * A paired device as it last named itself (DESIGN §15: devices are device-owned data); its
   * public key is the one this device pinned when pairing. Not `heardFrom`: a pull that begins may
   * be cut off before its rows replace what a snapshot said.
   */
  upsertPeer(d: DeviceFacts & { os: string }, now = Date.now()): void {
    this.sql<[string, string, string, string, number, number]>(
      `INSERT INTO devices (uuid, name, public_key, os, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(uuid) DO UPDATE SET name = excluded.name, os = excluded.os, last_seen_at = excluded.last_seen_at`,
    ).run(d.uuid, d.name, d.publicKey, d.os, now, now);
  }

  /**
   * What this library holds of device UUID is its own word now (a whole pull from it ended): what
   * a restored snapshot said of it is replaced, and its copies count again (`unconfirmOthers`).
   */
  heardFrom(uuid: string): void {
    this.sql<[string]>('UPDATE devices SET unconfirmed_since = NULL WHERE uuid = ? AND unconfirmed_since IS NOT NULL').run(uuid);
  }

  /**
   * The library was just made from a snapshot (DESIGN §19, migration 050): what it says every other
   * device holds is what that device held when the snapshot was made, so none of them counts until
   * it is heard from again (`heardFrom`, or `upsertSelf` when it opens the library). Those already
   * unconfirmed keep their first time.
   */
  unconfirmOthers(selfUuid: string, now = Date.now()): number {
    return this.sql<[number, string]>('UPDATE devices SET unconfirmed_since = coalesce(unconfirmed_since, ?) WHERE uuid <> ?').run(now, selfUuid).changes;
  }

  /** Every device this library knows: this one, others that opened its folder, paired ones. */
  all(): DeviceRecord[] {
    return this.sql<[], DeviceRecord>('SELECT * FROM devices ORDER BY id').all();
  }

  /** Devices named NAME (case as given): more than one when two share a name. */
  byName(name: string): DeviceRecord[] {
    return this.sql<[string], DeviceRecord>('SELECT * FROM devices WHERE name = ? ORDER BY id').all(name);
  }

  /** Forget a paired device's row, unless a location of this library is its (it opened this library folder itself). */
  removePeer(uuid: string): void {
    this.sql<[string]>('DELETE FROM devices WHERE uuid = ? AND id NOT IN (SELECT device_id FROM locations)').run(uuid);
  }

  byUuid(uuid: string): DeviceRecord | undefined {
    return this.sql<[string], DeviceRecord>('SELECT * FROM devices WHERE uuid = ?').get(uuid);
  }
}
