import { extname } from 'node:path';
import { VssError } from '../core/errors.js';
import { BLAKE3_HEX, landingNameProblem } from '../files/landing-names.js';
import { RAW_EXTENSIONS } from '../content/raw-formats.js';

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
  ...RAW_EXTENSIONS,
  'mov', 'mp4', 'm4v', '3gp', '3g2', 'mkv', 'webm', 'avi', 'mts', 'm2ts',
]);

/** Whether a file named NAME is taken as a photo or a video: by its extension (its bytes are checked when it lands), whatever type the browser said. */
export function looksLikeMedia(name: string): boolean {
  return MEDIA_EXT.has(extname(name).slice(1).toLowerCase());
}

/**
 * Characters a name the user will see in a folder must not hold: controls (C0 and C1), and
 * format characters (a right-to-left override shows `a\u202Egpj.exe` as `aexe.jpg`, zero-width
 * ones hide a difference). Slashes lookalikes are refused as well: they read as folders.
 */
const UNSEEN = /[\p{Cc}\p{Cf}\u2215\u2044\uFF0F\u29F8]/u;

/** The browser's metadata (tus: values already decoded), checked; an error says what is wrong. */
export function uploadMetaOf(m: Record<string, string | null | undefined>): UploadMeta {
  const name = m.filename ?? m.name ?? '';
  const problem = landingNameProblem(name);
  if (problem) throw new VssError('USAGE', `an upload's name: ${problem}`);
  const blake3 = (m.blake3 ?? '').toLowerCase();
  if (!BLAKE3_HEX.test(blake3)) throw new VssError('USAGE', 'an upload carries the full BLAKE3 of its bytes (64 hex digits), computed by the browser');
  const modified = Number(m.modified ?? m.lastModified ?? NaN);
  // From 1970 to a day ahead of now: a time outside it is not the file's.
  const modifiedMs = Number.isSafeInteger(modified) && modified > 0 && modified < Date.now() + 86_400_000 ? modified : Date.now();
  if (UNSEEN.test(name) || name !== name.trim() || name.startsWith('.')) throw new VssError('USAGE', `an upload's name may not start with a dot or a space, nor hold control, format or slash-like characters: ${JSON.stringify(name.slice(0, 80))}`);
  if (!looksLikeMedia(name)) throw new VssError('USAGE', `${name} is not named as a photo or a video (${[...MEDIA_EXT].slice(0, 8).join(', ')}…): only those are uploaded`);
  return { name, blake3, modifiedMs };
}
