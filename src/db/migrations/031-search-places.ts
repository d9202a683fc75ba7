import type { Migration } from '../migrations.js';

/**
 * Places (issue 32): a photo's place (city, region, country, from its GPS) is searched as text of
 * its own (`source` 'place'), so "Dubrovnik" finds a photo taken there and `place:Dubrovnik` finds
 * only those. SQLite cannot change a CHECK: `search_docs` is made again with 'place' allowed, its
 * rows and ids kept (the FTS tables index it by id and need nothing), its indexes and triggers as
 * migration 008 made them. A content whose place changes is indexed again.
 */
export const searchPlaces: Migration = {
  version: 31,
  name: 'search-places',
  sql: `
CREATE TABLE search_docs_next (id INTEGER PRIMARY KEY, content_uuid TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('name', 'ocr', 'pdf-text', 'transcript', 'place')), locator INTEGER, at REAL, text TEXT NOT NULL,
  cjk INTEGER NOT NULL DEFAULT 0);
INSERT INTO search_docs_next (id, content_uuid, source, locator, at, text, cjk) SELECT id, content_uuid, source, locator, at, text, cjk FROM search_docs;
DROP TABLE search_docs;
ALTER TABLE search_docs_next RENAME TO search_docs;
CREATE INDEX search_docs_by_content ON search_docs(content_uuid);
CREATE INDEX search_docs_cjk ON search_docs(id) WHERE cjk = 1;
CREATE INDEX search_docs_places ON search_docs(id) WHERE source = 'place';
CREATE TRIGGER search_docs_added AFTER INSERT ON search_docs BEGIN
  INSERT INTO search_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER search_docs_removed AFTER DELETE ON search_docs BEGIN
  INSERT INTO search_fts(search_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER search_docs_added_cjk AFTER INSERT ON search_docs WHEN new.cjk = 1 BEGIN
  INSERT INTO search_cjk(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER search_docs_removed_cjk AFTER DELETE ON search_docs WHEN old.cjk = 1 BEGIN
  INSERT INTO search_cjk(search_cjk, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER search_content_place AFTER UPDATE OF media_metadata ON content_identities
  WHEN json_valid(new.media_metadata) AND json_extract(new.media_metadata, '$.place') IS NOT (CASE WHEN json_valid(old.media_metadata) THEN json_extract(old.media_metadata, '$.place') END) BEGIN
  INSERT INTO search_pending SELECT new.uuid WHERE NOT EXISTS (SELECT 1 FROM search_pending WHERE content_uuid = new.uuid);
END;
`,
};
