import type { Migration } from '../migrations.js';

/**
 * Folders, and files outside every location, that carry user data (issue 59, "one file system"):
 * a tag or a rating on a folder, a note on a scan in ~/Downloads. Shared data (DESIGN §15, §16),
 * merged field by field as the other shared records are (the newer stamp wins): which device's file
 * system holds it, a folder or a file, its absolute path there, and a file's content once hashed.
 * Tags and metadata name it by its uuid where they name a content by its own. `inode`, `dev` and
 * `born` (its birth time) are this device's look at its own objects, never shared: a folder renamed
 * is followed by them, an inode given again to a new folder is not (its birth time differs).
 */
export const objects: Migration = {
  version: 45,
  name: 'objects',
  sql: `
CREATE TABLE objects (
  uuid TEXT PRIMARY KEY,
  device_uuid TEXT NOT NULL DEFAULT '', device_hlc TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL DEFAULT '', kind_hlc TEXT NOT NULL DEFAULT '',
  path TEXT NOT NULL DEFAULT '', path_hlc TEXT NOT NULL DEFAULT '',
  content_uuid TEXT, content_hlc TEXT NOT NULL DEFAULT '',
  deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)), deleted_hlc TEXT NOT NULL DEFAULT '',
  inode INTEGER,
  dev INTEGER,
  born REAL
) WITHOUT ROWID;
CREATE INDEX objects_at ON objects(device_uuid, path) WHERE deleted = 0;
CREATE INDEX objects_by_content ON objects(content_uuid) WHERE content_uuid IS NOT NULL AND deleted = 0;
`,
};
