import type { Db } from '../db/connection.js';
import type { VolumeRecord } from './volumes.js';
import { statementCache, type Prepared } from './statements.js';

/** A `bucket_volumes` row (migration 028): where a bucket volume is, and when it last answered. */
export interface BucketVolumeRecord {
  volume_id: number;
  bucket: string;
  prefix: string;
  endpoint: string | null;
  region: string | null;
  path_style: 0 | 1;
  reachable_at: number | null;
  unreachable: string | null;
}

/** A bucket volume with its `volumes` row. */
export type BucketVolume = BucketVolumeRecord & Pick<VolumeRecord, 'device_id' | 'fingerprint' | 'name' | 'mount_point' | 'last_seen_at'>;

/** A `bucket_objects` row: an object vss put in a bucket and verified, a copy of its content. */
export interface BucketObjectRecord {
  volume_id: number;
  key: string;
  content_uuid: string;
  size: number;
  blake3: string;
  uploaded_at: number;
  verified_at: number | null;
}

/** A `bucket_uploads` row: a multipart upload under way, to resume by. */
export interface BucketUploadRecord {
  volume_id: number;
  key: string;
  upload_id: string;
  /** JSON: the parts the server confirmed, `[{n, etag}]`. */
  parts: string;
  started_at: number;
}

const VOLUME = `SELECT b.*, v.device_id, v.fingerprint, v.name, v.mount_point, v.last_seen_at FROM bucket_volumes b JOIN volumes v ON v.id = b.volume_id`;

/** The tables of buckets as volumes: where each is, the objects vss verified there, the uploads under way. */
export class BucketStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  add(r: Omit<BucketVolumeRecord, 'reachable_at' | 'unreachable'>): void {
    this.sql<[number, string, string, string | null, string | null, number]>(
      'INSERT INTO bucket_volumes (volume_id, bucket, prefix, endpoint, region, path_style) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(r.volume_id, r.bucket, r.prefix, r.endpoint, r.region, r.path_style);
  }

  byVolume(volumeId: number): BucketVolume | undefined {
    return this.sql<[number], BucketVolume>(`${VOLUME} WHERE b.volume_id = ?`).get(volumeId);
  }

  ofDevice(deviceId: number): BucketVolume[] {
    return this.sql<[number], BucketVolume>(`${VOLUME} WHERE v.device_id = ? ORDER BY b.volume_id`).all(deviceId);
  }

  /** It answered at AT (REASON null), or did not, saying REASON. */
  setReach(volumeId: number, at: number, reason: string | null): void {
    if (reason === null) this.sql<[number, number]>('UPDATE bucket_volumes SET reachable_at = ?, unreachable = NULL WHERE volume_id = ?').run(at, volumeId);
    else this.sql<[string, number]>('UPDATE bucket_volumes SET unreachable = ? WHERE volume_id = ?').run(reason, volumeId);
  }

  putObject(o: BucketObjectRecord): void {
    this.sql<[number, string, string, number, string, number, number | null]>(
      `INSERT INTO bucket_objects (volume_id, key, content_uuid, size, blake3, uploaded_at, verified_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(volume_id, key) DO UPDATE SET content_uuid = excluded.content_uuid, size = excluded.size, blake3 = excluded.blake3,
         uploaded_at = excluded.uploaded_at, verified_at = excluded.verified_at`,
    ).run(o.volume_id, o.key, o.content_uuid, o.size, o.blake3, o.uploaded_at, o.verified_at);
  }

  object(volumeId: number, key: string): BucketObjectRecord | undefined {
    return this.sql<[number, string], BucketObjectRecord>('SELECT * FROM bucket_objects WHERE volume_id = ? AND key = ?').get(volumeId, key);
  }

  /** Every object of CONTENT in this device's buckets, the last verified first. */
  objectsOf(contentUuid: string): BucketObjectRecord[] {
    return this.sql<[string], BucketObjectRecord>('SELECT * FROM bucket_objects WHERE content_uuid = ? ORDER BY verified_at DESC, volume_id, key').all(contentUuid);
  }

  /** Whether bucket VOLUMEID holds an object of CONTENT. */
  holds(volumeId: number, contentUuid: string): boolean {
    return this.sql<[string, number], number>('SELECT EXISTS (SELECT 1 FROM bucket_objects WHERE content_uuid = ? AND volume_id = ?)').pluck().get(contentUuid, volumeId) === 1;
  }

  upload(volumeId: number, key: string): BucketUploadRecord | undefined {
    return this.sql<[number, string], BucketUploadRecord>('SELECT * FROM bucket_uploads WHERE volume_id = ? AND key = ?').get(volumeId, key);
  }

  /** The upload of KEY as it stands now (its id and the parts confirmed). */
  keepUpload(volumeId: number, key: string, uploadId: string, parts: string, now: number): void {
    this.sql<[number, string, string, string, number]>(
      `INSERT INTO bucket_uploads (volume_id, key, upload_id, parts, started_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(volume_id, key) DO UPDATE SET upload_id = excluded.upload_id, parts = excluded.parts`,
    ).run(volumeId, key, uploadId, parts, now);
  }

  forgetUpload(volumeId: number, key: string): void {
    this.sql<[number, string]>('DELETE FROM bucket_uploads WHERE volume_id = ? AND key = ?').run(volumeId, key);
  }
}
