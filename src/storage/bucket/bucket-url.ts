import { createHash } from 'node:crypto';
import type { BucketVolume } from '../../store/buckets.js';
import type { LocationRecord } from '../../store/locations.js';

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

/** The key of REL (a '/'-separated path) under the bucket's prefix. */
export function keyOf(spec: Pick<BucketSpec, 'prefix'>, rel: string): string {
  return spec.prefix === '' ? rel : `${spec.prefix}/${rel}`;
}

/** Where the objects of a location on bucket volume B are: its bucket, under the volume's prefix and the location's own (`volume_path`). */
export function bucketLocationSpec(b: BucketVolume, row: Pick<LocationRecord, 'volume_path'>): BucketSpec {
  return { bucket: b.bucket, prefix: row.volume_path ? keyOf(b, row.volume_path) : b.prefix, endpoint: b.endpoint, region: b.region, pathStyle: b.path_style === 1 };
}

/** A stable 48-bit identity for the object or folder at REL of a bucket location (what an inode is on a disk). */
export function inodeOf(rel: string): number {
  return createHash('sha256').update(rel).digest().readUIntBE(0, 6);
}

/** Why a bucket location is rescanned on a schedule rather than watched. */
export const BUCKET_UNWATCHED = 'a bucket tells nobody of its changes';
