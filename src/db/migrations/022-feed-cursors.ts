import type { Migration } from '../migrations.js';

/** The grid's order moved, and so did paired devices' part of it (migration 014). */
const BUMP = 'UPDATE grid_version SET n = n + 1; UPDATE grid_peer_version SET n = n + 1';

/**
 * One cursor table for every feed (src/sync/feeds/, issue 28): where this device stands in each
 * paired device's feed — availability, device-owned rows, shared data — by device and feed name,
 * with the page a cut-off pull reached (a feed whose pages carry a position). The three tables
 * and columns the feeds kept before are moved here and dropped: `peer_library_cursor` (library),
 * `shared_cursor` (shared), and `peer_sync`'s epoch, seq and last_exchange_at (availability;
 * `peer_sync` keeps what is not a cursor: the entries held and the transfers' counters).
 * Migration 014's triggers move with the library feed's rows. `shared_acks` stays: it is the
 * owner's record of how far each follower read (its log is pruned by it), not a follower's cursor.
 */
export const feedCursors: Migration = {
  version: 22,
  name: 'feed-cursors',
  sql: `
CREATE TABLE feed_cursors (
  device_uuid TEXT NOT NULL,
  feed TEXT NOT NULL,
  epoch TEXT,
  -- Every change of the device's feed up to seq is taken in.
  seq INTEGER NOT NULL DEFAULT 0,
  -- A pull cut off: what it was bringing (full or delta, up to to_seq) and the page it reached.
  pull_full INTEGER,
  pull_to_seq INTEGER,
  pull_after_seq INTEGER,
  pull_after_id INTEGER,
  pull_after_name TEXT,
  -- Numbers this device's pulls of the feed: rows carry the one that last confirmed them (library).
  pull_number INTEGER NOT NULL DEFAULT 0,
  last_pull_at INTEGER,
  PRIMARY KEY (device_uuid, feed)
) WITHOUT ROWID;

INSERT INTO feed_cursors (device_uuid, feed, epoch, seq, pull_full, pull_to_seq, pull_after_seq, pull_after_id, pull_after_name, pull_number, last_pull_at)
  SELECT device_uuid, 'library', epoch, seq, pull_full, pull_to_seq, pull_after_seq, pull_after_id, pull_after_name, pull_number, last_pull_at FROM peer_library_cursor;
INSERT INTO feed_cursors (device_uuid, feed, epoch, seq) SELECT device_uuid, 'shared', epoch, seq FROM shared_cursor;
INSERT INTO feed_cursors (device_uuid, feed, epoch, seq, last_pull_at)
  SELECT device_uuid, 'availability', epoch, seq, last_exchange_at FROM peer_sync WHERE epoch IS NOT NULL OR seq > 0 OR last_exchange_at IS NOT NULL;

DROP TRIGGER grid_peer_page;
DROP TRIGGER grid_peer_pulled;
DROP TRIGGER grid_peer_removed;
DROP TABLE peer_library_cursor;
DROP TABLE shared_cursor;
ALTER TABLE peer_sync DROP COLUMN epoch;
ALTER TABLE peer_sync DROP COLUMN seq;
ALTER TABLE peer_sync DROP COLUMN last_exchange_at;

CREATE TRIGGER grid_peer_page AFTER UPDATE OF pull_after_seq, pull_after_id, pull_after_name ON feed_cursors
  WHEN NEW.feed = 'library' AND OLD.pull_after_seq IS NOT NULL AND NEW.pull_after_seq IS NOT NULL BEGIN ${BUMP}; END;
CREATE TRIGGER grid_peer_pulled AFTER UPDATE OF pull_to_seq ON feed_cursors
  WHEN NEW.feed = 'library' AND OLD.pull_to_seq IS NOT NULL AND NEW.pull_to_seq IS NULL BEGIN ${BUMP}; END;
CREATE TRIGGER grid_peer_removed AFTER DELETE ON feed_cursors WHEN OLD.feed = 'library' BEGIN ${BUMP}; END;
`,
};
