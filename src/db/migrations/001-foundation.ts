import type { Migration } from '../migrations.js';

/** Devices, locations, the entry tree and content identities (DESIGN §1, §3). */
export const foundation: Migration = {
  version: 1,
  name: 'foundation',
  sql: `
CREATE TABLE devices (
  id INTEGER PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  public_key TEXT NOT NULL,
  os TEXT,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL
);

CREATE TABLE locations (
  id INTEGER PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  device_id INTEGER NOT NULL REFERENCES devices(id),
  name TEXT NOT NULL,
  path TEXT NOT NULL,
  index_mode TEXT NOT NULL CHECK (index_mode IN ('shallow', 'content', 'deep')),
  ignore_rules TEXT NOT NULL DEFAULT '[]',
  scan_state TEXT NOT NULL DEFAULT 'pending' CHECK (scan_state IN ('pending', 'scanning', 'complete')),
  files INTEGER NOT NULL DEFAULT 0,
  dirs INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0,
  last_scan_started_at INTEGER,
  last_scan_completed_at INTEGER,
  created_at INTEGER NOT NULL,
  UNIQUE (device_id, path)
);

CREATE TABLE content_identities (
  id INTEGER PRIMARY KEY,
  -- content_uuid: UUIDv5 of cas_id, so unique with it; one random-key index is enough.
  uuid TEXT NOT NULL UNIQUE,
  cas_id TEXT NOT NULL,
  cas_version INTEGER NOT NULL,
  kind TEXT NOT NULL,
  mime TEXT NOT NULL,
  size INTEGER NOT NULL,
  media_metadata TEXT,
  created_at INTEGER NOT NULL
);

CREATE TABLE entries (
  id INTEGER PRIMARY KEY,
  location_id INTEGER NOT NULL REFERENCES locations(id) ON DELETE CASCADE,
  parent_id INTEGER REFERENCES entries(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  rel_path TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('file', 'dir', 'symlink')),
  size INTEGER NOT NULL DEFAULT 0,
  inode INTEGER,
  mtime_ms REAL,
  link_target TEXT,
  content_id INTEGER REFERENCES content_identities(id) ON DELETE SET NULL,
  agg_size INTEGER,
  agg_files INTEGER,
  agg_dirs INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
-- A directory's children by name: the walker's lookup, and one name per directory.
CREATE UNIQUE INDEX entries_by_parent_name ON entries(parent_id, name);
-- Move and rename detection.
CREATE INDEX entries_by_inode ON entries(location_id, inode);
CREATE INDEX entries_by_content ON entries(content_id) WHERE content_id IS NOT NULL;
CREATE UNIQUE INDEX entries_location_root ON entries(location_id) WHERE parent_id IS NULL;
`,
};
