import type { Migration } from '../migrations.js';

/**
 * The journal of reference → managed conversions (DESIGN §4): one row per conversion in
 * progress, so a crash at any step is finished or undone on the next run.
 */
export const conversionJournal: Migration = {
  version: 3,
  name: 'conversion-journal',
  sql: `
CREATE TABLE conversion_journal (
  id INTEGER PRIMARY KEY,
  sidecar_uuid TEXT NOT NULL UNIQUE,
  src_path TEXT NOT NULL,
  dst_path TEXT NOT NULL,
  tmp_path TEXT NOT NULL,
  size INTEGER NOT NULL,
  checksum TEXT NOT NULL,
  step TEXT NOT NULL CHECK (step IN ('started', 'placed')),
  created_at INTEGER NOT NULL
);
`,
};
