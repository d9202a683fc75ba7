import type { Migration } from '../migrations.js';

/** The capture instant and day of a content's stored media metadata (src/media/media-metadata.ts), or NULL. */
const META_OK = `json_valid(media_metadata) AND json_extract(media_metadata, '$.v') = 1`;
const CAPTURED_MS = `CASE WHEN ${META_OK} AND json_type(media_metadata, '$.captured_ms') IN ('integer', 'real')
  THEN CAST(json_extract(media_metadata, '$.captured_ms') AS INTEGER) END`;
const CAPTURED_AT = `json_extract(media_metadata, '$.captured_at')`;
const CAPTURE_DAY = `CASE WHEN ${META_OK} AND json_type(media_metadata, '$.captured_at') = 'text'
  AND substr(${CAPTURED_AT}, 1, 10) GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]' THEN substr(${CAPTURED_AT}, 1, 10) END`;

/** Every change that moves a content in the browse order bumps grid_version.n (the order cache's key). */
const BUMP = 'UPDATE grid_version SET n = n + 1';

/**
 * The library's browse order (the web UI's grid): contents by capture day and instant, newest
 * first. Both are generated from the metadata JSON (virtual columns: nothing to fill on insert,
 * nothing to backfill, never out of step) and indexed together, so days are counted and the
 * order read from the index alone. The day is the calendar day on the capturing camera's clock
 * (the date written in captured_at), not the viewer's zone: a trip's shots stay on the days
 * they were taken wherever they are browsed.
 *
 * The grid pages by offset over an order kept in memory (src/browse/grid-order.ts); the
 * triggers count the changes that can move a content in it (its metadata, its copies and
 * their names, Live Photo movies hidden behind their stills), so that cache is rebuilt only
 * when one happened.
 */
export const captureOrder: Migration = {
  version: 9,
  name: 'capture-order',
  sql: `
ALTER TABLE content_identities ADD COLUMN captured_ms INTEGER GENERATED ALWAYS AS (${CAPTURED_MS}) VIRTUAL;
ALTER TABLE content_identities ADD COLUMN capture_day TEXT GENERATED ALWAYS AS (${CAPTURE_DAY}) VIRTUAL;
CREATE INDEX content_by_capture ON content_identities(capture_day DESC, captured_ms DESC);

CREATE TABLE grid_version (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
INSERT INTO grid_version (id, n) VALUES (1, 0);
CREATE TRIGGER grid_content_added AFTER INSERT ON content_identities BEGIN ${BUMP}; END;
CREATE TRIGGER grid_content_removed AFTER DELETE ON content_identities BEGIN ${BUMP}; END;
CREATE TRIGGER grid_content_metadata AFTER UPDATE OF media_metadata ON content_identities
  WHEN OLD.media_metadata IS NOT NEW.media_metadata BEGIN ${BUMP}; END;
CREATE TRIGGER grid_entry_added AFTER INSERT ON entries WHEN NEW.content_id IS NOT NULL BEGIN ${BUMP}; END;
CREATE TRIGGER grid_entry_removed AFTER DELETE ON entries WHEN OLD.content_id IS NOT NULL BEGIN ${BUMP}; END;
CREATE TRIGGER grid_entry_changed AFTER UPDATE OF content_id, name, kind ON entries
  WHEN OLD.content_id IS NOT NEW.content_id OR (NEW.content_id IS NOT NULL AND (OLD.name IS NOT NEW.name OR OLD.kind IS NOT NEW.kind)) BEGIN ${BUMP}; END;
CREATE TRIGGER grid_live_added AFTER INSERT ON sidecars WHEN NEW.kind = 'live_photo_video' BEGIN ${BUMP}; END;
CREATE TRIGGER grid_live_removed AFTER DELETE ON sidecars WHEN OLD.kind = 'live_photo_video' BEGIN ${BUMP}; END;
CREATE TRIGGER grid_live_changed AFTER UPDATE OF status, source_entry_id ON sidecars
  WHEN NEW.kind = 'live_photo_video' AND (OLD.status IS NOT NEW.status OR OLD.source_entry_id IS NOT NEW.source_entry_id) BEGIN ${BUMP}; END;
`,
};
