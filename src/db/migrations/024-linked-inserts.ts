import type { Migration } from '../migrations.js';

/**
 * A scan now writes a new file's row once, already linked to its content (EntryStore.insertLinked,
 * issue 28), a hundred thousand times in a first scan: the per-row triggers of migrations 008 and
 * 009 for "a row added already linked" cost as much as the insert. As migration 011 did for the
 * first link, that store method queues the contents for search and moves the grid version once
 * per batch, in the same transaction; no other write adds a row with a content (EntryStore's other
 * inserts always add it bare), so the two triggers go.
 */
export const linkedInserts: Migration = {
  version: 24,
  name: 'linked-inserts',
  sql: `
DROP TRIGGER search_entry_added;
DROP TRIGGER grid_entry_added;
`,
};
