import type { Migration } from '../migrations.js';

/**
 * Availability between devices (DESIGN §9): this device's changes numbered (`seq`, the counter in
 * sync_meta), a per-database `epoch` so a peer notices a replaced database and asks for the full
 * set again, what each peer has told us (peer_sync), and entries a peer lied about.
 *
 * Existing rows of the opening device are numbered on open (AvailabilityStore.numberUnannounced), not here: which
 * device is "this one" is known only then, and a portable library folder may be opened by another.
 */
export const availabilitySync: Migration = {
  version: 7,
  name: 'availability-sync',
  sql: `
ALTER TABLE sidecar_availability ADD COLUMN format TEXT;
ALTER TABLE sidecar_availability ADD COLUMN seq INTEGER;
CREATE INDEX sidecar_availability_by_device_seq ON sidecar_availability(device_uuid, seq);
CREATE TABLE sync_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE peer_sync (device_uuid TEXT PRIMARY KEY, epoch TEXT, seq INTEGER NOT NULL DEFAULT 0,
  entries INTEGER NOT NULL DEFAULT 0, last_exchange_at INTEGER, bytes_fetched INTEGER NOT NULL DEFAULT 0,
  files_fetched INTEGER NOT NULL DEFAULT 0, failures INTEGER NOT NULL DEFAULT 0);
CREATE TABLE availability_suspects (content_uuid TEXT NOT NULL, kind TEXT NOT NULL, variant TEXT NOT NULL,
  device_uuid TEXT NOT NULL, checksum TEXT, reason TEXT NOT NULL, at INTEGER NOT NULL,
  PRIMARY KEY (content_uuid, kind, variant, device_uuid));
UPDATE sidecar_availability SET format = (SELECT s.format FROM sidecars s
  WHERE s.content_uuid = sidecar_availability.content_uuid AND s.kind = sidecar_availability.kind AND s.variant = sidecar_availability.variant);
-- A random version-4 uuid made by SQLite itself: every database gets its own, however many one process creates.
INSERT INTO sync_meta (key, value)
  SELECT 'epoch', substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(h, 18, 3) || '-' || substr(h, 21, 12)
  FROM (SELECT lower(hex(randomblob(16))) AS h);
INSERT INTO sync_meta (key, value) VALUES ('seq', '0');
`,
};
