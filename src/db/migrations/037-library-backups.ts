import type { Migration } from '../migrations.js';

/**
 * The library's own snapshots (issue 45, `vss library backup`): one row a snapshot this device
 * made, where it put it and what its bytes were, so the Guardian can say whether the library's
 * own work (tags, albums, people, notes, policies) is kept, and a schedule can keep the last N.
 * `target`: what was asked (a folder, a volume's name), the key the schedule prunes by.
 */
export const libraryBackups: Migration = {
  version: 37,
  name: 'library-backups',
  sql: `
CREATE TABLE library_backups (
  id INTEGER PRIMARY KEY,
  snapshot TEXT NOT NULL,
  path TEXT NOT NULL UNIQUE,
  bytes INTEGER NOT NULL,
  blake3 TEXT NOT NULL,
  made_at INTEGER NOT NULL,
  target TEXT NOT NULL,
  volume_id INTEGER
);
CREATE INDEX library_backups_by_target ON library_backups(target, made_at);
`,
};
