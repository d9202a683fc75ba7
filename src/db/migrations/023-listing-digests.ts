import type { Migration } from '../migrations.js';

/**
 * A folder's listing as the indexer last reconciled it, as a digest (storage/walk-wire.ts): a
 * rescan whose walk finds the same digest leaves the folder's rows unread (issue 28, speed). The
 * entries store clears it whenever it changes one of the folder's rows in any other way, so a
 * digest present always describes the rows as they are.
 */
export const listingDigests: Migration = {
  version: 23,
  name: 'listing-digests',
  sql: `
ALTER TABLE entries ADD COLUMN listing_digest TEXT;
-- Only folders keep one: a rescan reads a location's digests from this small index.
CREATE INDEX entries_listing_digests ON entries(location_id) WHERE listing_digest IS NOT NULL;
`,
};
