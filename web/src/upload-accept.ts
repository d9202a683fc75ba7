import { RAW_EXTENSIONS } from '../../src/content/raw-format-table.js';

/**
 * What the upload picker offers (its `accept`): a phone's photos and videos (the camera roll),
 * and every RAW vss knows, from the one table the server reads too (a browser may not count a
 * .crw or an .x3f among image/*).
 */
export const UPLOAD_ACCEPT = ['image/*', 'video/*', '.heic', '.heif', ...RAW_EXTENSIONS.map((ext) => `.${ext}`)].join(',');
