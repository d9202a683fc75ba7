import { createHash } from 'node:crypto';
import { UsageError } from '../../core/errors.js';

/** Where a bucket volume is: the bucket, the prefix every key of it starts with, and how to reach it. */
export interface BucketSpec {
  bucket: string;
  /** '' or a '/'-separated prefix without a leading or trailing '/'. */
  prefix: string;
  /** An S3-compatible service's URL (Garage, MinIO, B2, R2…); absent: AWS S3. */
  endpoint: string | null;
  region: string | null;
  /** Address the bucket in the path (`https://host/bucket/key`), as most services other than AWS want. */
  pathStyle: boolean;
}

const MAX_PREFIX = 512;
/** S3's bucket names: 3 to 63 lowercase letters, digits, dots and hyphens, a letter or digit at each end. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * `s3://BUCKET[/PREFIX]` taken apart, with the reason when it cannot name a bucket (its prefix may
 * not climb: no `.` or `..` part, no empty part, no control character).
 */
export function parseBucketUrl(url: string): Pick<BucketSpec, 'bucket' | 'prefix'> {
  const m = /^s3:\/\/([^/]*)(?:\/(.*))?$/.exec(url);
  if (!m) throw new UsageError(`${JSON.stringify(url.slice(0, 100))}: a bucket is named s3://BUCKET/PREFIX`);
  const bucket = m[1]!;
  if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) throw new UsageError(`${JSON.stringify(bucket.slice(0, 100))}: not a bucket name (3 to 63 lowercase letters, digits, dots and hyphens)`);
  const prefix = (m[2] ?? '').replace(/\/+$/, '');
  if (prefix.length > MAX_PREFIX) throw new UsageError(`the prefix of ${bucket} is longer than ${MAX_PREFIX} characters`);
  if (prefix !== '') {
    for (const part of prefix.split('/')) {
      if (part === '' || part === '.' || part === '..') throw new UsageError(`${JSON.stringify(prefix.slice(0, 100))}: a prefix has no empty, '.' or '..' part`);
    }
    // A key a terminal or a bucket's console would show otherwise than it is.
    if (/[\u0000-\u001f\u007f]/.test(prefix)) throw new UsageError('a prefix has no control character');
  }
  return { bucket, prefix };
}

/** The bucket as a user names it: `s3://BUCKET/PREFIX`. */
export function bucketUrl(spec: Pick<BucketSpec, 'bucket' | 'prefix'>): string {
  return `s3://${spec.bucket}${spec.prefix === '' ? '' : `/${spec.prefix}`}`;
}

/** The key of REL (a '/'-separated path) under the bucket's prefix. */
export function keyOf(spec: Pick<BucketSpec, 'prefix'>, rel: string): string {
  return spec.prefix === '' ? rel : `${spec.prefix}/${rel}`;
}

/** A stable 48-bit identity for the object or folder at REL of a bucket location (what an inode is on a disk). */
export function inodeOf(rel: string): number {
  return createHash('sha256').update(rel).digest().readUIntBE(0, 6);
}

/** Why a bucket location is rescanned on a schedule rather than watched. */
export const BUCKET_UNWATCHED = 'a bucket tells nobody of its changes';
