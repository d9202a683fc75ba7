import type { Migration } from '../migrations.js';

/**
 * A delete is never refused for copy counts (DESIGN §21, issue 58): the Guardian decides when the
 * trash is emptied. `alone` says that when this file went into the trash, no other file or
 * object of its content was known anywhere (on no device, in no bucket, rotten, offline or not):
 * the user deleted every copy, and was told so. Emptying lets such a content go; a file whose
 * content leaned on other copies goes only once those were read whole and the content keeps its
 * policy. Rows made before were written under the old rule (nothing refused at the empty was
 * ever alone): 0.
 */
export const trashAlone: Migration = {
  version: 43,
  name: 'trash-alone',
  sql: `
ALTER TABLE trash ADD COLUMN alone INTEGER NOT NULL DEFAULT 0;
`,
};
