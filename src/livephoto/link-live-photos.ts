import { describeFsError } from '../core/errors.js';
import { ConfinedRoot, relPathProblem } from '../library/confine.js';
import { hashFileForIdentity } from '../content/hash-file.js';
import { CAS_WHOLE } from '../content/identity.js';
import type { Library } from '../library/library.js';
import { liveIdentifiers, parseMetadata, type MediaMetadata } from '../media/media-metadata.js';
import { sidecarAddress } from '../sidecars/address.js';
import { SidecarManager, type SidecarInfo } from '../sidecars/manager.js';
import { pairLivePhotos, type MediaFile } from './pair.js';

export interface LinkLivePhotosInput {
  lib: Library;
  locationId: number;
  rootAbs: string;
  onSkip: (path: string, reason: string) => void;
}

interface MediaRow {
  entry_id: number;
  rel_path: string;
  size: number;
  inode: number;
  mtime_ms: number;
  uuid: string;
  kind: 'image' | 'video';
  mime: string;
  cas_id: string;
  cas_version: number;
  media_metadata: string | null;
}

interface Movie extends MediaFile {
  row: MediaRow;
  format: string;
}

/** Movie containers a Live Photo video comes in, by the MIME their bytes were typed as. */
const MOVIE_FORMATS: Readonly<Record<string, string>> = { 'video/quicktime': 'mov', 'video/mp4': 'mp4' };

const KIND = 'live_photo_video';
const VARIANT = 'original';

/**
 * Record each Live Photo movie of the location as a `ready` reference sidecar
 * (`live_photo_video/original`) of its still's content. The movie stays where it is, with its
 * own entry. Idempotent: a rescan that finds the same pairs writes nothing. A reference whose
 * movie is gone is left as it is for reconcile; this step never deletes a sidecar.
 *
 * Returns how many still contents of the location have their movie recorded.
 */
export async function linkLivePhotos(input: LinkLivePhotosInput): Promise<{ livePhotos: number }> {
  const { lib, locationId, rootAbs } = input;
  const rows = lib.db.prepare(
    `SELECT e.id AS entry_id, e.rel_path, e.size, e.inode, e.mtime_ms,
            c.uuid, c.kind, c.mime, c.cas_id, c.cas_version, c.media_metadata
     FROM entries e JOIN content_identities c ON c.id = e.content_id
     WHERE e.location_id = ? AND e.kind = 'file' AND c.kind IN ('image', 'video')`,
  ).all(locationId) as MediaRow[];

  const stills: MediaFile[] = [];
  const movies: Movie[] = [];
  const entryByPath = new Map<string, number>();
  for (const row of rows) {
    // A hand-edited row whose path could lead outside the location is never paired, hashed or referenced.
    const problem = relPathProblem(row.rel_path);
    if (problem) {
      input.onSkip(row.rel_path, `refused: not a path inside the location: ${problem}`);
      continue;
    }
    // Not read yet (say it timed out): pairing it on its name alone could be wrong; the next scan will know.
    const meta = parseMetadata(row.media_metadata);
    if (!meta) continue;
    const file = { entryId: row.entry_id, contentUuid: row.uuid, relPath: row.rel_path, ids: liveIdentifiers(meta), time: captureTime(meta) };
    if (row.kind === 'image') {
      stills.push(file);
    } else {
      const format = MOVIE_FORMATS[row.mime];
      if (!format) continue;
      movies.push({ ...file, row, format });
      entryByPath.set(absPath(rootAbs, row.rel_path), row.entry_id);
    }
  }
  if (stills.length === 0 || movies.length === 0) return { livePhotos: 0 };

  const manager = new SidecarManager(lib);
  const recorded = new Map<string, SidecarInfo | undefined>();
  const existing = (contentUuid: string) => {
    if (!recorded.has(contentUuid)) recorded.set(contentUuid, manager.get(sidecarAddress(contentUuid, KIND, VARIANT)));
    return recorded.get(contentUuid);
  };
  const currentMovie = (contentUuid: string) => {
    const info = existing(contentUuid);
    return info?.source === 'reference' && info.path ? entryByPath.get(info.path) : undefined;
  };

  let livePhotos = 0;
  for (const [contentUuid, pair] of pairLivePhotos(stills, movies, currentMovie)) {
    const info = existing(contentUuid);
    if (info && keepAsIs(info, entryByPath)) {
      livePhotos++;
      continue;
    }
    const movie = pair.movie.row;
    const checksum = await wholeFileChecksum(rootAbs, movie);
    if (!checksum.ok) {
      input.onSkip(movie.rel_path, `live photo movie: ${checksum.reason}`);
      continue;
    }
    const moviePath = absPath(rootAbs, movie.rel_path);
    const unchanged = info?.source === 'reference' && info.status === 'ready' && info.path === moviePath
      && info.format === pair.movie.format && info.size === movie.size && info.checksum === checksum.value;
    if (!unchanged) {
      manager.createReferenceSidecar({
        contentUuid, kind: KIND, variant: VARIANT, format: pair.movie.format,
        sourceEntryId: movie.entry_id, size: movie.size, checksum: checksum.value,
      });
    }
    livePhotos++;
  }
  return { livePhotos };
}

/**
 * A record this location must not overwrite: a movie vss already owns (converted, fetched), or a
 * reference to a movie that exists in another location (that location's scan looks after it;
 * re-pointing it here would flap between the two on every scan).
 */
function keepAsIs(info: SidecarInfo, entryByPath: Map<string, number>): boolean {
  if (info.status !== 'ready') return false;
  if (info.source !== 'reference') return true;
  return info.path !== null && !entryByPath.has(info.path);
}

function captureTime(m: MediaMetadata): MediaFile['time'] {
  if (m.captured_ms === undefined) return undefined;
  return { ms: m.captured_ms, exactZone: m.captured_zone === 'explicit' };
}

/** BLAKE3 of the whole movie: its cas_id when that was hashed whole, else hashed now. */
async function wholeFileChecksum(rootAbs: string, movie: MediaRow): Promise<{ ok: true; value: string } | { ok: false; reason: string }> {
  if (movie.cas_version === CAS_WHOLE) return { ok: true, value: movie.cas_id };
  try {
    // The hasher opens with O_NOFOLLOW; the folder holding the movie is checked to lie inside the location.
    const path = new ConfinedRoot(rootAbs, 'the location').inFolder(movie.rel_path);
    const out = await hashFileForIdentity(path, { size: movie.size, mtimeMs: movie.mtime_ms, inode: movie.inode }, Number.MAX_SAFE_INTEGER);
    return out.ok ? { ok: true, value: out.casId } : out;
  } catch (err) {
    return { ok: false, reason: describeFsError(err) };
  }
}

/** Where a relative path is; rows whose path could step out were refused before. */
function absPath(rootAbs: string, relPath: string): string {
  return new ConfinedRoot(rootAbs, 'the location').path(relPath);
}
