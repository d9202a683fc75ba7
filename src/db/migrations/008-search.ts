import type { Migration } from '../migrations.js';

/**
 * Search (DESIGN §14): one row per piece of searchable text of a content — a file name, an OCR
 * page, a PDF text-layer page, a transcript segment — in `search_docs`, and an FTS5 index over
 * their text kept by triggers (external content, so a content's rows are found and replaced
 * through an ordinary index). unicode61 with remove_diacritics 2: "café" matches "cafe".
 * Text in Chinese, Japanese or Korean (`cjk`) is also in a trigram index, `search_cjk`: those
 * scripts have no spaces between words, so unicode61 would make a whole sentence one token.
 * `locator` is the page (ocr, pdf-text) or segment index (transcript); `at` a segment's start in seconds.
 *
 * `search_pending` is the durable queue of contents to index again: triggers put a content in
 * when it is identified or forgotten and when one of its copies is added, renamed or removed, so
 * whatever process changed the library, nothing is missed and nothing is counted at query time;
 * and when a searched sidecar (ocr, transcript; the default variant, the one read) is added,
 * removed, or changes status or checksum — a sync in another process, a job just before a crash.
 * (The process that makes the change also sets the queue draining at once: search-index.ts.)
 */
export const search: Migration = {
  version: 8,
  name: 'search',
  sql: `
CREATE TABLE search_docs (id INTEGER PRIMARY KEY, content_uuid TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('name', 'ocr', 'pdf-text', 'transcript')), locator INTEGER, at REAL, text TEXT NOT NULL,
  cjk INTEGER NOT NULL DEFAULT 0);
CREATE INDEX search_docs_by_content ON search_docs(content_uuid);
CREATE INDEX search_docs_cjk ON search_docs(id) WHERE cjk = 1;
CREATE VIRTUAL TABLE search_fts USING fts5(text, content = 'search_docs', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER search_docs_added AFTER INSERT ON search_docs BEGIN
  INSERT INTO search_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER search_docs_removed AFTER DELETE ON search_docs BEGIN
  INSERT INTO search_fts(search_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE VIRTUAL TABLE search_cjk USING fts5(text, content = 'search_docs', content_rowid = 'id',
  tokenize = 'trigram remove_diacritics 1');
CREATE TRIGGER search_docs_added_cjk AFTER INSERT ON search_docs WHEN new.cjk = 1 BEGIN
  INSERT INTO search_cjk(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER search_docs_removed_cjk AFTER DELETE ON search_docs WHEN old.cjk = 1 BEGIN
  INSERT INTO search_cjk(search_cjk, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TABLE search_pending (content_uuid TEXT PRIMARY KEY) WITHOUT ROWID;
-- The triggers below skip a content already queued with NOT EXISTS, not INSERT OR IGNORE: inside a
-- trigger the outer statement's conflict policy wins, and an UPSERT's (a sidecar's record) is ABORT.
INSERT INTO search_pending SELECT uuid FROM content_identities;
CREATE TRIGGER search_content_added AFTER INSERT ON content_identities BEGIN
  INSERT INTO search_pending SELECT new.uuid WHERE NOT EXISTS (SELECT 1 FROM search_pending WHERE content_uuid = new.uuid);
END;
CREATE TRIGGER search_content_removed AFTER DELETE ON content_identities BEGIN
  INSERT INTO search_pending SELECT old.uuid WHERE NOT EXISTS (SELECT 1 FROM search_pending WHERE content_uuid = old.uuid);
END;
CREATE TRIGGER search_entry_added AFTER INSERT ON entries WHEN new.content_id IS NOT NULL BEGIN
  INSERT INTO search_pending SELECT uuid FROM content_identities WHERE id = new.content_id AND uuid NOT IN (SELECT content_uuid FROM search_pending);
END;
CREATE TRIGGER search_entry_changed AFTER UPDATE OF name, content_id ON entries
  WHEN old.name IS NOT new.name OR old.content_id IS NOT new.content_id BEGIN
  INSERT INTO search_pending SELECT uuid FROM content_identities WHERE id IN (old.content_id, new.content_id) AND uuid NOT IN (SELECT content_uuid FROM search_pending);
END;
CREATE TRIGGER search_sidecar_added AFTER INSERT ON sidecars
  WHEN new.kind IN ('ocr', 'transcript') AND new.variant = 'default' AND new.status = 'ready' BEGIN
  INSERT INTO search_pending SELECT new.content_uuid WHERE NOT EXISTS (SELECT 1 FROM search_pending WHERE content_uuid = new.content_uuid);
END;
CREATE TRIGGER search_sidecar_removed AFTER DELETE ON sidecars
  WHEN old.kind IN ('ocr', 'transcript') AND old.variant = 'default' BEGIN
  INSERT INTO search_pending SELECT old.content_uuid WHERE NOT EXISTS (SELECT 1 FROM search_pending WHERE content_uuid = old.content_uuid);
END;
CREATE TRIGGER search_sidecar_changed AFTER UPDATE OF status, checksum ON sidecars
  WHEN new.kind IN ('ocr', 'transcript') AND new.variant = 'default' AND new.status <> 'generating'
    AND (old.status IS NOT new.status OR old.checksum IS NOT new.checksum) BEGIN
  INSERT INTO search_pending SELECT new.content_uuid WHERE NOT EXISTS (SELECT 1 FROM search_pending WHERE content_uuid = new.content_uuid);
END;
CREATE TRIGGER search_entry_removed AFTER DELETE ON entries WHEN old.content_id IS NOT NULL BEGIN
  INSERT INTO search_pending SELECT uuid FROM content_identities WHERE id = old.content_id AND uuid NOT IN (SELECT content_uuid FROM search_pending);
END;
`,
};
