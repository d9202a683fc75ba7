import type { Migration } from '../migrations.js';

/**
 * An entry's ctime (DESIGN §19: a copy counts on a file whose size, mtime, ctime and inode still
 * match the index). Another tool can change a file's bytes and put its mtime back (a bit flipped
 * and `touch -r`, a sync tool, a restore); it cannot put its ctime back. Null: not known yet (a row
 * from before this column, or one written without a stat), recorded by the next scan that lists it.
 */
export const entryCtime: Migration = {
  version: 32,
  name: 'entry-ctime',
  sql: `ALTER TABLE entries ADD COLUMN ctime_ms REAL;`,
};
