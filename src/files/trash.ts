/**
 * What is in the trash (files/trash-bin.ts puts it there), and putting it back: each file renamed
 * to the path it had (a free name beside it when that is taken now), its times as they were (a
 * rename keeps them), linked again to its content without reading it when it is as it went.
 */
import { randomUUID } from 'node:crypto';
import { basename, dirname, join, sep } from 'node:path';
import { UsageError } from '../core/errors.js';
import { freeNameIn } from '../core/free-name.js';
import { factsAt } from '../storage/local-tree.js';
import { filesInTrash, flushFolders, moveWithinDrive, removeEmptyTree, removeTrashed } from '../storage/local-trash.js';
import { CAS_WHOLE } from '../content/identity.js';
import type { KnownBytes } from '../indexer/identification.js';
import type { Library } from '../library/library.js';
import { scanLocation } from '../locations/locations.js';
import type { NewTrashRecord, TrashPlaced } from '../store/trash.js';
import type { TrashItem, TrashRestoreResult } from '../wire/trash.js';
import { placeOf } from './places.js';
import { UUID_RE } from '../sidecars/address.js';
import { byShortId, mayBeShortId } from '../core/short-id.js';
import type { ConfinedRoot } from '../library/confine.js';
import { locationOnline } from '../volumes/location-online.js';
import { DAY_MS, TRASH_DAYS, TRASH_FOLDER } from './trash-bin.js';

/** Most rows a listing returns (newest first). */
export const MAX_TRASH_LISTED = 100_000;
/** Most files one restore or empty takes. */
export const MAX_TRASH_AT_ONCE = 100_000;

export function trashItem(r: TrashPlaced): TrashItem {
  return {
    trash_id: r.trash_id, path: join(r.location_path, ...r.rel_path.split('/')), content_uuid: r.content_uuid, size: r.size, deleted_at: r.deleted_at,
    location: r.location_name, in_trash_at: join(r.location_path, ...r.trash_rel.split('/')), expires_at: r.deleted_at + TRASH_DAYS * DAY_MS,
  };
}

/** What the trash holds, newest first; rows whose file is gone from it are dropped first (settleTrash). */
export function listTrash(lib: Library, limit = MAX_TRASH_LISTED): TrashItem[] {
  settleTrash(lib);
  return lib.store.trash.list(Math.min(limit, MAX_TRASH_LISTED)).map(trashItem);
}

/**
 * The rows REFS name: a trash id, or a path a file had (absolute, in a location of this device;
 * the newest deletion of it), or a folder it was in (everything deleted from under it).
 */
export function trashRowsOf(lib: Library, refs: readonly string[]): { rows: TrashPlaced[]; unknown: string[] } {
  const { trash } = lib.store;
  const rows = new Map<number, TrashPlaced>();
  const unknown: string[] = [];
  for (const ref of refs) {
    // A trash id, whole or its start as `trash list` shows it (a path is no id: the CLI sends those absolute).
    const whole = UUID_RE.test(ref.toLowerCase());
    if (whole || mayBeShortId(ref)) {
      const id = whole ? ref.toLowerCase() : byShortId(ref, trash.idsStarting(ref.trim().toLowerCase()), 'trashed file');
      const found = id !== undefined ? trash.byTrashIds([id]) : [];
      if (found.length === 0) unknown.push(ref);
      for (const r of found) rows.set(r.id, r);
      continue;
    }
    const place = placeOf(lib, ref);
    if (!place) {
      unknown.push(ref);
      continue;
    }
    const exact = place.rel === '' ? [] : trash.atPlace(place.locationId, place.rel);
    const found = exact.length > 0 ? [exact[0]!] : trash.under(place.locationId, place.rel);
    if (found.length === 0) unknown.push(ref);
    for (const r of found) rows.set(r.id, r);
  }
  return { rows: [...rows.values()], unknown };
}

