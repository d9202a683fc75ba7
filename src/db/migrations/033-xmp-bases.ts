import type { Migration } from '../migrations.js';

/**
 * What an XMP sidecar said, property by property, when vss last read or wrote it (issue 42, defect
 * 5): the base of a three-way merge. darktable, digiKam and Lightroom rewrite the whole file on any
 * save, so a newer file is not a newer value; a property is the tool's change only where it differs
 * from this base. One row per (content, file, property), the file named by its location and path
 * (a drive mounted elsewhere keeps its bases); `items` is the property's raw items as a JSON array
 * (a scalar: at most one). The rows go with their location, and with their content when the
 * library forgets it; a file with no rows has no base (never read since this migration), and is
 * merged as before (the newer write wins).
 *
 * Numbered 033: another branch of issue 42 adds 032; the lead renumbers at merge if needed.
 */
export const xmpBases: Migration = {
  version: 33,
  name: 'xmp-bases',
  sql: `
CREATE TABLE xmp_bases (
  location_id INTEGER NOT NULL REFERENCES locations(id) ON DELETE CASCADE,
  rel_path TEXT NOT NULL,
  content_uuid TEXT NOT NULL,
  property TEXT NOT NULL CHECK (property IN ('rating', 'label', 'subject', 'lrHierarchy', 'digikamTags')),
  items TEXT NOT NULL CHECK (json_valid(items) AND json_type(items) = 'array'),
  PRIMARY KEY (location_id, rel_path, content_uuid, property)
) WITHOUT ROWID;
CREATE INDEX xmp_bases_by_content ON xmp_bases(content_uuid);
CREATE TRIGGER xmp_bases_content_gone AFTER DELETE ON content_identities BEGIN
  DELETE FROM xmp_bases WHERE content_uuid = old.uuid;
END;
`,
};
