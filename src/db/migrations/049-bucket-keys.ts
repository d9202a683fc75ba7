import type { Migration } from '../migrations.js';

/**
 * Encrypted buckets (issue 60): the library's bucket key (one secret, shown once as a recovery
 * phrase, from which the age identity, the keyed names and the metadata key are derived) and the
 * key each bucket volume is sealed with (null: a plain bucket). The secret is a row of the
 * library's database, so it goes wherever the library goes (its snapshots too) and never to a
 * bucket in the clear. It is shared data (the operation `bucket_key`, stamped HLC): every member
 * of the library receives it over the link it syncs by, so each can read and write the buckets.
 */
export const bucketKeys: Migration = {
  version: 49,
  name: 'bucket-keys',
  sql: `
CREATE TABLE library_keys (
  id TEXT PRIMARY KEY,
  secret BLOB NOT NULL,
  made_at INTEGER NOT NULL,
  hlc TEXT NOT NULL
);
ALTER TABLE bucket_volumes ADD COLUMN key_id TEXT REFERENCES library_keys(id);
`,
};
