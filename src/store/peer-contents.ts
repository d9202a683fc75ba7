import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/** A `peer_contents` row: the facts of a content a paired device holds, as it sent them (DESIGN §15). */
export interface PeerContentRecord {
  device_uuid: string;
  content_uuid: string;
  cas_id: string;
  cas_version: number;
  kind: string;
  mime: string;
  size: number;
  media_metadata: string | null;
}

export type PeerContentFacts = Omit<PeerContentRecord, 'device_uuid'>;

/*
 * One row a statement: an upsert of many rows at once (VALUES … ON CONFLICT) measured slower here
 * than the same prepared statement run row by row (0.62 s against 0.35 s for 100k rows).
 */
const PUT = `INSERT INTO peer_contents (device_uuid, content_uuid, cas_id, cas_version, kind, mime, size, media_metadata)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(content_uuid, device_uuid) DO UPDATE SET cas_id = excluded.cas_id, cas_version = excluded.cas_version,
  kind = excluded.kind, mime = excluded.mime, size = excluded.size, media_metadata = excluded.media_metadata`;

/** The `peer_contents` table: written only from what the owner sent, never edited here. */
export class PeerContentStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  get(deviceUuid: string, contentUuid: string): PeerContentRecord | undefined {
    return this.sql<[string, string], PeerContentRecord>('SELECT * FROM peer_contents WHERE device_uuid = ? AND content_uuid = ?').get(deviceUuid, contentUuid);
  }

  /** The facts any paired device sent of this content (the first by device uuid). */
  anyOf(contentUuid: string): PeerContentRecord | undefined {
    return this.sql<[string], PeerContentRecord>('SELECT * FROM peer_contents WHERE content_uuid = ? ORDER BY device_uuid LIMIT 1').get(contentUuid);
  }

  putMany(deviceUuid: string, rows: readonly PeerContentFacts[]): void {
    const put = this.sql<[string, string, string, number, string, string, number, string | null]>(PUT);
    for (const r of rows) put.run(deviceUuid, r.content_uuid, r.cas_id, r.cas_version, r.kind, r.mime, r.size, r.media_metadata);
  }

  /** Forget DEVICE's contents none of its entries holds any more; their uuids. */
  dropUnheld(deviceUuid: string): string[] {
    return this.sql<[string], string>(
      `DELETE FROM peer_contents WHERE device_uuid = ? AND NOT EXISTS
         (SELECT 1 FROM peer_entries pe WHERE pe.content_uuid = peer_contents.content_uuid AND pe.device_uuid = peer_contents.device_uuid)
       RETURNING content_uuid`,
    ).pluck().all(deviceUuid);
  }

  count(deviceUuid: string): number {
    return this.sql<[string], number>('SELECT COUNT(*) FROM peer_contents WHERE device_uuid = ?').pluck().get(deviceUuid)!;
  }

  /** Forget every content of DEVICE; their uuids. */
  dropDevice(deviceUuid: string): string[] {
    return this.sql<[string], string>('DELETE FROM peer_contents WHERE device_uuid = ? RETURNING content_uuid').pluck().all(deviceUuid);
  }
}
