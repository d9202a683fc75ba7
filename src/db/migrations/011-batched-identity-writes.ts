import type { Migration } from '../migrations.js';

/**
 * Identification links a hundred thousand files to their contents in a scan, and the per-row
 * triggers of migrations 008 and 009 cost as much as the link itself: each new content and each
 * first link queued its content for search and bumped grid_version, row by row. Those two writes
 * are now made by the stores that make the link, once per batch (ContentStore.addMany/upsert,
 * EntryStore.linkContents/linkContent: the linked contents queued in one statement, the version
 * bumped once), in the same transaction, so every process still sees them.
 *
 * What stays on triggers is every other change a content or a copy can see: a removal (a
 * cascade from a folder or a location included), a rename or move, a link dropped or changed to
 * another content, a row added already linked, the media metadata, the sidecars.
 */
export const batchedIdentityWrites: Migration = {
  version: 11,
  name: 'batched-identity-writes',
  sql: `
DROP TRIGGER search_content_added;
DROP TRIGGER grid_content_added;
DROP TRIGGER search_entry_changed;
CREATE TRIGGER search_entry_changed AFTER UPDATE OF name, content_id ON entries
  WHEN old.name IS NOT new.name OR (old.content_id IS NOT NULL AND old.content_id IS NOT new.content_id) BEGIN
  INSERT INTO search_pending SELECT uuid FROM content_identities WHERE id IN (old.content_id, new.content_id) AND uuid NOT IN (SELECT content_uuid FROM search_pending);
END;
DROP TRIGGER grid_entry_changed;
CREATE TRIGGER grid_entry_changed AFTER UPDATE OF content_id, name, kind ON entries
  WHEN (OLD.content_id IS NOT NULL AND OLD.content_id IS NOT NEW.content_id)
    OR (NEW.content_id IS NOT NULL AND (OLD.name IS NOT NEW.name OR OLD.kind IS NOT NEW.kind)) BEGIN
  UPDATE grid_version SET n = n + 1;
END;
`,
};
