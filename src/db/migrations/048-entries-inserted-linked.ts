import type { Migration } from '../migrations.js';

/**
 * A first scan writes a small file's row once, with its content (issue 57: inserted, read back
 * and updated, each row cost the writing thread ~9 µs more at 100k files), so a row may now be
 * inserted linked. What the INSERT triggers of migrations 008 and 009 did for such a row, one
 * statement a row (~8 µs a file measured), is written by the store that inserts it, once a page,
 * as migration 011 did for links (`EntryStore.insertIdentified`: the content queued for search
 * unless it waits above the mark, the grid's version moved). No other write inserts a row with
 * its content.
 */
export const entriesInsertedLinked: Migration = {
  version: 48,
  name: 'entries-inserted-linked',
  sql: `
DROP TRIGGER IF EXISTS search_entry_added;
DROP TRIGGER IF EXISTS grid_entry_added;
`,
};
