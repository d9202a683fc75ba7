/*
 * The words of what a command lists or filters by (content kinds, index modes, device types) and
 * the check of one, apart from api/words.ts: a read the daemon serves (`content list`) parses its
 * arguments with these alone, not the dozen modules the rest of the words bring.
 */
export { oneOf } from './checks.js';
export { CONTENT_KINDS } from '../content/kinds.js';
export { INDEX_MODES } from '../indexer/types.js';
export { DEVICE_TYPES } from '../jobs/device-types.js';
