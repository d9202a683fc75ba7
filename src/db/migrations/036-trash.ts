import type { Migration } from '../migrations.js';

/**
 * The trash (issue 45): files a delete moved aside on their own drive instead of removing, for 30
 * days, restorable to their paths. One row a file. `location_id`, `rel_path`: where it was;
 * `trash_rel`: where it is now in the same location (`.vss-trash/BATCH/REL_PATH`, which no scan
 * reads). `content_uuid`, `cas_id`, `cas_version`: the content its bytes are, which the trash
 * holds (its sidecars, tags and albums stay while it is there) though it is no copy of it;
 * `size`, `mtime_ms`, `inode`: the file as it went, so a restore that finds it so links it again
 * without reading it. A row is written before its file moves: a kill between the two leaves a
 * row whose file is still at its path, which the trash's upkeep drops. `kept_as`: the content kept
 * in its place when a near-duplicate was chosen over it (`vss similar keep`): emptying it loses no
 * picture while that one has a copy.
 */
export const trash: Migration = {
  version: 36,
  name: 'trash',
  sql: `
CREATE TABLE trash (
  id INTEGER PRIMARY KEY,
  trash_id TEXT NOT NULL UNIQUE,
  location_id INTEGER NOT NULL REFERENCES locations(id) ON DELETE CASCADE,
  rel_path TEXT NOT NULL,
  trash_rel TEXT NOT NULL,
  content_uuid TEXT,
  cas_id TEXT,
  cas_version INTEGER,
  size INTEGER NOT NULL,
  mtime_ms REAL,
  inode INTEGER,
  deleted_at INTEGER NOT NULL,
  kept_as TEXT
);
CREATE INDEX trash_by_content ON trash(content_uuid) WHERE content_uuid IS NOT NULL;
CREATE INDEX trash_by_time ON trash(deleted_at);
CREATE INDEX trash_by_place ON trash(location_id, rel_path);
`,
};
