import type { Migration } from '../migrations.js';

/** Each file's ctime as last indexed (issue 42): the guard counts a file here only while its size, mtime, ctime and inode are the index's. Null: not recorded yet. */
export const entriesCtime: Migration = {
  version: 32,
  name: 'entries-ctime',
  sql: `ALTER TABLE entries ADD COLUMN ctime_ms REAL;`,
};
