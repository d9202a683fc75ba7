import type { Migration } from '../migrations.js';

/**
 * One library across devices (DESIGN §15): device-owned data, numbered by its owner and copied to
 * paired members.
 *
 * The owner numbers changes on the same counter and epoch as its availability (sync_meta, §9). A
 * folder carries `sync_seq`: the number of the last change to its direct listing (a child added,
 * changed, moved away, removed or linked to a content). A peer asks for the folders changed since
 * N and gets each one's whole listing, so a removed folder is a single fact (its parent's listing
 * no longer names it) and there are no per-file tombstones to keep. A file's content facts (kind,
 * mime, size, media metadata) travel with its folder's listing, so a change of them (metadata read
 * later) numbers the folders that hold the content. Rows made before this migration have no
 * number: a full copy sends them all.
 *
 * What peers sent is kept apart from this device's rows (peer_locations, peer_entries,
 * peer_contents), under the owner's device uuid, never edited here, dropped with the device.
 * peer_library_cursor is where each owner's copy stands, with the page reached when a pull was cut
 * off, so a backfill resumes instead of starting again.
 */
export const librarySync: Migration = {
  version: 12,
  name: 'library-sync',
  sql: `
ALTER TABLE entries ADD COLUMN sync_seq INTEGER;
CREATE INDEX entries_sync_seq ON entries(sync_seq, id) WHERE sync_seq IS NOT NULL;

CREATE TABLE peer_locations (
  device_uuid TEXT NOT NULL,
  location_id INTEGER NOT NULL,
  uuid TEXT NOT NULL,
  name TEXT NOT NULL,
  path TEXT NOT NULL,
  index_mode TEXT NOT NULL,
  files INTEGER NOT NULL,
  dirs INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  PRIMARY KEY (device_uuid, location_id)
) WITHOUT ROWID;

CREATE TABLE peer_entries (
  device_uuid TEXT NOT NULL,
  location_id INTEGER NOT NULL,
  dir_path TEXT NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('file', 'dir', 'symlink')),
  size INTEGER NOT NULL,
  mtime_ms REAL,
  content_uuid TEXT,
  -- The pull that last confirmed the row: a full copy sweeps the rows it did not confirm.
  pull INTEGER NOT NULL,
  PRIMARY KEY (device_uuid, location_id, dir_path, name)
) WITHOUT ROWID;
CREATE INDEX peer_entries_by_content ON peer_entries(content_uuid) WHERE content_uuid IS NOT NULL;

CREATE TABLE peer_contents (
  device_uuid TEXT NOT NULL,
  content_uuid TEXT NOT NULL,
  cas_id TEXT NOT NULL,
  cas_version INTEGER NOT NULL,
  kind TEXT NOT NULL,
  mime TEXT NOT NULL,
  size INTEGER NOT NULL,
  media_metadata TEXT,
  -- By content first: the whole library's list and a content's copies read it so; one random-key
  -- index to write per row during a backfill, not two.
  PRIMARY KEY (content_uuid, device_uuid)
) WITHOUT ROWID;

CREATE TABLE peer_library_cursor (
  device_uuid TEXT PRIMARY KEY,
  epoch TEXT,
  -- Every change up to seq is applied.
  seq INTEGER NOT NULL DEFAULT 0,
  -- A pull cut off: what it was bringing (full copy or delta, up to to_seq) and the page it reached.
  pull_full INTEGER,
  pull_to_seq INTEGER,
  pull_after_seq INTEGER,
  pull_after_id INTEGER,
  pull_after_name TEXT,
  pull_number INTEGER NOT NULL DEFAULT 0,
  last_pull_at INTEGER
);
`,
};
