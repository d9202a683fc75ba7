import type { Migration } from '../migrations.js';

/**
 * Rot found and repaired (issue 30 item 5).
 *
 * `scrubs`: one row per location of this device that was ever scrubbed. A pass in progress has
 * `started_at` and goes on after `after_id` (the last entry it checked, in id order): a kill -9
 * loses at most the files checked since its last save. `files`, `bytes`, `rot`, `edited` count the
 * pass in progress, or the last one once it is done (`done_at`, what the schedule counts from).
 *
 * `rot`: a file whose bytes no longer hash to what they were while its size, time and inode did
 * not change. `expected` is what they should hash to (the content id for a content hashed whole,
 * else its whole BLAKE3 when known, else its sampled id), `found` what they hash to now. The row
 * goes with its file (cascade), and is stale once the file is linked to another content (an edit
 * the indexer saw): readers join on the content.
 *
 * `content_identities.blake3`: the whole-file BLAKE3 of a content whose id is sampled (above the
 * sampling threshold), learnt the first time a scrub reads a copy whole that still matches its
 * sampled id; later scrubs compare every copy with it. A content hashed whole has it as its id.
 */
export const scrub: Migration = {
  version: 26,
  name: 'scrub',
  sql: `
CREATE TABLE scrubs (
  location_id INTEGER PRIMARY KEY REFERENCES locations(id) ON DELETE CASCADE,
  started_at INTEGER,
  after_id INTEGER NOT NULL DEFAULT 0,
  files INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0,
  rot INTEGER NOT NULL DEFAULT 0,
  edited INTEGER NOT NULL DEFAULT 0,
  done_at INTEGER
);

CREATE TABLE rot (
  entry_id INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
  content_id INTEGER NOT NULL,
  size INTEGER NOT NULL,
  expected TEXT NOT NULL,
  found TEXT NOT NULL,
  found_at INTEGER NOT NULL
);

ALTER TABLE content_identities ADD COLUMN blake3 TEXT;
`,
};
