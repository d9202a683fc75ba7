import type { Migration } from '../migrations.js';

/**
 * A library's membership (issue 46): signed records of who admitted whom and who removed whom
 * (`tags/member-record.ts`), shared data every member keeps and passes on. A record never
 * changes: its id is derived from its body, and taking it in again changes nothing. Who is a
 * member now is worked out from all of them (`sync/members/`); `body` is the signed text.
 */
export const libraryMembers: Migration = {
  version: 39,
  name: 'library-members',
  sql: `
CREATE TABLE library_members (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('admit', 'remove')),
  member_uuid TEXT NOT NULL,
  by_uuid TEXT NOT NULL,
  at TEXT NOT NULL,
  body TEXT NOT NULL,
  sig_by TEXT NOT NULL,
  sig_member TEXT,
  hlc TEXT NOT NULL
);
CREATE INDEX library_members_by_member ON library_members(member_uuid, kind);
`,
};