/**
 * Put the files REFS name back where they were. A file whose path is taken now is put beside it
 * under a free name (`IMG_1 (2).jpg`), never over it; one gone from the trash, or whose location
 * is away, is named with why. The folders they went back into are indexed at once.
 */
export async function restoreFromTrash(lib: Library, refs: readonly string[]): Promise<TrashRestoreResult> {
  if (refs.length === 0) throw new UsageError('name what to restore: a trash id (vss trash list) or the path a file had');
  settleTrash(lib);
  const { rows, unknown } = trashRowsOf(lib, refs);
  if (rows.length > MAX_TRASH_AT_ONCE) throw new UsageError(`${rows.length} files named: at most ${MAX_TRASH_AT_ONCE} a restore`);
  const out: TrashRestoreResult = { restored: [], not_restored: unknown.map((ref) => ({ ref, reason: 'nothing in the trash by that id or path' })) };
  const done: number[] = [];
  const flush = new Set<string>();
  const rescan = new Map<number, Set<string>>();
  const known = new Map<string, KnownBytes>();
  const emptied = new Set<string>();
  const here = onlineRoots(lib);
  const restoreOne = (r: TrashPlaced): void => {
    const root = here(r.location_id);
    if (root instanceof Error) {
      out.not_restored.push({ ref: r.trash_id, reason: `its location ${r.location_name} is not here now (${root.message})` });
      return;
    }
    const from = root.inFolder(r.trash_rel);
    const st = factsAt(from);
    if (!st) {
      done.push(r.id);
      out.not_restored.push({ ref: r.trash_id, reason: `gone from the trash (${from} is not there)` });
      return;
    }
    // Its folder is made (confined) by the move itself.
    let to = root.path(r.rel_path);
    if (factsAt(to)) to = freeNameIn(dirname(to), basename(to));
    const rel = to.slice(root.root.length + 1).split(sep).join('/');
    root.inFolder(rel);
    const moved = moveWithinDrive(root, from, to);
    if (moved !== 'moved') {
      if (moved === 'gone') done.push(r.id);
      out.not_restored.push({ ref: r.trash_id, reason: moved === 'gone' ? `gone from the trash (${from} is not there)` : `${to} is on another drive than the trash: it is left in the trash (${from})` });
      return;
    }
    done.push(r.id);
    flush.add(dirname(from));
    flush.add(dirname(to));
    emptied.add(join(root.root, TRASH_FOLDER, r.trash_rel.split('/')[1]!));
    let dirs = rescan.get(r.location_id);
    if (!dirs) rescan.set(r.location_id, (dirs = new Set()));
    dirs.add(rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '');
    // As it went: its bytes are its content's, which its whole BLAKE3 named (a sampled id is cheap to take again).
    if (r.cas_version === CAS_WHOLE && r.cas_id && r.mtime_ms !== null && r.inode !== null && st.size === r.size && st.mtimeMs === r.mtime_ms && st.inode === r.inode) {
      known.set(to, { blake3: r.cas_id, size: r.size, mtimeMs: r.mtime_ms, inode: r.inode });
    }
    out.restored.push({ trash_id: r.trash_id, path: to, ...(to !== join(r.location_path, ...r.rel_path.split('/')) ? { renamed: true } : {}) });
  };
  for (const r of rows) {
    try {
      restoreOne(r);
    } catch (err) {
      // One file that cannot go back (its folder's name taken by a file, a link out of the location) is named; the rest go on.
      out.not_restored.push({ ref: r.trash_id, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  lib.store.trash.removeMany(done);
  await flushFolders(flush);
  for (const b of emptied) removeEmptyTree(b, true);
  for (const [loc, dirs] of rescan) {
    await scanLocation(lib, loc, undefined, { only: [...dirs].map((rel) => ({ rel, subtree: false })), removeOrphans: false, known });
  }
  return out;
}

/**
 * Remove ROWS' files from the trash for good (the caller weighed them: ops/trash-empty.ts) and
 * their rows; the contents nothing holds any more are released by the caller. Returns what went.
 */
export async function removeFromTrash(lib: Library, rows: readonly TrashPlaced[]): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  const done: number[] = [];
  const batches = new Set<string>();
  const flush = new Set<string>();
  const here = onlineRoots(lib);
  for (const r of rows) {
    const root = here(r.location_id);
    if (root instanceof Error) continue;
    const at = root.inFolder(r.trash_rel);
    if (removeTrashed(at)) {
      files++;
      bytes += r.size;
      flush.add(dirname(at));
    }
    done.push(r.id);
    batches.add(join(root.root, TRASH_FOLDER, r.trash_rel.split('/')[1]!));
  }
  lib.store.trash.removeMany(done);
  await flushFolders(flush);
  for (const b of batches) removeEmptyTree(b, true);
  return { files, bytes };
}

/**
 * The trash's rows made true again after a kill or a hand in the folder: a row whose file is not
 * in the trash is dropped (its delete was killed before the file moved, so it is still at its
 * path; or someone removed it from the trash). Rows of a location that is away are left.
 */
export function settleTrash(lib: Library): number {
  const gone: number[] = [];
  const here = onlineRoots(lib);
  const rows = lib.store.trash.list(MAX_TRASH_LISTED);
  for (const r of rows) {
    const root = here(r.location_id);
    if (root instanceof Error) continue;
    if (!factsAt(root.path(r.trash_rel))) gone.push(r.id);
  }
  if (gone.length > 0) lib.store.trash.removeMany(gone);
  return gone.length + findAgain(lib, here, rows);
}

/**
 * Files in a location's trash folder with no row (their rows went with a removed location, or a
 * database restored from a snapshot made before the delete): recorded again, so they can be
 * restored, and emptied only by --force (their bytes are not known to the index now).
 */
function findAgain(lib: Library, here: (id: number) => ConfinedRoot | Error, rows: readonly TrashPlaced[]): number {
  const known = new Set(rows.map((r) => `${r.location_id}\0${r.trash_rel}`));
  const found: NewTrashRecord[] = [];
  for (const loc of lib.store.locations.ofDevice(lib.deviceId)) {
    const root = here(loc.id);
    if (root instanceof Error) continue;
    for (const f of filesInTrash(root.path(TRASH_FOLDER), MAX_TRASH_LISTED)) {
      const trashRel = `${TRASH_FOLDER}/${f.rel}`;
      const slash = f.rel.indexOf('/');
      if (slash < 0 || known.has(`${loc.id}\0${trashRel}`)) continue;
      // The batch's folder says when (`2026-11-26T11-22-41-904Z-job2`); else the file's own time.
      const when = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z/.exec(f.rel.slice(0, slash));
      const at = when ? Date.parse(`${when[1]}T${when[2]}:${when[3]}:${when[4]}.${when[5]}Z`) : f.mtimeMs;
      found.push({
        trash_id: randomUUID(), location_id: loc.id, rel_path: f.rel.slice(slash + 1), trash_rel: trashRel,
        content_uuid: null, cas_id: null, cas_version: null, size: f.size, mtime_ms: f.mtimeMs, inode: f.inode, deleted_at: Number.isFinite(at) ? at : f.mtimeMs,
      });
    }
  }
  if (found.length > 0) lib.store.trash.addMany(found);
  return found.length;
}

/**
 * A location's root while it is online now, else why not (its drive away: its trash is kept as
 * it is, never taken for emptied), looked up once a location a call.
 */
function onlineRoots(lib: Library): (id: number) => ConfinedRoot | Error {
  const seen = new Map<number, ConfinedRoot | Error>();
  return (id) => {
    let r = seen.get(id);
    if (r === undefined) {
      const place = locationOnline(lib, id);
      r = !place ? new Error('not a location of this device') : !place.online ? new Error(place.reason) : lib.roots.tryLocation(id);
      seen.set(id, r);
    }
    return r;
  };
}
