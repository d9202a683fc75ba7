import type { Migration } from '../migrations.js';

/**
 * Volumes (DESIGN §17), device-owned data: each drive this device has seen, by a fingerprint that
 * stays the same at any mount point (its filesystem UUID where it has one), tracked by choice with
 * a name, with its last mount point, size and speed test. A location records its volume and its
 * folder relative to the volume's root (`volume_path`), so it can follow the drive to another
 * mount point; `online` is whether that folder is reachable now (kept, so other devices are told
 * through library sync and see it in `peer_locations.online`).
 */
export const volumes: Migration = {
  version: 18,
  name: 'volumes',
  sql: `
CREATE TABLE volumes (
  id INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL REFERENCES devices(id),
  fingerprint TEXT NOT NULL,
  name TEXT,
  tracked INTEGER NOT NULL DEFAULT 0 CHECK (tracked IN (0, 1)),
  mount_point TEXT NOT NULL,
  fs TEXT NOT NULL,
  capacity INTEGER NOT NULL DEFAULT 0,
  free INTEGER NOT NULL DEFAULT 0,
  removable INTEGER NOT NULL DEFAULT 0 CHECK (removable IN (0, 1)),
  read_only INTEGER NOT NULL DEFAULT 0 CHECK (read_only IN (0, 1)),
  read_mbps REAL,
  write_mbps REAL,
  speed_tested_at INTEGER,
  first_seen_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  UNIQUE (device_id, fingerprint)
);
ALTER TABLE locations ADD COLUMN volume_id INTEGER;
ALTER TABLE locations ADD COLUMN volume_path TEXT;
ALTER TABLE locations ADD COLUMN online INTEGER NOT NULL DEFAULT 1 CHECK (online IN (0, 1));
ALTER TABLE peer_locations ADD COLUMN online INTEGER NOT NULL DEFAULT 1;
`,
};
