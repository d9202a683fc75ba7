import type { Migration } from '../migrations.js';

/**
 * Stacks (issue 45): a RAW and the JPEG its camera wrote beside it, or a burst's frames, shown as
 * one item behind a cover. Shared data (DESIGN §15), merged field by field like albums: a stack's
 * id is derived from what made it (every device that finds the same pair or burst names it
 * alike), `auto_cover` is the cover the rules pick (the JPEG, a burst's marked or first frame:
 * the same on every device), `cover` the one a user chose (null: none), `deleted` a user's
 * unstacking (kept, so a later scan does not stack them again). `stack_members`: which contents
 * are in it, a removal a tombstone with its stamp.
 */
export const stacks: Migration = {
  version: 38,
  name: 'stacks',
  sql: `
CREATE TABLE stacks (
  uuid TEXT PRIMARY KEY,
  kind TEXT NOT NULL DEFAULT '', kind_hlc TEXT NOT NULL DEFAULT '',
  auto_cover TEXT, auto_cover_hlc TEXT NOT NULL DEFAULT '',
  cover TEXT, cover_hlc TEXT NOT NULL DEFAULT '',
  deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)), deleted_hlc TEXT NOT NULL DEFAULT ''
);

CREATE TABLE stack_members (
  stack_uuid TEXT NOT NULL,
  content_uuid TEXT NOT NULL,
  present INTEGER NOT NULL CHECK (present IN (0, 1)),
  hlc TEXT NOT NULL,
  PRIMARY KEY (stack_uuid, content_uuid)
) WITHOUT ROWID;
CREATE INDEX stack_members_by_content ON stack_members(content_uuid, stack_uuid);

-- Moved by every change of either table: the grid reads the stacks again only when they changed.
CREATE TABLE stacks_version (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
INSERT INTO stacks_version (id, n) VALUES (1, 0);
CREATE TRIGGER stacks_moved_insert AFTER INSERT ON stacks BEGIN UPDATE stacks_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER stacks_moved_update AFTER UPDATE ON stacks BEGIN UPDATE stacks_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER stack_members_moved_insert AFTER INSERT ON stack_members BEGIN UPDATE stacks_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER stack_members_moved_update AFTER UPDATE ON stack_members BEGIN UPDATE stacks_version SET n = n + 1 WHERE id = 1; END;
`,
};
