import type { Migration } from '../migrations.js';

/**
 * Device-owned rows passed on between members (issue 46, DESIGN §15 "Trust"): A's rows reach C
 * through B, signed by A. What B needs to serve them as A would: each folder of A's as A numbered
 * and signed it (`peer_folders`: A's folder id and seq, the order a delta goes in, and A's
 * signature over its whole listing, null until its last part came), and the head of B's last pull
 * from A as A signed it (`peer_heads`: the exact fields, as JSON, and the signature). Rows taken
 * in before have neither: the next pull of each owner's rows is a full copy.
 */
export const forwardedRows: Migration = {
  version: 41,
  name: 'forwarded-rows',
  sql: `
CREATE TABLE peer_folders (
  device_uuid TEXT NOT NULL,
  location_id INTEGER NOT NULL,
  path TEXT NOT NULL,
  folder_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  sig BLOB,
  -- The pull that last confirmed it (a full copy sweeps the folders it did not confirm).
  pull INTEGER NOT NULL,
  PRIMARY KEY (device_uuid, location_id, path)
) WITHOUT ROWID;
CREATE INDEX peer_folders_by_seq ON peer_folders(device_uuid, seq, folder_id);
CREATE INDEX peer_folders_by_id ON peer_folders(device_uuid, folder_id);

-- The next pull of each owner's rows is a full copy: rows taken in before hold no folder numbers or signatures.
UPDATE feed_cursors SET epoch = NULL, seq = 0, pull_full = NULL, pull_to_seq = NULL, pull_after_seq = NULL, pull_after_id = NULL, pull_after_name = NULL
  WHERE feed = 'library';

CREATE TABLE peer_heads (
  device_uuid TEXT PRIMARY KEY,
  head TEXT NOT NULL,
  sig BLOB NOT NULL
);
`,
};
