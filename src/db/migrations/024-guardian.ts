import type { Migration } from '../migrations.js';

/**
 * The Guardian's first step (issue 30): how many copies each content has, against a policy.
 *
 * `verified_at` (ms epoch) is when a copy's bytes were last hashed whole (BLAKE3) and matched: by
 * the indexer when it hashed the file, by a file operation that landed verified bytes, later by a
 * scrub. A rescan that trusts an unchanged size and time does not touch it; a change of the file's
 * bytes clears it. Null: never verified (and every row made before this migration: nothing here
 * says when their bytes were last read). A peer's rows carry their owner's value (null from a vss
 * that does not send it).
 *
 * `guardian_policies`: how many copies, on how many devices, how many off this device, the library
 * (scope 'library', target ''), a location (target: its uuid, the same on every device) or a tag
 * (target: its uuid; the tag's contents wherever they are) asks for. A null asks nothing of that
 * scope; a content's policy is the strictest of the library's, its locations' and its tags'.
 */
export const guardian: Migration = {
  version: 24,
  name: 'guardian',
  sql: `
ALTER TABLE entries ADD COLUMN verified_at INTEGER;
ALTER TABLE peer_entries ADD COLUMN verified_at INTEGER;

CREATE TABLE guardian_policies (
  scope TEXT NOT NULL CHECK (scope IN ('library', 'location', 'tag')),
  target TEXT NOT NULL,
  copies INTEGER CHECK (copies >= 0),
  devices INTEGER CHECK (devices >= 0),
  offsite INTEGER CHECK (offsite >= 0),
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (scope, target)
) WITHOUT ROWID;
`,
};
