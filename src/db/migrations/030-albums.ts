import type { Migration } from '../migrations.js';

/**
 * Albums (issue 32): shared data like tags (migration 017), merged field by field by the newest
 * stamp. An album is a name in a tree (`parent_uuid`), a cover, and either the contents put in it
 * (`album_items`, a removal a tombstone with its stamp) or, for a smart album, a saved search
 * (`query`) whose contents follow the library. Both tables are written only by merging operations.
 */
export const albums: Migration = {
  version: 30,
  name: 'albums',
  sql: `
CREATE TABLE albums (
  uuid TEXT PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '', name_hlc TEXT NOT NULL DEFAULT '',
  parent_uuid TEXT, parent_hlc TEXT NOT NULL DEFAULT '',
  query TEXT, query_hlc TEXT NOT NULL DEFAULT '',
  cover TEXT, cover_hlc TEXT NOT NULL DEFAULT '',
  deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)), deleted_hlc TEXT NOT NULL DEFAULT ''
);
CREATE INDEX albums_by_name ON albums(name COLLATE NOCASE) WHERE deleted = 0;

CREATE TABLE album_items (
  album_uuid TEXT NOT NULL,
  content_uuid TEXT NOT NULL,
  present INTEGER NOT NULL CHECK (present IN (0, 1)),
  hlc TEXT NOT NULL,
  PRIMARY KEY (album_uuid, content_uuid)
) WITHOUT ROWID;
CREATE INDEX album_items_by_content ON album_items(content_uuid, album_uuid) WHERE present = 1;
`,
};
