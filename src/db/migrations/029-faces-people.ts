import type { Migration } from '../migrations.js';

/**
 * Faces and people (issue 31).
 *
 * `faces`: every face of every content whose `faces/default` sidecar is here (made or fetched),
 * read out of it by the faces follower (people/faces-follower.ts): derived, local, rebuilt from the
 * sidecars at will. Its id is derived from the content and the face's place in the sidecar, so
 * every device names a face alike. `person_id` is who the face is now (a correction, else the
 * clustering, through merges): written by the people pass, read by search and the lists.
 *
 * `faces_pending`: contents whose faces sidecar came, changed or went, to read again (triggers, as
 * search_pending; a trigger's INSERT checks first, as an outer upsert's conflict rule would override its own).
 * `people_dirty`: one row while the people pass has something new to look at.
 *
 * `people` and `face_corrections`: shared data (DESIGN §15, §16), merged field by field like tags
 * (the newer stamp wins). A person's `anchor` is the face it was first known by: the pass gives
 * the person's id to whichever cluster holds it. A correction puts a face with a person, or with
 * nobody (`person` ''), whatever the clustering says.
 */
export const facesPeople: Migration = {
  version: 29,
  name: 'faces-people',
  sql: `
CREATE TABLE faces (
  face_id TEXT PRIMARY KEY,
  content_uuid TEXT NOT NULL,
  idx INTEGER NOT NULL,
  x REAL NOT NULL,
  y REAL NOT NULL,
  w REAL NOT NULL,
  h REAL NOT NULL,
  score REAL NOT NULL,
  clusterable INTEGER NOT NULL CHECK (clusterable IN (0, 1)),
  quality TEXT,
  descriptor BLOB NOT NULL,
  person_id TEXT
);
CREATE INDEX faces_by_content ON faces(content_uuid, idx);
CREATE INDEX faces_by_person ON faces(person_id, content_uuid) WHERE person_id IS NOT NULL;
CREATE TABLE faces_pending (content_uuid TEXT PRIMARY KEY) WITHOUT ROWID;
INSERT OR IGNORE INTO faces_pending SELECT content_uuid FROM sidecars WHERE kind = 'faces' AND variant = 'default' AND status = 'ready';
CREATE TABLE people_dirty (one INTEGER PRIMARY KEY CHECK (one = 1));
CREATE TABLE people (
  person_id TEXT PRIMARY KEY,
  anchor TEXT NOT NULL DEFAULT '',
  anchor_hlc TEXT NOT NULL DEFAULT '',
  name TEXT,
  name_hlc TEXT NOT NULL DEFAULT '',
  hidden INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
  hidden_hlc TEXT NOT NULL DEFAULT '',
  merged_into TEXT,
  merged_hlc TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX people_by_name ON people(name COLLATE NOCASE) WHERE name IS NOT NULL;
CREATE TABLE face_corrections (
  face_id TEXT PRIMARY KEY,
  person TEXT,
  hlc TEXT NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER faces_sidecar_added AFTER INSERT ON sidecars
  WHEN new.kind = 'faces' AND new.variant = 'default' AND new.status = 'ready' BEGIN
  INSERT INTO faces_pending SELECT new.content_uuid WHERE NOT EXISTS (SELECT 1 FROM faces_pending WHERE content_uuid = new.content_uuid);
END;
CREATE TRIGGER faces_sidecar_removed AFTER DELETE ON sidecars
  WHEN old.kind = 'faces' AND old.variant = 'default' BEGIN
  INSERT INTO faces_pending SELECT old.content_uuid WHERE NOT EXISTS (SELECT 1 FROM faces_pending WHERE content_uuid = old.content_uuid);
END;
CREATE TRIGGER faces_sidecar_changed AFTER UPDATE OF status, checksum ON sidecars
  WHEN new.kind = 'faces' AND new.variant = 'default' AND new.status <> 'generating'
    AND (old.status IS NOT new.status OR old.checksum IS NOT new.checksum) BEGIN
  INSERT INTO faces_pending SELECT new.content_uuid WHERE NOT EXISTS (SELECT 1 FROM faces_pending WHERE content_uuid = new.content_uuid);
END;
CREATE TRIGGER people_dirty_face_added AFTER INSERT ON faces BEGIN INSERT INTO people_dirty SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM people_dirty); END;
CREATE TRIGGER people_dirty_face_removed AFTER DELETE ON faces BEGIN INSERT INTO people_dirty SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM people_dirty); END;
CREATE TRIGGER people_dirty_person AFTER INSERT ON people BEGIN INSERT INTO people_dirty SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM people_dirty); END;
CREATE TRIGGER people_dirty_person_changed AFTER UPDATE OF anchor, merged_into ON people
  WHEN old.anchor IS NOT new.anchor OR old.merged_into IS NOT new.merged_into BEGIN INSERT INTO people_dirty SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM people_dirty); END;
CREATE TRIGGER people_dirty_correction AFTER INSERT ON face_corrections BEGIN INSERT INTO people_dirty SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM people_dirty); END;
CREATE TRIGGER people_dirty_correction_changed AFTER UPDATE ON face_corrections BEGIN INSERT INTO people_dirty SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM people_dirty); END;
`,
};
