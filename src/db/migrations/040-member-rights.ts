import type { Migration } from '../migrations.js';

/**
 * What a member may do (issue 46): a membership record may now also be a grant (`kind = 'rights'`,
 * `tags/member-record.ts`). SQLite cannot change a CHECK in place: the table is made again with the
 * wider one and its rows copied as they are.
 */
export const memberRights: Migration = {
  version: 40,
  name: 'member-rights',
  sql: `
CREATE TABLE library_members_040 (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('admit', 'remove', 'rights')),
  member_uuid TEXT NOT NULL,
  by_uuid TEXT NOT NULL,
  at TEXT NOT NULL,
  body TEXT NOT NULL,
  sig_by TEXT NOT NULL,
  sig_member TEXT,
  hlc TEXT NOT NULL
);
INSERT INTO library_members_040 SELECT id, kind, member_uuid, by_uuid, at, body, sig_by, sig_member, hlc FROM library_members;
DROP TABLE library_members;
ALTER TABLE library_members_040 RENAME TO library_members;
CREATE INDEX library_members_by_member ON library_members(member_uuid, kind);
`,
};
