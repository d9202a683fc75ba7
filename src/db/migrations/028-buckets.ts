import type { Migration } from '../migrations.js';

/**
 * Buckets as volumes (issue 30 item 7): S3-compatible object storage this device writes copies to.
 *
 * `bucket_volumes`: a `volumes` row (fs `s3`, its fingerprint from the endpoint, bucket and prefix)
 * and where the bucket is: never its credentials, which come from the SDK's standard chain. When it
 * last answered, and why not when it last did not.
 *
 * `bucket_objects`: an object vss put in a bucket and verified (the BLAKE3 of every byte sent
 * was its content's, and a ranged read-back matched): a copy of that content off this device.
 *
 * `bucket_uploads`: a multipart upload under way (its id and the parts the server confirmed), so a
 * kill -9 resumes it; gone once the object is complete, or aborted.
 */
export const buckets: Migration = {
  version: 28,
  name: 'buckets',
  sql: `
CREATE TABLE bucket_volumes (
  volume_id INTEGER PRIMARY KEY REFERENCES volumes(id) ON DELETE CASCADE,
  bucket TEXT NOT NULL,
  prefix TEXT NOT NULL,
  endpoint TEXT,
  region TEXT,
  path_style INTEGER NOT NULL DEFAULT 0 CHECK (path_style IN (0, 1)),
  reachable_at INTEGER,
  unreachable TEXT
);
CREATE TABLE bucket_objects (
  volume_id INTEGER NOT NULL REFERENCES volumes(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  content_uuid TEXT NOT NULL,
  size INTEGER NOT NULL,
  blake3 TEXT NOT NULL,
  uploaded_at INTEGER NOT NULL,
  verified_at INTEGER,
  PRIMARY KEY (volume_id, key)
);
CREATE INDEX bucket_objects_by_content ON bucket_objects(content_uuid, volume_id);
CREATE TABLE bucket_uploads (
  volume_id INTEGER NOT NULL REFERENCES volumes(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  upload_id TEXT NOT NULL,
  parts TEXT NOT NULL DEFAULT '[]',
  started_at INTEGER NOT NULL,
  PRIMARY KEY (volume_id, key)
);
`,
};
