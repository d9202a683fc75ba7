import type { Migration } from '../migrations.js';

/**
 * Contents added above a mark wait for search without a row each in `search_pending` (issue 57):
 * a first scan adds a content a file, and queuing each by its uuid (a random key) cost the
 * writing thread ~4 µs a file at 100k files, with as many pages of the queue rewritten at every
 * commit. The search follower indexes the contents above the mark in id order and moves it past
 * each one done (`SearchStore.takePending`, `markIndexed`); what changes later (a rename, a
 * sidecar, a content gone) is still queued by uuid. Every content there is now is either indexed
 * or queued already, so the mark starts at the last one.
 */
export const searchContentMark: Migration = {
  version: 47,
  name: 'search-content-mark',
  sql: `
CREATE TABLE search_content_mark (id INTEGER NOT NULL);
INSERT INTO search_content_mark SELECT coalesce(max(id), 0) FROM content_identities;
`,
};
