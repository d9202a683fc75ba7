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
  /** The listing check's pass under way: the last key it got through ('' at its start); null: none under way (migration 035). */
  check_after: string | null;
  check_started_at: number | null;
  /** When the last listing check got to the end of the listing. */
  check_done_at: number | null;
  /** The library key its objects are sealed with (`library_keys`, migration 049); null: a plain bucket. */
  key_id: string | null;
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
  /** The ETag the bucket gave when the upload was read back (no quotes); null: recorded before it was kept (migration 035). */
  etag: string | null;
  /** When a HEAD or a listing last found it as recorded. */
  checked_at: number | null;
  /** When it was found gone or changed (it counts as no copy while set), and why, in words. */
  lost_at: number | null;
  lost_why: string | null;
}

/** What a new object is recorded with: the marks of later looks start empty. */
export type NewBucketObject = Omit<BucketObjectRecord, 'checked_at' | 'lost_at' | 'lost_why'>;

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

  add(r: Omit<BucketVolumeRecord, 'reachable_at' | 'unreachable' | 'check_after' | 'check_started_at' | 'check_done_at' | 'key_id'> & { key_id?: string | null }): void {
    this.sql<[number, string, string, string | null, string | null, number, string | null]>(
      'INSERT INTO bucket_volumes (volume_id, bucket, prefix, endpoint, region, path_style, key_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(r.volume_id, r.bucket, r.prefix, r.endpoint, r.region, r.path_style, r.key_id ?? null);
  }

  byVolume(volumeId: number): BucketVolume | undefined {
    return this.sql<[number], BucketVolume>(`${VOLUME} WHERE b.volume_id = ?`).get(volumeId);
  }

  ofDevice(deviceId: number): BucketVolume[] {
    return this.sql<[number], BucketVolume>(`${VOLUME} WHERE v.device_id = ? ORDER BY b.volume_id`).all(deviceId);
  }

  /** The bucket volumes of any device sealed with key KEYID under PREFIX (a library recovered from its bucket: what the device that made it recorded there). */
  sealedWith(keyId: string, prefix: string): BucketVolume[] {
    return this.sql<[string, string], BucketVolume>(`${VOLUME} WHERE b.key_id = ? AND b.prefix = ? ORDER BY b.volume_id`).all(keyId, prefix);
  }

  /**
   * The objects recorded in bucket volume FROM recorded in volume TO too (the same bucket reached
   * from this device: a library recovered from it), as they were recorded; one TO has kept.
   */
  copyObjects(from: number, to: number): void {
    this.sql<[number, number]>(
      `INSERT INTO bucket_objects (volume_id, key, content_uuid, size, blake3, uploaded_at, verified_at, etag, checked_at, lost_at, lost_why)
       SELECT ?, key, content_uuid, size, blake3, uploaded_at, verified_at, etag, checked_at, lost_at, lost_why FROM bucket_objects WHERE volume_id = ?
       ON CONFLICT(volume_id, key) DO NOTHING`,
    ).run(to, from);
  }

  /** How many contents bucket VOLUMEID holds an object of that is not found gone or changed. */
  contentsIn(volumeId: number): number {
    return this.sql<[number], number>('SELECT COUNT(DISTINCT content_uuid) FROM bucket_objects WHERE volume_id = ? AND lost_at IS NULL').pluck().get(volumeId)!;
  }

  /** It answered at AT (REASON null), or did not, saying REASON. */
  setReach(volumeId: number, at: number, reason: string | null): void {
    if (reason === null) this.sql<[number, number]>('UPDATE bucket_volumes SET reachable_at = ?, unreachable = NULL WHERE volume_id = ?').run(at, volumeId);
    else this.sql<[string, number]>('UPDATE bucket_volumes SET unreachable = ? WHERE volume_id = ?').run(reason, volumeId);
  }

  /** O recorded as verified (a later look's marks cleared: an upload made again over a lost object is a copy again). */
  putObject(o: NewBucketObject): void {
    this.sql<[NewBucketObject]>(
      `INSERT INTO bucket_objects (volume_id, key, content_uuid, size, blake3, uploaded_at, verified_at, etag, checked_at)
       VALUES (@volume_id, @key, @content_uuid, @size, @blake3, @uploaded_at, @verified_at, @etag, @verified_at)
       ON CONFLICT(volume_id, key) DO UPDATE SET content_uuid = excluded.content_uuid, size = excluded.size, blake3 = excluded.blake3,
         uploaded_at = excluded.uploaded_at, verified_at = excluded.verified_at, etag = excluded.etag, checked_at = excluded.checked_at,
         lost_at = NULL, lost_why = NULL`,
    ).run({ volume_id: o.volume_id, key: o.key, content_uuid: o.content_uuid, size: o.size, blake3: o.blake3, uploaded_at: o.uploaded_at, verified_at: o.verified_at, etag: o.etag });
  }

  object(volumeId: number, key: string): BucketObjectRecord | undefined {
    return this.sql<[number, string], BucketObjectRecord>('SELECT * FROM bucket_objects WHERE volume_id = ? AND key = ?').get(volumeId, key);
  }

  /** Every object of CONTENT in this device's buckets that is not found gone or changed, the last verified first. */
  objectsOf(contentUuid: string): BucketObjectRecord[] {
    return this.sql<[string], BucketObjectRecord>('SELECT * FROM bucket_objects WHERE content_uuid = ? AND lost_at IS NULL ORDER BY verified_at DESC, volume_id, key').all(contentUuid);
  }

  /** Whether bucket VOLUMEID holds an object of CONTENT that is not found gone or changed. */
  holds(volumeId: number, contentUuid: string): boolean {
    return this.sql<[string, number], number>('SELECT EXISTS (SELECT 1 FROM bucket_objects WHERE content_uuid = ? AND volume_id = ? AND lost_at IS NULL)').pluck().get(contentUuid, volumeId) === 1;
  }

  /** The object at KEY found gone or changed at AT (the first time kept), saying WHY: it stops counting. */
  markLost(volumeId: number, key: string, at: number, why: string): void {
    this.sql<[number, string, number, string]>('UPDATE bucket_objects SET lost_at = coalesce(lost_at, ?), lost_why = ? WHERE volume_id = ? AND key = ?').run(at, why, volumeId, key);
  }

  /** The object at KEY found as recorded at AT (a mark cleared: it is back); ETAG kept where none was (an object recorded before ETags were). */
  markFound(volumeId: number, key: string, at: number, etag: string | null): void {
    this.sql<[number, string | null, number, string]>('UPDATE bucket_objects SET checked_at = ?, lost_at = NULL, lost_why = NULL, etag = coalesce(etag, ?) WHERE volume_id = ? AND key = ?').run(at, etag, volumeId, key);
  }

  /** The objects at KEYS found as recorded by a listing at AT (marks cleared). */
  markFoundMany(volumeId: number, keys: readonly string[], at: number): void {
    if (keys.length === 0) return;
    this.sql<[number, number, string]>('UPDATE bucket_objects SET checked_at = ?, lost_at = NULL, lost_why = NULL WHERE volume_id = ? AND key IN (SELECT value FROM json_each(?))').run(at, volumeId, JSON.stringify(keys));
  }

  /**
   * The objects of bucket VOLUMEID whose keys come after AFTER and, where UPTO is given, not after
   * it, in key order (bytewise, as S3 lists them), LIMIT of them: what one page of a listing covers.
   */
  objectsBetween(volumeId: number, after: string, upTo: string | null, limit: number): BucketObjectRecord[] {
    return this.sql<[{ volumeId: number; after: string; upTo: string | null; limit: number }], BucketObjectRecord>(
      'SELECT * FROM bucket_objects WHERE volume_id = @volumeId AND key > @after AND (@upTo IS NULL OR key <= @upTo) ORDER BY key LIMIT @limit',
    ).all({ volumeId, after, upTo, limit });
  }

  /** Objects of bucket VOLUMEID found gone or changed and not back, the first found first, LIMIT of them. */
  lostIn(volumeId: number, limit: number): BucketObjectRecord[] {
    return this.sql<[number, number], BucketObjectRecord>('SELECT * FROM bucket_objects WHERE volume_id = ? AND lost_at IS NOT NULL ORDER BY lost_at, key LIMIT ?').all(volumeId, limit);
  }

  /** How many objects bucket VOLUMEID holds as recorded, and how many of them are found gone or changed. */
  tally(volumeId: number): { objects: number; lost: number } {
    return this.sql<[number], { objects: number; lost: number }>('SELECT COUNT(*) AS objects, COUNT(lost_at) AS lost FROM bucket_objects WHERE volume_id = ?').get(volumeId)!;
  }

  /** The listing check of VOLUMEID: a pass begun at AT unless one is under way; the row as it stands. */
  beginCheck(volumeId: number, at: number): BucketVolume | undefined {
    this.sql<[number, number]>("UPDATE bucket_volumes SET check_after = '', check_started_at = ? WHERE volume_id = ? AND check_after IS NULL").run(at, volumeId);
    return this.byVolume(volumeId);
  }

  /** The pass under way got through every key up to AFTER. */
  keepCheck(volumeId: number, after: string): void {
    this.sql<[string, number]>('UPDATE bucket_volumes SET check_after = ? WHERE volume_id = ? AND check_after IS NOT NULL').run(after, volumeId);
  }

  /** The pass got to the end of the listing at AT. */
  finishCheck(volumeId: number, at: number): void {
    this.sql<[number, number]>('UPDATE bucket_volumes SET check_after = NULL, check_started_at = NULL, check_done_at = ? WHERE volume_id = ?').run(at, volumeId);
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
