import type { Migration } from '../migrations.js';

/**
 * Where a deep location's finders stand (issue 28): `media_seq` is the change number (sync_meta,
 * migration 012) up to which its XMP sidecars and Live Photo pairs were looked at. A scan looks
 * again only in the folders numbered since, so an unchanged rescan or a watched batch reads no
 * other tool's sidecar and hashes no movie again. NULL: look at every folder at the next deep scan
 * (a location made deep, a forced rescan, a row from before this migration).
 */
export const mediaFindersCursor: Migration = {
  version: 20,
  name: 'media-finders-cursor',
  sql: `
ALTER TABLE locations ADD COLUMN media_seq INTEGER;
`,
};
