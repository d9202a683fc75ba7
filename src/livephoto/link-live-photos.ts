import { describeFsError } from '../core/errors.js';
import { ConfinedRoot } from '../library/confine.js';
import { relPathProblem } from '../core/address.js';
import { hashFileForIdentity } from '../content/hash-file.js';
import { CAS_WHOLE } from '../content/identity.js';
import type { Library } from '../library/library.js';
import { liveIdentifiers, parseMetadata, type MediaMetadata } from '../media/media-metadata.js';
import { sidecarAddress } from '../sidecars/address.js';
import { compareNearness, nearness, type Nearness } from '../sidecars/live-photo-names.js';
import type { Finder } from '../sidecars/finder.js';
import { SidecarManager, type SidecarInfo } from '../sidecars/manager.js';
import { MovieIndex } from '../store/live-photo-movies.js';
import type { EntryMedia } from '../store/entries.js';
import { pairingKeys, pairLivePhotos, type MediaFile } from './pair.js';

export interface LinkLivePhotosInput {
  lib: Library;
  locationId: number;
  onSkip: (path: string, reason: string) => void;
  /**
   * Pair only the stills in folders whose listing changed after this change number, and the
   * stills that share a key with a movie in such a folder (a still and its movie may lie in two
   * folders); absent: every still of the location.
   */
  changedSince?: number;
}

interface Movie extends MediaFile {
  row: EntryMedia;
  format: string;
}

/** Movie containers a Live Photo video comes in, by the MIME their bytes were typed as. */
const MOVIE_FORMATS: Readonly<Record<string, string>> = { 'video/quicktime': 'mov', 'video/mp4': 'mp4' };

const KIND = 'live_photo_video';
const VARIANT = 'original';
/** Movies indexed, and still contents paired, per read: memory is bounded by this, not by the location. */
const PAGE = 1000;

/**
 * Record each Live Photo movie of the location as a `ready` reference sidecar
 * (`live_photo_video/original`) of its still's content. The movie stays where it is, with its
 * own entry. Idempotent: a rescan that finds the same pairs writes nothing. A reference whose
 * movie is gone is left as it is for reconcile; this step never deletes a sidecar.
 *
 * The movies are indexed first (in a scratch file, by the keys a still can match them on); then
 * the stills are paired a page of contents at a time, each page with only the movies that share
 * a key with it — the same pairs as over the whole location at once, since a still's candidates
 * are exactly the movies that share one of its keys.
 *
 * Returns how many still contents of the location have their movie recorded, and how many movies
 * were read (hashed) this time.
 */
export async function linkLivePhotos(input: LinkLivePhotosInput): Promise<{ livePhotos: number; read: number }> {
  const { lib, locationId } = input;
  // One checked root for the whole run: its folder checks are cached, not redone per movie.
  const root = lib.roots.location(locationId);
  // Scoped to changed folders: the keys of the movies there, gathered while the movies are indexed.
  const changed = input.changedSince === undefined ? undefined : { folders: new Set(lib.store.entries.foldersChangedSince(locationId, input.changedSince)), movieKeys: new Set<string>() };
  const movies = indexMovies(lib, locationId, root, changed && ((m) => {
    if (changed.folders.has(folderOf(m.relPath))) for (const k of pairingKeys(m)) changed.movieKeys.add(k);
  }));
  try {
    if (movies.size === 0) return { livePhotos: 0, read: 0 };
    const manager = new SidecarManager(lib);
    const candidateMovies = (stills: readonly MediaFile[]): Movie[] => {
      const keys = new Set<string>();
      for (const s of stills) for (const k of pairingKeys(s)) keys.add(k);
      const ids = movies.matching(keys);
      if (ids.length === 0) return [];
      return lib.store.entries.mediaByIds(ids).map(asMovie).filter((m): m is Movie => m !== undefined);
    };
    const wanted = changed && changedStills(changed.folders, changed.movieKeys);
    let livePhotos = 0;
    let read = 0;
    for (const all of stillPages(lib, locationId)) {
      const stills = wanted ? all.filter(wanted) : all;
      if (stills.length === 0) continue;
      const recorded = new Map<string, SidecarInfo | undefined>();
      const existing = (contentUuid: string) => {
        if (!recorded.has(contentUuid)) recorded.set(contentUuid, manager.get(sidecarAddress(contentUuid, KIND, VARIANT)));
        return recorded.get(contentUuid);
      };
      const currentMovie = (contentUuid: string) => {
        const info = existing(contentUuid);
        return info?.source === 'reference' && info.path ? movies.at(info.path) : undefined;
      };
      const writes: Array<{ record: Parameters<SidecarManager['createReferenceSidecar']>[0]; near: Nearness }> = [];
      for (const [contentUuid, pair] of pairLivePhotos(stills, candidateMovies(stills), currentMovie)) {
        const info = existing(contentUuid);
        if (info && keepAsIs(info, movies)) {
          livePhotos++;
          continue;
        }
        const movie = pair.movie.row;
        const checksum = await wholeFileChecksum(root, movie);
        if (!checksum.ok) {
          input.onSkip(movie.rel_path, `live photo movie: ${checksum.reason}`);
          continue;
        }
        read++;
        const moviePath = root.path(movie.rel_path);
        const unchanged = info?.source === 'reference' && info.status === 'ready' && info.path === moviePath
          && info.format === pair.movie.format && info.size === movie.size && info.checksum === checksum.value;
        if (!unchanged) {
          writes.push({
            record: { contentUuid, kind: KIND, variant: VARIANT, format: pair.movie.format, sourceEntryId: movie.entry_id, size: movie.size, checksum: checksum.value },
            near: nearness(pair.still.relPath, pair.movie.relPath),
          });
        }
        livePhotos++;
      }
      // Stills sharing a movie (copies with other bytes): the same-named one is recorded first.
      writes.sort((x, y) => x.record.sourceEntryId - y.record.sourceEntryId || compareNearness(x.near, y.near));
      // A page's records in one commit: a commit per Live Photo cost most of a first scan.
      if (writes.length > 0) lib.store.transaction(() => { for (const w of writes) manager.createReferenceSidecar(w.record); });
    }
    return { livePhotos, read };
  } finally {
    movies.close();
  }
}

