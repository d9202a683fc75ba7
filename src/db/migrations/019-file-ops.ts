import type { Migration } from '../migrations.js';

/**
 * File operations (DESIGN §17, issue 21): `vss files copy|move|delete` is one durable job, and
 * this table is its list of items and the record a resumed job starts from (an item `done` or
 * `skipped` is not done again after a kill -9 or a restart). `kind`: a `file` copied (and for a
 * move, its source removed once the copy is verified and flushed), a `dir` made, a `rename` (a
 * move within one filesystem, of a file or a whole folder), a `delete`. `final` is where the
 * item ended up (keep-both may choose another name than `dst`); `blake3` the full-file hash both
 * sides had.
 */
export const fileOps: Migration = {
  version: 19,
  name: 'file-ops',
  sql: `
CREATE TABLE file_op_items (
  job_id INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('file', 'dir', 'rename', 'delete')),
  src TEXT NOT NULL,
  dst TEXT,
  size INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT 'todo' CHECK (state IN ('todo', 'done', 'skipped')),
  final TEXT,
  blake3 TEXT,
  PRIMARY KEY (job_id, idx)
) WITHOUT ROWID;

-- A job's items go with it (finished jobs are pruned after some days).
CREATE TRIGGER file_op_items_of_gone_job AFTER DELETE ON jobs BEGIN
  DELETE FROM file_op_items WHERE job_id = old.id;
END;
`,
};
