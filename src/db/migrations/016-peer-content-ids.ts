import type { Migration } from '../migrations.js';

/**
 * Paired devices' entries name their content by a small number (DESIGN §15's backfill), as this
 * device's entries do (`entries.content_id`): `peer_contents` gets an integer id, given in arrival
 * order, and `peer_entries.content_id` is the id of its own device's row there.
 *
 * Why: a backfill writes a content and the entries that hold it together. Keyed by content uuid
 * (random), both the contents' table (~220 bytes a row) and the entries' content index grew at
 * random places, and at a million rows they outgrew the page cache: every commit rewrote pages all
 * over both (1M backfill 40.5 s, 2.2× plain INSERTs). Now the contents' rows and the entries'
 * content index grow at their ends, and one small random-key index is left (content uuid →
 * id, ~80 bytes a row), as for this device's contents (migration 001).
 *
 * The rows stay: each entry takes the id of the content of the same device it named (an entry
 * whose content its owner never described has none; owners always send both together).
 */
export const peerContentIds: Migration = {
  version: 16,
  name: 'peer-content-ids',
  sql: `
CREATE TABLE peer_contents_by_id (
  id INTEGER PRIMARY KEY,
  device_uuid TEXT NOT NULL,
  content_uuid TEXT NOT NULL,
  cas_id TEXT NOT NULL,
  cas_version INTEGER NOT NULL,
  kind TEXT NOT NULL,
  mime TEXT NOT NULL,
  size INTEGER NOT NULL,
  media_metadata TEXT,
  -- By content first: the whole library's list and a content's copies read it so.
  UNIQUE (content_uuid, device_uuid)
);
INSERT INTO peer_contents_by_id (device_uuid, content_uuid, cas_id, cas_version, kind, mime, size, media_metadata)
  SELECT device_uuid, content_uuid, cas_id, cas_version, kind, mime, size, media_metadata FROM peer_contents ORDER BY device_uuid, content_uuid;

CREATE TABLE peer_entries_by_id (
  device_uuid TEXT NOT NULL,
  location_id INTEGER NOT NULL,
  dir_path TEXT NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('file', 'dir', 'symlink')),
  size INTEGER NOT NULL,
  mtime_ms REAL,
  -- peer_contents.id of the same device's content.
  content_id INTEGER,
  -- The pull that last confirmed the row: a full copy sweeps the rows it did not confirm.
  pull INTEGER NOT NULL,
  PRIMARY KEY (device_uuid, location_id, dir_path, name)
) WITHOUT ROWID;
INSERT INTO peer_entries_by_id (device_uuid, location_id, dir_path, name, kind, size, mtime_ms, content_id, pull)
  SELECT e.device_uuid, e.location_id, e.dir_path, e.name, e.kind, e.size, e.mtime_ms,
    (SELECT c.id FROM peer_contents_by_id c WHERE c.content_uuid = e.content_uuid AND c.device_uuid = e.device_uuid), e.pull
  FROM peer_entries e;

DROP TABLE peer_entries;
DROP TABLE peer_contents;
ALTER TABLE peer_contents_by_id RENAME TO peer_contents;
ALTER TABLE peer_entries_by_id RENAME TO peer_entries;
CREATE INDEX peer_entries_by_content ON peer_entries(content_id) WHERE content_id IS NOT NULL;
`,
};
