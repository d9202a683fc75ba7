import type { Migration } from '../migrations.js';

/**
 * What a bucket said of each object vss put there, and what a later look found (issue 42: a
 * bucket copy counts only on fresh evidence).
 *
 * `bucket_objects.etag`: the object's ETag as the bucket gave it when the upload was read back
 * (quotes taken off). A HEAD or a listing that finds another ETag, or another size, found the
 * object replaced. Null for an object recorded before this migration: the first look compares
 * its size and `x-amz-meta-vss-*` metadata and keeps the ETag it finds.
 *
 * `lost_at`, `lost_why`: one mark for an object found gone (404, or missing from a listing and
 * confirmed by a HEAD) or changed (another size or ETag), with the reason in words. One mark, not
 * one per cause: an object either counts or it does not, the reason is for the person reading it,
 * and a look that finds the object back as recorded clears it whatever it was. While set, the
 * object is no copy: the Guardian's counts leave it out (`lost_at IS NULL`).
 *
 * `checked_at`: when a HEAD or a listing last found the object as recorded (size and ETag).
 *
 * `bucket_volumes.check_after`, `check_started_at`, `check_done_at`: the listing check of a
 * bucket volume (`guardian check-buckets`), a bounded number of keys a run: the last key a pass
 * under way got through ('' at its start; null: no pass under way), when it began, and when the
 * last pass got to the end of the listing.
 */
export const bucketEvidence: Migration = {
  version: 35,
  name: 'bucket-evidence',
  sql: `
ALTER TABLE bucket_objects ADD COLUMN etag TEXT;
ALTER TABLE bucket_objects ADD COLUMN checked_at INTEGER;
ALTER TABLE bucket_objects ADD COLUMN lost_at INTEGER;
ALTER TABLE bucket_objects ADD COLUMN lost_why TEXT;
ALTER TABLE bucket_volumes ADD COLUMN check_after TEXT;
ALTER TABLE bucket_volumes ADD COLUMN check_started_at INTEGER;
ALTER TABLE bucket_volumes ADD COLUMN check_done_at INTEGER;
`,
};
