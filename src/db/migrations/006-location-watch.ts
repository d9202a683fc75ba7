import type { Migration } from '../migrations.js';

/** A location the user paused is neither watched nor rescanned by the daemon until resumed. */
export const locationWatch: Migration = {
  version: 6,
  name: 'location-watch',
  sql: `
ALTER TABLE locations ADD COLUMN watch_paused INTEGER NOT NULL DEFAULT 0;
`,
};
