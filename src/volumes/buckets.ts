import { createHash } from 'node:crypto';
import { UsageError, VssError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import type { BucketVolume } from '../store/buckets.js';
import type { BucketSpec } from '../storage/bucket/bucket-url.js';
import { bucketUrl, parseBucketUrl } from '../core/address.js';
import { S3Bucket } from '../storage/bucket/s3-bucket.js';
import { SealedBucket } from '../storage/bucket/sealed-bucket.js';
import { keysOfVolume } from './bucket-keys.js';

/** What `vss volumes add s3://…` is given besides the URL. */
export interface AddBucketOptions {
  endpoint?: string;
  region?: string;
  pathStyle?: boolean;
  name?: string;
  /**
   * Seal every object vss writes there (issue 60: ciphertext under keyed names) with the library
   * key this gives the id of: asked once the bucket answered (a key is made only for a bucket added).
   */
  sealWith?: () => string;
}

const MAX_NAME = 255;
const MAX_ENDPOINT = 2048;

/** The fingerprint of a bucket volume: the same for the same endpoint, bucket and prefix. */
export function bucketFingerprint(spec: Pick<BucketSpec, 'endpoint' | 'bucket' | 'prefix'>): string {
  return `s3:${createHash('sha256').update(`${spec.endpoint ?? 'aws'}\n${spec.bucket}\n${spec.prefix}`).digest('hex').slice(0, 24)}`;
}

/**
 * A bucket recorded as a volume of this device (`vss volumes add s3://BUCKET/PREFIX`), once it
 * answered with the credentials of the standard chain (which vss never keeps): tracked, named
 * NAME (default its URL). Refused when it does not answer, saying why, or when it is added already.
 */
export async function addBucket(lib: Library, url: string, opts: AddBucketOptions = {}, now = Date.now()): Promise<BucketVolume> {
  const where = parseBucketUrl(url);
  const endpoint = opts.endpoint?.trim() || null;
  if (endpoint !== null && (endpoint.length > MAX_ENDPOINT || !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(endpoint))) {
    throw new UsageError(`--endpoint ${JSON.stringify(endpoint.slice(0, 100))}: give the service's URL (http:// or https://)`);
  }
  const name = opts.name?.trim() || bucketUrl(where);
  if (name.length > MAX_NAME) throw new UsageError(`a volume name is 1 to ${MAX_NAME} characters`);
  const spec: BucketSpec = { ...where, endpoint, region: opts.region?.trim() || null, pathStyle: opts.pathStyle === true };
  const fingerprint = bucketFingerprint(spec);
  const had = lib.store.volumes.byFingerprint(fingerprint, lib.deviceId);
  if (had) throw new VssError('ALREADY_EXISTS', `${bucketUrl(spec)} is volume ${had.id} already (${had.name ?? had.mount_point})`);
  const bucket = new S3Bucket(spec);
  try {
    const why = await bucket.probe();
    if (why !== undefined) throw new VssError('UNAVAILABLE', `${why}: nothing was added`);
  } finally {
    bucket.close();
  }
  const keyId = opts.sealWith?.() ?? null;
  return lib.store.immediate(() => {
    const v = lib.store.volumes.seen(lib.deviceId, { fingerprint, mount_point: bucketUrl(spec), fs: 's3', capacity: 0, free: 0, removable: 0, read_only: 0 }, now);
    lib.store.volumes.setTracked(v.id, true, name);
    lib.store.buckets.add({ volume_id: v.id, bucket: spec.bucket, prefix: spec.prefix, endpoint: spec.endpoint, region: spec.region, path_style: spec.pathStyle ? 1 : 0, key_id: keyId });
    lib.store.buckets.setReach(v.id, now, null);
    return lib.store.buckets.byVolume(v.id)!;
  });
}

/**
 * The bucket of a bucket volume, to make requests of (closed by the caller): sealed with the
 * library's key when the volume is encrypted, so whoever asks reads and writes plaintext and the
 * bucket holds ciphertext (storage/bucket/sealed-bucket.ts).
 */
export function openBucket(lib: Library, b: BucketVolume): S3Bucket {
  const spec: BucketSpec = { bucket: b.bucket, prefix: b.prefix, endpoint: b.endpoint, region: b.region, pathStyle: b.path_style === 1 };
  const keys = keysOfVolume(lib, b);
  return keys ? new SealedBucket(spec, keys) : new S3Bucket(spec);
}

/**
 * Ask B whether it answers now, and keep what it said (when it last answered, or why not): a
 * bucket that does not answer is offline, as an unplugged drive is. Undefined when it answers.
 */
export async function probeBucket(lib: Library, b: BucketVolume, now = Date.now()): Promise<string | undefined> {
  const bucket = new S3Bucket({ bucket: b.bucket, prefix: b.prefix, endpoint: b.endpoint, region: b.region, pathStyle: b.path_style === 1 });
  try {
    const why = await bucket.probe();
    lib.store.buckets.setReach(b.volume_id, now, why ?? null);
    if (why === undefined) lib.store.volumes.seen(lib.deviceId, { fingerprint: b.fingerprint, mount_point: b.mount_point, fs: 's3', capacity: 0, free: 0, removable: 0, read_only: 0 }, now);
    return why;
  } finally {
    bucket.close();
  }
}