/** The indexer's finder of Live Photo movies beside their stills (`live_photo_video/original`). */
export const livePhotoFinder: Finder<typeof KIND> = { kind: KIND, find: linkLivePhotos };

/** A file as the pairing sees it, or undefined when its metadata is not read yet. */
function mediaFile(row: EntryMedia): MediaFile | undefined {
  // A hand-edited row whose path could lead outside the location is never paired, hashed or referenced.
  if (relPathProblem(row.rel_path)) return undefined;
  // Not read yet (say it timed out): pairing it on its name alone could be wrong; the next scan will know.
  const meta = parseMetadata(row.media_metadata);
  if (!meta) return undefined;
  return { entryId: row.entry_id, contentUuid: row.uuid, relPath: row.rel_path, ids: liveIdentifiers(meta), time: captureTime(meta) };
}

function asMovie(row: EntryMedia): Movie | undefined {
  const format = MOVIE_FORMATS[row.mime];
  const file = format ? mediaFile(row) : undefined;
  return file && format ? { ...file, row, format } : undefined;
}

/** Every movie of the location that could be a Live Photo's, read a page at a time by entry id (each shown to ONMOVIE). */
function indexMovies(lib: Library, locationId: number, root: ConfinedRoot, onMovie?: (movie: Movie) => void): MovieIndex {
  // A tmp/ swapped for a symlink would put the scratch file outside the library: refused.
  lib.roots.library.makeFolder(lib.layout.scratchDir);
  const index = new MovieIndex(lib.layout.scratchDir);
  try {
    for (let after = 0; ;) {
      const rows = lib.store.entries.videosPage(locationId, after, PAGE);
      const add: Array<{ entryId: number; path: string; keys: string[] }> = [];
      for (const row of rows) {
        const movie = asMovie(row);
        if (!movie) continue;
        add.push({ entryId: movie.entryId, path: root.path(movie.relPath), keys: pairingKeys(movie) });
        onMovie?.(movie);
      }
      index.add(add);
      if (rows.length < PAGE) return index;
      after = rows[rows.length - 1]!.entry_id;
    }
  } catch (err) {
    index.close();
    throw err;
  }
}

/**
 * Which stills a scan that looks only at changed folders pairs: those whose content has a copy in
 * a changed folder, and those sharing a key with a movie in one (moved there, or new). Every copy
 * of such a content is kept, as pairing weighs them together.
 */
function changedStills(folders: ReadonlySet<string>, movieKeys: ReadonlySet<string>): (still: MediaFile) => boolean {
  const contents = new Set<string>();
  return (still) => {
    if (contents.has(still.contentUuid)) return true;
    if (folders.has(folderOf(still.relPath)) || pairingKeys(still).some((k) => movieKeys.has(k))) {
      contents.add(still.contentUuid);
      return true;
    }
    return false;
  };
}

function folderOf(relPath: string): string {
  const slash = relPath.lastIndexOf('/');
  return slash < 0 ? '' : relPath.slice(0, slash);
}

/** The still entries of the location, every copy of a content in the same page, by content id. */
function* stillPages(lib: Library, locationId: number): Generator<MediaFile[]> {
  for (let after = 0; ;) {
    const ids = lib.store.contents.imagesInLocation(locationId, after, PAGE);
    if (ids.length === 0) return;
    const stills: MediaFile[] = [];
    for (const row of lib.store.entries.mediaOfContents(ids, locationId)) {
      const file = mediaFile(row);
      if (file) stills.push(file);
    }
    yield stills;
    if (ids.length < PAGE) return;
    after = ids[ids.length - 1]!;
  }
}

/**
 * A record this location must not overwrite: a movie vss already owns (converted, fetched), or a
 * reference to a movie that exists in another location (that location's scan looks after it;
 * re-pointing it here would flap between the two on every scan).
 */
function keepAsIs(info: SidecarInfo, movies: MovieIndex): boolean {
  if (info.status !== 'ready') return false;
  if (info.source !== 'reference') return true;
  return info.path !== null && movies.at(info.path) === undefined;
}

function captureTime(m: MediaMetadata): MediaFile['time'] {
  if (m.captured_ms === undefined) return undefined;
  return { ms: m.captured_ms, exactZone: m.captured_zone === 'explicit' };
}

/** BLAKE3 of the whole movie: its cas_id when that was hashed whole, else hashed now. */
async function wholeFileChecksum(root: ConfinedRoot, movie: EntryMedia): Promise<{ ok: true; value: string } | { ok: false; reason: string }> {
  if (movie.cas_version === CAS_WHOLE) return { ok: true, value: movie.cas_id };
  try {
    // The hasher opens with O_NOFOLLOW; the folder holding the movie is checked to lie inside the location.
    const path = root.inFolder(movie.rel_path);
    // A file entry without its stat (never, from a scan) cannot be checked unchanged: -1 matches no file, so it is skipped.
    const out = await hashFileForIdentity(path, { size: movie.size, mtimeMs: movie.mtime_ms ?? -1, inode: movie.inode ?? -1 }, Number.MAX_SAFE_INTEGER);
    return out.ok ? { ok: true, value: out.casId } : out;
  } catch (err) {
    return { ok: false, reason: describeFsError(err) };
  }
}

