import { VssError } from '../../core/errors.js';
import type { Library } from '../../library/library.js';
import type { MissingContent } from '../../store/content-reach.js';
import type { NewFileOpItem } from '../../store/file-op-items.js';
import { driveName } from '../../volumes/drive-name.js';

/** `content get --all` as asked: the folder to copy into, and the volume to copy from (absent: wherever a copy is reachable). */
export interface GetAllInput {
  dir: string;
  from?: string;
}

/** What a `content-get-all` job keeps in its params: the folder, and the volume it copies from (null: any). */
export interface GetAllParams {
  dir: string;
  from_volume: number | null;
  from_name: string | null;
}

/** Contents read from the database at a time while planning: memory stays flat whatever the library's size. */
export const PLAN_PAGE = 500;
/** The folder of the contents the library recorded no path for. */
export const UNFILED = 'Unfiled';
/** Bytes a name may take on the filesystems vss writes to (ext4, APFS, NTFS: 255). */
const NAME_BYTES = 255;

/** --from REF: a drive or bucket volume of this device (by name, fingerprint, id, or a bucket's s3:// address); null: none named. */
export function fromVolume(lib: Library, ref: string | undefined): { id: number; name: string } | null {
  if (ref === undefined) return null;
  const vols = lib.store.volumes.ofDevice(lib.deviceId);
  const vol = vols.find((v) => v.name === ref) ?? vols.find((v) => v.fingerprint === ref || v.fingerprint === ref.toLowerCase())
    ?? (/^\d{1,15}$/.test(ref) ? vols.find((v) => v.id === Number(ref)) : undefined) ?? vols.find((v) => v.fs === 's3' && v.mount_point === ref);
  if (!vol) throw new VssError('NOT_FOUND', `--from ${ref}: no drive or bucket of that name, fingerprint or id on this device (vss volumes list)`);
  return { id: vol.id, name: vol.fs === 's3' ? vol.name ?? vol.mount_point : driveName(vol) };
}

/**
 * The contents to get, a page at a time (PLAN_PAGE rows held at once): those no location of this
 * device on its own disks holds a file of, held somewhere a copy can be read from (FROMVOLUME:
 * on that volume).
 */
export function* missingPages(lib: Library, fromVolumeId: number | null): Generator<MissingContent[]> {
  let after = 0;
  for (;;) {
    const page = lib.store.contentReach.missingHerePage(lib.deviceId, fromVolumeId, after, PLAN_PAGE);
    if (page.length === 0) return;
    yield page;
    after = page[page.length - 1]!.id;
    if (page.length < PLAN_PAGE) return;
  }
}

/** The files and bytes the contents to get come to (read a page at a time). */
export function missingSize(lib: Library, fromVolumeId: number | null): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const page of missingPages(lib, fromVolumeId)) {
    files += page.length;
    for (const c of page) bytes += c.size;
  }
  return { files, bytes };
}

/** Content C as a copy item: from its uuid to its place under the folder, with the time the library recorded for its file. */
export function itemOf(c: MissingContent): NewFileOpItem {
  return { kind: 'file', src: c.uuid, dst: recordedPlace(c), size: c.size, meta: c.mtime_ms !== null ? JSON.stringify({ mtime_ms: c.mtime_ms }) : null };
}

/** The time an item's meta recorded, if any. */
export function mtimeOfItem(meta: string | null): number | undefined {
  if (meta === null) return undefined;
  try {
    const m = (JSON.parse(meta) as { mtime_ms?: unknown }).mtime_ms;
    return typeof m === 'number' && Number.isFinite(m) && m >= 0 ? m : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where content C goes under the folder, as a relative path: `LOCATION/its/path/name.ext` as the
 * library recorded its file (the location's name one folder), else `Unfiled/UUID.ext`. Each part
 * made a safe name: a database may be someone else's or edited by hand, so no part is empty, `.`
 * or `..`, holds a separator or NUL, or runs past a name's length: nothing lands outside the folder.
 */
export function recordedPlace(c: Pick<MissingContent, 'uuid' | 'mime' | 'location_name' | 'rel_path'>): string {
  const parts = c.location_name !== null && c.rel_path !== null
    ? [safeName(c.location_name), ...c.rel_path.split(/[/\\]/).filter((p) => p !== '' && p !== '.' && p !== '..').map(safeName)]
    : [];
  if (parts.length < 2) return `${UNFILED}/${c.uuid}${extensionOf(c.mime)}`;
  return parts.join('/');
}

/** NAME as one safe path part: separators, NUL and controls made `_`, `.`/`..` and empty ones named, cut to NAME_BYTES (its extension kept). */
export function safeName(name: string): string {
  let s = name.replace(/[/\\\u0000-\u001f]/g, '_').trim();
  if (s === '' || s === '.' || s === '..') s = '_';
  if (Buffer.byteLength(s) <= NAME_BYTES) return s;
  const dot = s.lastIndexOf('.');
  const ext = dot > 0 && s.length - dot <= 16 ? s.slice(dot) : '';
  let stem = s.slice(0, s.length - ext.length);
  while (Buffer.byteLength(stem + ext) > NAME_BYTES) stem = stem.slice(0, -1);
  return stem + ext;
}

/** The usual extensions of the media vss meets; another type's is its subtype when that reads as one. */
const EXTENSIONS: Record<string, string> = {
  'image/jpeg': '.jpg', 'image/png': '.png', 'image/gif': '.gif', 'image/webp': '.webp', 'image/heic': '.heic', 'image/heif': '.heif',
  'image/tiff': '.tif', 'image/avif': '.avif', 'video/mp4': '.mp4', 'video/quicktime': '.mov', 'video/x-matroska': '.mkv',
  'audio/mpeg': '.mp3', 'audio/mp4': '.m4a', 'text/plain': '.txt', 'application/pdf': '.pdf',
};

function extensionOf(mime: string): string {
  const known = EXTENSIONS[mime];
  if (known) return known;
  const sub = mime.split('/')[1] ?? '';
  return /^[a-z0-9]{1,8}$/.test(sub) ? `.${sub}` : '';
}
