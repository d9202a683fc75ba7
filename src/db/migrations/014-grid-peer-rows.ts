import type { Migration } from '../migrations.js';

/** The order moved, and so did paired devices' part of it (grid_peer_version: what the order cache keeps of their rows is read again). */
const BUMP = 'UPDATE grid_version SET n = n + 1; UPDATE grid_peer_version SET n = n + 1';

/**
 * The web UI's grid shows every device's contents (DESIGN §15): paired devices' contents move in
 * its order too, so the changes of their rows bump grid_version as this device's do (migration
 * 009). Not per row: a backfill writes a hundred thousand rows, and the order is read again at
 * most every two seconds anyway. Every page a pull applies moves the pull's cursor, a finished
 * pull (what a full copy swept, what a delta removed) clears it, and unpairing deletes it: the
 * cursor's row is where those changes show, once each. grid_peer_version counts those changes
 * alone, so a scan here does not make the order read the paired devices' rows again.
 */
export const gridPeerRows: Migration = {
  version: 14,
  name: 'grid-peer-rows',
  sql: `
CREATE TABLE grid_peer_version (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
INSERT INTO grid_peer_version (id, n) VALUES (1, 0);
CREATE TRIGGER grid_peer_page AFTER UPDATE OF pull_after_seq, pull_after_id, pull_after_name ON peer_library_cursor
  WHEN OLD.pull_after_seq IS NOT NULL AND NEW.pull_after_seq IS NOT NULL BEGIN ${BUMP}; END;
CREATE TRIGGER grid_peer_pulled AFTER UPDATE OF pull_to_seq ON peer_library_cursor
  WHEN OLD.pull_to_seq IS NOT NULL AND NEW.pull_to_seq IS NULL BEGIN ${BUMP}; END;
CREATE TRIGGER grid_peer_removed AFTER DELETE ON peer_library_cursor BEGIN ${BUMP}; END;
`,
};
