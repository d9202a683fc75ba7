import type { Migration } from '../migrations.js';

/**
 * File operations keep what `cp -a` keeps (issue 28). `meta` is what the plan saw of an item's
 * source before anything touched it, as JSON: a folder's times and mode (a move empties the
 * source folder, changing its times, before the copy's folder is finished), and for a second name
 * of a hard-linked file, the item it is linked to (the copy is one file with two names, as at the
 * source). `note` is why an item was skipped, or what of it could not be kept; it is said by name
 * in the job's result.
 */
export const fileOpMeta: Migration = {
  version: 21,
  name: 'file-op-meta',
  sql: `
ALTER TABLE file_op_items ADD COLUMN meta TEXT;
ALTER TABLE file_op_items ADD COLUMN note TEXT;
`,
};
