import { extname } from 'node:path';
import { VssError } from '../core/errors.js';
import { BLAKE3_HEX, dropNameProblem } from '../sync/drop/names.js';

/**
 * What a browser says of a file it uploads (tus's Upload-Metadata, issue 44), checked before a
 * byte is taken: its name (a base name only), the full BLAKE3 it computed (what the bytes are
 * verified against on arrival), its last-modified time, and its type (a photo or a video: the
 * bytes are checked again when they land).
 */
export interface UploadMeta {
  name: string;
  blake3: string;
  /** The file's last-modified time (ms since the epoch), kept on the landed file. */
  modifiedMs: number;
}

/** The largest file an upload takes (a long 4K video fits; the disk's free space bounds it further). */
export const MAX_UPLOAD_BYTES = 64 * 1024 ** 3;
/** Unfinished uploads kept at once, all browsers together: each holds its bytes until finished or expired. */
export const MAX_OPEN_UPLOADS = 1000;
/** An unfinished upload no browser came back to in this long is removed with its bytes. */
export const UPLOAD_EXPIRES_MS = 7 * 24 * 3600 * 1000;

/** What a phone's picker offers that is a photo or a video, by extension (its MIME type may be empty: HEIC on many browsers). */
const MEDIA_EXT = new Set([
  'jpg', 'jpeg', 'jpe', 'png', 'gif', 'webp', 'heic', 'heif', 'hif', 'avif', 'tif', 'tiff', 'bmp', 'jxl',
  'dng', 'cr2', 'cr3', 'nef', 'arw', 'raf', 'orf', 'rw2', 'pef', 'srw',
  'mov', 'mp4', 'm4v', '3gp', '3g2', 'mkv', 'webm', 'avi', 'mts', 'm2ts',
]);

/** Whether a file named NAME of MIME type TYPE (may be empty) is taken as a photo or a video. */
export function looksLikeMedia(name: string, type: string | undefined): boolean {
  if (type && (type.startsWith('image/') || type.startsWith('video/'))) return true;
  return MEDIA_EXT.has(extname(name).slice(1).toLowerCase());
}

/** The browser's metadata (tus: values already decoded), checked; an error says what is wrong. */
export function uploadMetaOf(m: Record<string, string | null | undefined>): UploadMeta {
  const name = m.filename ?? m.name ?? '';
  const problem = dropNameProblem(name);
  if (problem) throw new VssError('USAGE', `an upload's name: ${problem}`);
  const blake3 = (m.blake3 ?? '').toLowerCase();
  if (!BLAKE3_HEX.test(blake3)) throw new VssError('USAGE', 'an upload carries the full BLAKE3 of its bytes (64 hex digits), computed by the browser');
  const modified = Number(m.modified ?? m.lastModified ?? NaN);
  // From 1970 to a day ahead of now: a time outside it is not the file's.
  const modifiedMs = Number.isSafeInteger(modified) && modified > 0 && modified < Date.now() + 86_400_000 ? modified : Date.now();
  if (!looksLikeMedia(name, m.filetype ?? m.type ?? undefined)) throw new VssError('USAGE', `${name} is not a photo or a video: only those are uploaded`);
  return { name, blake3, modifiedMs };
}
