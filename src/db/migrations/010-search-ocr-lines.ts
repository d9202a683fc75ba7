import type { Migration } from '../migrations.js';

/**
 * Search now leaves out OCR lines read with a low confidence (src/search/ocr-text.ts): the noise
 * OCR reads in ordinary photos. Contents indexed under the old rule are queued to be indexed
 * again, so an existing library drops that noise without a `vss search reindex`.
 */
export const searchOcrLines: Migration = {
  version: 10,
  name: 'search-ocr-lines',
  sql: `
INSERT OR IGNORE INTO search_pending
  SELECT content_uuid FROM sidecars WHERE kind = 'ocr' AND variant = 'default' AND status = 'ready';
`,
};
