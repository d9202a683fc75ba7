import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/** A `shared_cursor` row: how far this device has read a paired device's log of shared-data operations. */
export interface SharedCursorRecord {
  device_uuid: string;
  epoch: string;
  seq: number;
}

/** The `shared_cursor` table (migration 017). */
export class SharedCursorStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  get(deviceUuid: string): SharedCursorRecord | undefined {
    return this.sql<[string], SharedCursorRecord>('SELECT * FROM shared_cursor WHERE device_uuid = ?').get(deviceUuid);
  }

  set(deviceUuid: string, epoch: string, seq: number): void {
    this.sql<[string, string, number]>(
      'INSERT INTO shared_cursor (device_uuid, epoch, seq) VALUES (?, ?, ?) ON CONFLICT(device_uuid) DO UPDATE SET epoch = excluded.epoch, seq = excluded.seq',
    ).run(deviceUuid, epoch, seq);
  }

  /** Forget DEVICEUUID (unpaired). */
  remove(deviceUuid: string): void {
    this.sql<[string]>('DELETE FROM shared_cursor WHERE device_uuid = ?').run(deviceUuid);
  }
}
