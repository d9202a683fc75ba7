/**
 * Which movie is the Live Photo video of which still (DESIGN §6). Pure logic over what the
 * index knows of each file; the database step that records the result is link-live-photos.ts.
 *
 * 1. By identifier, anywhere in the location: a still's Apple MediaGroupUUID/ContentIdentifier
 *    equals a movie's QuickTime ContentIdentifier (case-insensitive).
 * 2. Otherwise, by name and time, only when one side carries no identifier: same folder, same
 *    name stem (case-insensitive), capture times within CAPTURE_WINDOW_MS. If only one of the
 *    two has a capture time they do not pair; if neither has any time, folder and stem suffice.
 * 3. Never when both carry identifiers and they disagree.
 * 4. Several candidates (copies): the nearest movie wins — same folder and stem, then same
 *    folder, then the one sharing the most folders; then the closer capture time; then the path.
 *    A movie already recorded for the still keeps its place among equals, so rescans never flap.
 */

import { compareNearness, nearness, splitPath } from '../sidecars/live-photo-names.js';

export { splitPath };

export interface CaptureTime {
  /** Epoch ms; without a known zone, the wall clock read as UTC. */
  ms: number;
  /** False when the zone was inferred or unknown: the instant may be off by a time-zone offset. */
  exactZone: boolean;
}

export interface MediaFile {
  entryId: number;
  contentUuid: string;
  /** Path relative to the location, '/'-separated. */
  relPath: string;
  /** Live Photo identifiers, already normalised (identifierKey). */
  ids: readonly string[];
  time?: CaptureTime | undefined;
}

export type PairedBy = 'identifier' | 'name-and-time';

export interface LivePhotoPair<S extends MediaFile = MediaFile, M extends MediaFile = MediaFile> {
  /** The still entry that made the match (any copy of the still's content). */
  still: S;
  movie: M;
  by: PairedBy;
}

/** "Within a few seconds" (DESIGN §6): an iPhone starts the movie ~1.5 s before the shutter. */
export const CAPTURE_WINDOW_MS = 3000;
/** Time-zone offsets are whole quarter hours, at most 14 h. */
const ZONE_STEP_MS = 15 * 60 * 1000;
const MAX_ZONE_SHIFT_MS = 14 * 60 * 60 * 1000;

/**
 * Pair stills with movies. Returns at most one movie per still content (the sidecar's key).
 * `currentMovie(contentUuid)` names the movie entry already recorded for a still content, if any.
 */
export function pairLivePhotos<S extends MediaFile, M extends MediaFile>(
  stills: readonly S[],
  movies: readonly M[],
  currentMovie: (contentUuid: string) => number | undefined = () => undefined,
): Map<string, LivePhotoPair<S, M>> {
  const byId = new Map<string, M[]>();
  const byFolderStem = new Map<string, M[]>();
  for (const m of movies) {
    for (const id of m.ids) push(byId, id, m);
    push(byFolderStem, folderStemKey(m.relPath), m);
  }

  // Every candidate of every copy of a still content, ranked; the best is chosen per content.
  const candidates = new Map<string, Candidate<S, M>[]>();
  for (const s of stills) {
    const found = candidatesFor(s, byId, byFolderStem);
    if (found.length === 0) continue;
    const list = candidates.get(s.contentUuid) ?? [];
    list.push(...found);
    candidates.set(s.contentUuid, list);
  }

  const out = new Map<string, LivePhotoPair<S, M>>();
  for (const [contentUuid, list] of candidates) {
    list.sort(compareCandidates);
    const best = list[0]!;
    const current = currentMovie(contentUuid);
    // Among candidates as near as the best, the one already recorded stays: no flapping between copies.
    const kept = current === undefined ? undefined : list.find((c) => c.movie.entryId === current && c.rank === best.rank && c.sharedDepth === best.sharedDepth);
    const chosen = kept ?? best;
    out.set(contentUuid, { still: chosen.still, movie: chosen.movie, by: chosen.by });
  }
  return out;
}

interface Candidate<S extends MediaFile, M extends MediaFile> {
  still: S;
  movie: M;
  by: PairedBy;
  /** 0 same folder and stem, 1 same folder, 2 elsewhere. */
  rank: number;
  /** For rank 2: folders shared with the still's folder (more is nearer). */
  sharedDepth: number;
  /** |Δ capture time|, Infinity when unknown. */
  timeGap: number;
}

function candidatesFor<S extends MediaFile, M extends MediaFile>(s: S, byId: Map<string, M[]>, byFolderStem: Map<string, M[]>): Candidate<S, M>[] {
  const identified = new Set<M>();
  for (const id of s.ids) for (const m of byId.get(id) ?? []) identified.add(m);
  if (identified.size > 0) return [...identified].map((m) => candidate(s, m, 'identifier'));
  const out: Candidate<S, M>[] = [];
  for (const m of byFolderStem.get(folderStemKey(s.relPath)) ?? []) {
    // Both identified and no common id: they disagree, so they are different shots.
    if (s.ids.length > 0 && m.ids.length > 0) continue;
    if (!timesAgree(s.time, m.time)) continue;
    out.push(candidate(s, m, 'name-and-time'));
  }
  return out;
}

function candidate<S extends MediaFile, M extends MediaFile>(s: S, m: M, by: PairedBy): Candidate<S, M> {
  const timeGap = s.time && m.time ? Math.abs(s.time.ms - m.time.ms) : Infinity;
  return { still: s, movie: m, by, ...nearness(s.relPath, m.relPath), timeGap };
}

function compareCandidates<S extends MediaFile, M extends MediaFile>(x: Candidate<S, M>, y: Candidate<S, M>): number {
  return compareNearness(x, y)
    || (x.timeGap === y.timeGap ? 0 : x.timeGap < y.timeGap ? -1 : 1)
    || (x.movie.relPath < y.movie.relPath ? -1 : x.movie.relPath > y.movie.relPath ? 1 : 0)
    || x.movie.entryId - y.movie.entryId;
}

/**
 * Whether two capture times are the same moment. Both missing: nothing contradicts the names.
 * One missing: not enough to tie two files together. A zone that was not written in the file
 * may be wrong by a whole time-zone offset (a still's local time against a movie's UTC), so
 * then a gap of whole quarter hours (up to 14 h) within the window also agrees.
 */
export function timesAgree(a: CaptureTime | undefined, b: CaptureTime | undefined): boolean {
  if (!a && !b) return true;
  if (!a || !b) return false;
  const gap = Math.abs(a.ms - b.ms);
  if (gap <= CAPTURE_WINDOW_MS) return true;
  if (a.exactZone && b.exactZone) return false;
  if (gap > MAX_ZONE_SHIFT_MS + CAPTURE_WINDOW_MS) return false;
  const off = gap % ZONE_STEP_MS;
  return off <= CAPTURE_WINDOW_MS || ZONE_STEP_MS - off <= CAPTURE_WINDOW_MS;
}

/**
 * The keys a still and a movie must share for the movie to be a candidate of the still: each
 * identifier, and folder + name stem. Pairing in parts (link-live-photos.ts) gives each part of
 * the stills only the movies that share a key with it, and gets the same pairs as all at once.
 */
export function pairingKeys(f: MediaFile): string[] {
  return [...f.ids.map((id) => `id\0${id}`), `name\0${folderStemKey(f.relPath)}`];
}

function folderStemKey(relPath: string): string {
  const { folder, stem } = splitPath(relPath);
  return `${folder}\0${stem}`;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
