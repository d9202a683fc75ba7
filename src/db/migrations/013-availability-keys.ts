import type { Migration } from '../migrations.js';

/**
 * `sidecar_availability` with compact keys (issue 19, item 7). A paired device's full digest puts
 * one row per sidecar it has here, a million for a large library, and the rows' size was the cost
 * of taking it: with the content and device uuids and the checksum as text, and a rowid table
 * beside its unique index, a row cost ~343 bytes written. Now the content uuid and the BLAKE3
 * checksum are their raw bytes (16 and 32), the device and the (kind, variant) pair are small
 * integers into two dictionaries that only grow (never renumbered, so an id once read stays
 * right), and the key is the table's own order (WITHOUT ROWID): about 90 bytes a row, index
 * included. The rows say what they said before; AvailabilityStore turns them back into uuids and
 * hex for everyone else.
 *
 * A row whose content uuid is not a uuid (none should exist: every writer checked it) cannot be
 * keyed and is left out; a checksum that is not a BLAKE3's lowercase hex stays the text it was.
 */
export const availabilityKeys: Migration = {
  version: 13,
  name: 'availability-keys',
  sql: `
CREATE TABLE availability_names (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, variant TEXT NOT NULL, UNIQUE (kind, variant));
CREATE TABLE availability_devices (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE);
INSERT INTO availability_names (kind, variant) SELECT DISTINCT kind, variant FROM sidecar_availability ORDER BY kind, variant;
INSERT INTO availability_devices (uuid) SELECT DISTINCT device_uuid FROM sidecar_availability ORDER BY device_uuid;
CREATE TABLE sidecar_availability_keyed (
  content BLOB NOT NULL,
  name INTEGER NOT NULL,
  device INTEGER NOT NULL,
  has INTEGER NOT NULL CHECK (has IN (0, 1)),
  size INTEGER,
  checksum BLOB,
  format TEXT,
  seq INTEGER,
  last_seen_at INTEGER NOT NULL,
  PRIMARY KEY (content, name, device)
) WITHOUT ROWID;
INSERT OR IGNORE INTO sidecar_availability_keyed (content, name, device, has, size, checksum, format, seq, last_seen_at)
  SELECT unhex(replace(a.content_uuid, '-', '')), n.id, d.id, a.has, a.size,
    CASE WHEN length(a.checksum) = 64 AND a.checksum = lower(a.checksum) AND unhex(a.checksum) IS NOT NULL THEN unhex(a.checksum) ELSE a.checksum END,
    a.format, a.seq, a.last_seen_at
  FROM sidecar_availability a
  JOIN availability_names n ON n.kind = a.kind AND n.variant = a.variant
  JOIN availability_devices d ON d.uuid = a.device_uuid
  WHERE length(a.content_uuid) = 36 AND length(unhex(replace(a.content_uuid, '-', ''))) = 16
  ORDER BY 1, 2, 3;
DROP TABLE sidecar_availability;
ALTER TABLE sidecar_availability_keyed RENAME TO sidecar_availability;
CREATE INDEX sidecar_availability_by_device_seq ON sidecar_availability (device, seq);
`,
};
