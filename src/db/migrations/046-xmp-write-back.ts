import type { Migration } from '../migrations.js';

/**
 * A location may keep its XMP sidecars written back (issue 59 item 6, `vss xmp write-back on
 * LOCATION`): a tag, rating or note that changes — here or on another device — is written into
 * the XMP sidecars of its files there, by the same three-way merge as `vss xmp export`. Off unless
 * the user turns it on: another tool's files are not touched by vss uninvited.
 */
export const xmpWriteBack: Migration = {
  version: 46,
  name: 'xmp-write-back',
  sql: `
ALTER TABLE locations ADD COLUMN xmp_write_back INTEGER NOT NULL DEFAULT 0;
`,
};
