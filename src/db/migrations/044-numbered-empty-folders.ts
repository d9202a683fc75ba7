import type { Migration } from '../migrations.js';

/**
 * A folder is numbered when it is made, not only when its listing changes (store/entry-numbering.ts
 * sync_seq): a peer keeps each folder by its place, id and number, and a delta brings only the
 * folders numbered since the peer's copy, while a full copy brings them all. An empty folder made
 * before had no number, so it came in every full copy and in no delta (a device that took it in a
 * delta never had it). Each such folder here takes one new number now, so the next delta brings it.
 * (An empty folder renamed before kept its old number at its new path: a peer that took the rename
 * in a delta lacks it until its next full copy; nothing here can tell which those are.)
 */
const UNNUMBERED_EMPTY = `SELECT id FROM entries d WHERE d.kind = 'dir' AND d.sync_seq IS NULL
  AND NOT EXISTS (SELECT 1 FROM entries c WHERE c.parent_id = d.id)`;

export const numberedEmptyFolders: Migration = {
  version: 44,
  name: 'numbered-empty-folders',
  sql: `
INSERT INTO sync_meta (key, value) SELECT 'seq', '1' WHERE EXISTS (${UNNUMBERED_EMPTY})
  ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1;
UPDATE entries SET sync_seq = (SELECT CAST(value AS INTEGER) FROM sync_meta WHERE key = 'seq')
  WHERE id IN (${UNNUMBERED_EMPTY});
`,
};
