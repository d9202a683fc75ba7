import type { Migration } from '../migrations.js';

/**
 * Tags and user metadata (DESIGN §16), the library's shared data (§15): any member may change
 * them, each change an operation stamped with a hybrid logical clock (`core/hlc.ts`). The state
 * keeps, per field, the stamp of the value it holds (`*_hlc`; '' before any operation set it), so
 * an operation wins a field only with a newer stamp: applying the same operations in any order,
 * any number of times, gives the same rows on every device. Deletes are tombstones (`deleted`,
 * `present = 0`) that keep their stamp, so an older operation arriving late cannot bring a row back.
 *
 * `shared_ops` is this device's log of every operation it made or took in, numbered in the order
 * it arrived here (`seq`): what a paired device pulls "since N", so operations reach a member
 * through any other (a stamp names its maker; all members may write shared data, so no signature
 * is needed to forward them).
 */
export const sharedMetadata: Migration = {
  version: 17,
  name: 'shared-metadata',
  sql: `
CREATE TABLE tags (
  uuid TEXT PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '', name_hlc TEXT NOT NULL DEFAULT '',
  color TEXT, color_hlc TEXT NOT NULL DEFAULT '',
  parent_uuid TEXT, parent_hlc TEXT NOT NULL DEFAULT '',
  deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)), deleted_hlc TEXT NOT NULL DEFAULT ''
);
CREATE INDEX tags_by_name ON tags(name COLLATE NOCASE) WHERE deleted = 0;
CREATE INDEX tags_by_parent ON tags(parent_uuid) WHERE parent_uuid IS NOT NULL;

CREATE TABLE user_metadata (
  content_uuid TEXT PRIMARY KEY,
  favorite INTEGER NOT NULL DEFAULT 0 CHECK (favorite IN (0, 1)), favorite_hlc TEXT NOT NULL DEFAULT '',
  hidden INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)), hidden_hlc TEXT NOT NULL DEFAULT '',
  rating INTEGER NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5), rating_hlc TEXT NOT NULL DEFAULT '',
  note TEXT, note_hlc TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX user_metadata_favorites ON user_metadata(content_uuid) WHERE favorite = 1;
CREATE INDEX user_metadata_hidden ON user_metadata(content_uuid) WHERE hidden = 1;
CREATE INDEX user_metadata_rated ON user_metadata(rating, content_uuid) WHERE rating > 0;

CREATE TABLE metadata_tag (
  tag_uuid TEXT NOT NULL,
  content_uuid TEXT NOT NULL,
  present INTEGER NOT NULL CHECK (present IN (0, 1)),
  hlc TEXT NOT NULL,
  PRIMARY KEY (tag_uuid, content_uuid)
) WITHOUT ROWID;
CREATE INDEX metadata_tag_by_content ON metadata_tag(content_uuid, tag_uuid) WHERE present = 1;

-- AUTOINCREMENT: a number is never given twice, even once the log was pruned (a peer's cursor stays true).
CREATE TABLE shared_ops (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  hlc TEXT NOT NULL UNIQUE,
  op TEXT NOT NULL,
  received_at INTEGER NOT NULL
);

-- Where this device is in each paired device's log: the epoch of that device's database and the
-- last seq taken in (a new epoch: its log is read again from the start; every operation merges
-- once however often it comes).
CREATE TABLE shared_cursor (
  device_uuid TEXT PRIMARY KEY,
  epoch TEXT NOT NULL,
  seq INTEGER NOT NULL
);

-- How far each paired device has read this device's log (what its last pull asked from): the log
-- is pruned up to what every member has, and anything older than 30 days (a member away longer
-- gets a copy of the whole state instead).
CREATE TABLE shared_acks (
  device_uuid TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX shared_ops_received ON shared_ops(received_at);
`,
};
