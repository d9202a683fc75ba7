import type { Migration } from '../migrations.js';

/**
 * A location's kind is data (issue 57 item 1): `disk` (a folder here) or `bucket` (a prefix of a
 * bucket, read only), recorded with it, so its storage is built by what it is, never told from its
 * path's form. Rows made before are filled from the one form a bucket location's path has
 * (`s3://`, compared exactly: SQLite's LIKE ignores case, a path does not). No CHECK on the names:
 * a new kind of storage is a file and a line of the factory (storage/storages.ts), not a rebuilt
 * table; a kind this vss does not know is refused there.
 */
export const locationKind: Migration = {
  version: 42,
  name: 'location-kind',
  sql: `
ALTER TABLE locations ADD COLUMN kind TEXT NOT NULL DEFAULT 'disk';
UPDATE locations SET kind = 'bucket' WHERE substr(path, 1, 5) = 's3://';
`,
};
