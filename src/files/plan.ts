import { basename, dirname, join, relative, sep } from 'node:path';
import { UsageError, VssError } from '../core/errors.js';
import { isInside, PathRefusedError } from '../library/confine.js';
import type { Library } from '../library/library.js';
import type { NewFileOpItem } from '../store/file-op-items.js';
import type { FileOp, FileOpParams, OnConflict } from './file-op.js';
import { freeNameIn } from '../core/free-name.js';
import { checkedPath, placeInLibrary, placeOf, type LibraryPlace } from './places.js';
import { anchorOf, type Anchor } from './volume-reach.js';
import { TRASH_FOLDER } from './trash-bin.js';
import { folderMeta, metaJson, metaOf } from './kept-meta.js';
import { entriesIn, factsAt, realPathOf, writeAccess, type LocalFacts } from '../storage/local-tree.js';
import { identityNow } from '../content/indexed-identity.js';
import type { Party } from './destination.js';

/** Most items one operation may hold (a folder of a million files is several operations). */
export const MAX_ITEMS = 1_000_000;

/** A file operation ready to queue: its items in the order they run, its params and its bytes. */
export interface PlannedOp {
  items: NewFileOpItem[];
  params: FileOpParams;
  bytes: number;
  /** The indexed files of this device it takes away (deleted, moved, replaced): what the Guardian weighs (guardian/guard.ts). */
  leaving: LeavingFile[];
}

/** Whether IT is a file's (a symlink's, a FIFO's…): not a folder's made, emptied, deleted or moved whole. */
export function isFileItem(it: NewFileOpItem): boolean {
  return it.kind === 'file' || (it.kind === 'delete' && it.size >= 0) || (it.kind === 'rename' && !metaOf(it.meta ?? null).folder);
}

/** The files among ITEMS; a name that is not UTF-8 is left where it is: not one the operation covers. */
export function plannedFiles(items: readonly NewFileOpItem[]): number {
  return items.filter((it) => isFileItem(it) && !metaOf(it.meta ?? null).unnamed).length;
}

/**
 * A file of a location of this device that an operation takes away: deleted, replaced, or moved
 * (`to`: the location of this device it lands in; null: out of the library's sight).
 */
export interface LeavingFile {
  locationId: number;
  /** Its path in the location, '/'-separated. */
  rel: string;
  path: string;
  to?: number | null;
  /** Moved (its bytes go elsewhere, kept), not deleted or replaced (its bytes go for good). */
  moved?: true;
  /** Its content, where the plan read it already. */
  content_uuid?: string;
  /**
   * A file in the trash (REL its path there), emptied: no copy while it sits there, but its bytes
   * are its content's until it goes (the caller found it as it went), so the Guardian weighs
   * emptying it as the delete of a copy on its drive.
   */
  trashed?: true;
}

/**
 * Plan a copy or move of SRCS to DST (DESIGN §17). Sources must lie in locations of this device;
 * DST may lie outside them (it is then not indexed) but never in the library folder. DST an
 * existing folder (or INTO, the user's trailing `/`): each source goes into it under its own name;
 * DST not there: with one source, that source's new name, else a folder made for them. A move within one filesystem is one
 * rename per source; anything else is a copy item by item, as `cp -a` copies (see expandFolder).
 */
export function planTransfer(lib: Library, op: 'copy' | 'move', srcs: readonly string[], dst: string, onConflict: OnConflict, into = false, party: Party = 'local'): PlannedOp {
  if (srcs.length === 0) throw new UsageError(`nothing to ${op}: name at least one file or folder`);
  checkedPath(lib, dst, 'the destination');
  const dstPlace = placeOf(lib, dst);
  if (dstPlace) placeInLibrary(lib, dst, 'the destination');
  const dstStat = factsAt(dst);
  if (dstStat?.kind === 'symlink') throw new PathRefusedError(dst, 'the destination is a symlink: vss never follows one');
  const intoFolder = into || dstStat?.kind === 'dir' || srcs.length > 1;
  if (dstStat && dstStat.kind !== 'dir' && srcs.length > 1) throw new UsageError(`${dst} is a file: copying several sources needs a folder`);
  const dstFolder = intoFolder ? dst : dirname(dst);
  const dstAnchor = anchorOf(dstPlace ? dstPlace.root.root : dstFolder);
  writable(anchorOf(dstFolder).path, dst);

  const anchors = new Map<string, Anchor>([[dstAnchor.path, dstAnchor]]);
  /** The folders of the sources named outside every location: each read only beneath its folder. */
  const outside = new Set<string>();
  const items: NewFileOpItem[] = [];
  const leaving: LeavingFile[] = [];
  const seen = new Set<string>();
  /** The first item of each hard-linked file (by device and inode) among all that is copied. */
  const firstName = new Map<string, number>();
  for (const src of srcs) {
    const place = sourcePlace(lib, src, party, op);
    const st = factsAt(src);
    if (!st) throw new VssError('NOT_FOUND', `no file or folder ${src}`, { path: src });
    if (st.kind === 'symlink') throw new PathRefusedError(src, 'is a symlink: vss never follows one');
    if (st.kind !== 'file' && st.kind !== 'dir') throw new PathRefusedError(src, 'is neither a file nor a folder');
    if (op === 'move' && place?.rel === '') throw new PathRefusedError(src, 'is a location\'s own folder: remove the location instead of moving it away');
    if (seen.has(src)) continue;
    seen.add(src);
    if (!place) outside.add(dirname(src));
    const srcAnchor = anchorOf(place ? place.root.root : dirname(src));
    anchors.set(srcAnchor.path, srcAnchor);

    let target = intoFolder ? join(dst, basename(src)) : dst;
    if (target === src || (st.kind === 'dir' && isInside(src, target))) throw new UsageError(`cannot ${op} ${src} into itself`);
    const there = factsAt(target);
    const isDir = st.kind === 'dir';
    if (there && (there.kind === 'dir') !== isDir) {
      if (onConflict !== 'keep-both') throw new UsageError(`${target} is a ${there.kind === 'dir' ? 'folder' : 'file'} and ${src} is not: use --on-conflict keep-both`);
    }
    // A folder that meets a folder: keep-both gives it a name of its own; skip and replace merge into it, file by file.
    if (there && (onConflict === 'keep-both' && (isDir || (there.kind === 'dir') !== isDir))) target = freeNameIn(dirname(target), basename(target));

    if (op === 'move' && place) leaving.push(...movedAway(lib, place, src, isDir, placeOf(lib, target)?.locationId ?? null));
    if (op === 'move' && st.dev === anchorOf(dirname(target)).dev) {
      // A folder's bytes (for progress alone) as its last scan summed them: a 10,000-file folder is not walked for a rename.
      const size = isDir ? (place && lib.store.entries.folderBytesAt(place.locationId, place.rel)) ?? treeBytes(src) : st.size;
      items.push({ kind: 'rename', src, dst: target, size, meta: isDir ? metaJson({ folder: true }) : null });
    } else if (st.kind === 'file') {
      items.push({ kind: 'file', src, dst: target, size: st.size, meta: linkMeta(st, items.length, firstName) });
    } else {
      expandFolder(src, target, items, st, firstName);
      // A move removes the source's folders once their files are all moved (a skipped file keeps its folder).
      if (op === 'move') items.push({ kind: 'dir', src, dst: null, size: 0 });
    }
    if (items.length > MAX_ITEMS) throw new UsageError(`more than ${MAX_ITEMS} files in one operation: split it`);
  }
  if (onConflict === 'replace') leaving.push(...replacedFiles(lib, items));
  const params: FileOpParams = { op, dst, on_conflict: onConflict, outside_library: dstPlace === undefined, anchors: [...anchors.values()], ...(outside.size > 0 ? { sources_outside: [...outside] } : {}) };
  return { items, params, bytes: items.reduce((n, i) => n + i.size, 0), leaving };
}

/**
 * Where SRC, a source of a copy or move, lies: a location of this device, or (undefined) a folder
 * outside them that this machine's user named (issue 59: any file or folder the user can read is
 * a source); a browser or a peer names sources in locations only. Never the library folder.
 */
function sourcePlace(lib: Library, src: string, party: Party, op: 'copy' | 'move'): LibraryPlace | undefined {
  if (party !== 'local' || placeOf(lib, src)) return placeInLibrary(lib, src, 'a source');
  checkedPath(lib, src, 'a source');
  if (isInside(src, lib.root)) throw new PathRefusedError(src, 'holds the library folder, which vss keeps to itself: copy the folders beside it');
  // A location reached by another name (a symlinked folder on the way, a bind mount) is a
  // location's file still: named by its own path, its Guardian and its index are asked.
  const real = realPathOf(dirname(src));
  if (real !== undefined && real !== dirname(src) && placeOf(lib, join(real, basename(src)))) throw new PathRefusedError(src, `leads into a location through a symlinked folder (${real}): name it by that path`);
  if (op === 'move') {
    const held = lib.store.locations.ofDevice(lib.deviceId).find((l) => typeof l.path === 'string' && (isInside(src, l.path) || isInside(src, realPathOf(l.path) ?? l.path)));
    if (held) throw new PathRefusedError(src, `holds location ${held.name}: move its other folders, or remove the location first (vss location remove)`);
  }
  return undefined;
}

/**
 * Plan a delete of PATHS (files or folders, in locations of this device). Its files are listed in
 * `leaving`: the caller weighs them against the contents' policies (guardian/guard.ts).
 */
export function planDelete(lib: Library, paths: readonly string[]): PlannedOp {
  if (paths.length === 0) throw new UsageError('nothing to delete: name at least one file or folder');
  const items: NewFileOpItem[] = [];
  const anchors = new Map<string, Anchor>();
  const leaving: LeavingFile[] = [];
  for (const path of paths) {
    const place = placeInLibrary(lib, path, 'a path to delete');
    if (place.rel === '') throw new PathRefusedError(path, 'is a location\'s own folder: remove the location (vss location remove) instead');
    // The trash is the trash's: what is in it is restored or emptied, never deleted into it again.
    if (place.rel.split('/')[0] === TRASH_FOLDER) throw new PathRefusedError(path, 'is in the trash: vss trash restore puts it back, vss trash empty removes it for good');
    const st = factsAt(path);
    if (!st) throw new VssError('NOT_FOUND', `no file or folder ${path}`, { path });
    const anchor = anchorOf(place.root.root);
    anchors.set(anchor.path, anchor);
    writable(dirname(path), path);
    const before = items.length;
    if (st.kind === 'dir') expandDelete(path, items);
    else items.push({ kind: 'delete', src: path, dst: null, size: st.size });
    if (st.kind === 'file') leaving.push({ locationId: place.locationId, rel: place.rel, path });
    else if (st.kind === 'dir') leaving.push(...filesDeletedIn(lib, place, path, items.slice(before)));
    if (items.length > MAX_ITEMS) throw new UsageError(`more than ${MAX_ITEMS} files in one operation: split it`);
  }
  const params: FileOpParams = { op: 'delete', on_conflict: 'skip', outside_library: false, anchors: [...anchors.values()] };
  return { items, params, bytes: items.reduce((n, i) => n + Math.max(0, i.size), 0), leaving };
}

/**
 * The indexed files among ITEMS, the delete of folder PATH (at PLACE): read from the index in one
 * pass, those on disk now kept (what the listing found). A location of this device inside PATH has
 * its own rows: then each file is placed one by one.
 */
function filesDeletedIn(lib: Library, place: LibraryPlace, path: string, items: readonly NewFileOpItem[]): LeavingFile[] {
  const nested = lib.store.locations.ofDevice(lib.deviceId).some((l) => l.id !== place.locationId && typeof l.path === 'string' && isInside(path, l.path));
  if (nested) {
    return items.flatMap((it) => {
      const p = it.size < 0 ? undefined : placeOf(lib, it.src);
      return p && factsAt(it.src)?.kind === 'file' ? [{ locationId: p.locationId, rel: p.rel, path: it.src }] : [];
    });
  }
  const listed = new Set(items.filter((it) => it.size >= 0 && !metaOf(it.meta ?? null).unnamed).map((it) => it.src));
  const out: LeavingFile[] = [];
  for (const f of lib.store.entries.contentFilesBeneath(place.locationId, place.rel)) {
    const p = join(path, ...f.rel_path.slice(place.rel.length + 1).split('/'));
    if (listed.delete(p)) out.push({ locationId: place.locationId, rel: f.rel_path, path: p, content_uuid: f.content_uuid });
  }
  // What the listing found that the index has no content for (a file added since the scan): its bytes go too.
  for (const p of listed) {
    if (factsAt(p)?.kind !== 'file') continue;
    const rel = relative(place.root.root, p).split(sep).join('/');
    out.push({ locationId: place.locationId, rel, path: p });
  }
  return out;
}

/** The indexed files a move of SRC (a file, or a folder and all beneath it) takes from PLACE, landing in location TO. */
function movedAway(lib: Library, place: LibraryPlace, src: string, isDir: boolean, to: number | null): LeavingFile[] {
  // Within its own location a move gives nothing up: its bytes stay where the Guardian counted them (and a 10k-file folder's rename is not weighed file by file).
  if (to === place.locationId) return [];
  if (!isDir) return [{ locationId: place.locationId, rel: place.rel, path: src, to, moved: true }];
  return lib.store.entries.contentFilesBeneath(place.locationId, place.rel).map((f) => ({
    locationId: place.locationId, rel: f.rel_path, path: join(src, ...f.rel_path.slice(place.rel.length + 1).split('/')), to, content_uuid: f.content_uuid, moved: true as const,
  }));
}

/**
 * The indexed files of this device that ITEMS (a job's items not done yet) take away as they run:
 * a delete's files, a move's sources (landing where their destination is), and what a replace
 * gives up. What the Guardian weighs again as the job runs (ops/transfer/run/), from the items
 * as they are then, not as they were planned.
 */
export function leavingOf(lib: Library, op: FileOp, items: readonly NewFileOpItem[], onConflict: OnConflict): LeavingFile[] {
  const out: LeavingFile[] = [];
  for (const it of items) {
    // A name that is not UTF-8 names nothing vss can open: its item is skipped, its file stays.
    if (metaOf(it.meta ?? null).unnamed) continue;
    if (op === 'delete') {
      if (it.kind !== 'delete' || it.size < 0) continue;
      const p = placeOf(lib, it.src);
      if (p) out.push({ locationId: p.locationId, rel: p.rel, path: it.src });
    } else if (op === 'move' && (it.kind === 'rename' || it.kind === 'file') && it.dst !== null) {
      const p = placeOf(lib, it.src);
      if (!p) continue;
      const to = placeOf(lib, it.dst)?.locationId ?? null;
      if (it.kind === 'rename' && metaOf(it.meta ?? null).folder) out.push(...movedAway(lib, p, it.src, true, to));
      else if (to !== p.locationId) out.push({ locationId: p.locationId, rel: p.rel, path: it.src, to, moved: true });
    }
  }
  if (onConflict === 'replace' && op !== 'delete') out.push(...replacedFiles(lib, items));
  return out;
}

/**
 * The files of this device's locations that ITEMS would replace (`--on-conflict replace`): each is
 * gone once replaced, unless it holds the very content that replaces it (then nothing is lost).
 */
function replacedFiles(lib: Library, items: readonly NewFileOpItem[]): LeavingFile[] {
  const out: LeavingFile[] = [];
  const contentAt = (p: LibraryPlace | undefined) => (p ? lib.store.entries.fileAt(p.locationId, p.rel)?.content_uuid ?? undefined : undefined);
  for (const it of items) {
    if ((it.kind !== 'file' && it.kind !== 'rename') || it.dst === null || factsAt(it.dst)?.kind !== 'file') continue;
    const p = placeOf(lib, it.dst);
    if (!p) continue;
    const victim = contentAt(p);
    // The same content over itself gives up nothing, as long as both files still hold it: an edit
    // since of either (the one replaced edited in place by another program: R1) would be lost.
    if (victim !== undefined && victim === contentAt(placeOf(lib, it.src)) && stillIndexed(lib, it.src) && stillIndexed(lib, it.dst)) continue;
    out.push({ locationId: p.locationId, rel: p.rel, path: it.dst, to: null, ...(victim !== undefined ? { content_uuid: victim } : {}) });
  }
  return out;
}

/** Whether the file at ABS (in a location of this device) is still what the index recorded of it. */
function stillIndexed(lib: Library, abs: string): boolean {
  const p = placeOf(lib, abs);
  const at = p && lib.store.entries.fileAt(p.locationId, p.rel);
  const row = at && lib.store.entries.byId(at.id);
  const facts = factsAt(abs);
  return row !== undefined && facts?.kind === 'file' && identityNow(row, facts) === 'same';
}

/**
 * Items that copy folder SRC (as STAT saw it) to TARGET: each folder made (its times and mode as
 * seen before it was read, kept once its contents are in), then what it holds: files, symlinks
 * (copied as links), FIFOs, and whatever else, which the job skips by name with a reason. A file
 * with other names in the same tree is copied once, its other names linked to the copy. A name
 * that is not UTF-8 (a file or a folder) is an item the job skips, leaving it where it is (a
 * move keeps its folder): no path vss makes names it.
 */
function expandFolder(src: string, target: string, items: NewFileOpItem[], stat: LocalFacts, firstName: Map<string, number>): void {
  items.push({ kind: 'dir', src, dst: target, size: 0, meta: metaJson(folderMeta(stat)) });
  const stack: Array<[string, string]> = [[src, target]];
  while (stack.length > 0) {
    const [from, to] = stack.pop()!;
    for (const e of entriesIn(from).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const s = under(from, e.name);
      const d = under(to, e.name);
      if (e.unnamed) {
        items.push(unnamedItem(s, d, e.dir));
      } else if (e.dir) {
        // Seen before it is read: a listing changes a folder's access time.
        items.push({ kind: 'dir', src: s, dst: d, size: 0, meta: metaJson(folderMeta(factsOrGone(s))) });
        stack.push([s, d]);
      } else {
        const st = factsOrGone(s);
        items.push({ kind: 'file', src: s, dst: d, size: st.kind === 'file' ? st.size : 0, meta: linkMeta(st, items.length, firstName) });
      }
      if (items.length > MAX_ITEMS) throw new UsageError(`more than ${MAX_ITEMS} files in one operation: split it`);
    }
  }
}

/** A file with other names: the first of them met (item IDX) is copied, the others are linked to its copy. */
function linkMeta(st: LocalFacts, idx: number, firstName: Map<string, number>): string | null {
  if (st.kind !== 'file' || st.nlink < 2) return null;
  const key = `${st.dev}:${st.inode}`;
  const first = firstName.get(key);
  if (first === undefined) {
    firstName.set(key, idx);
    return null;
  }
  return metaJson({ link: first });
}

/**
 * Items that delete folder PATH: its files and links first, then its folders, deepest first (size
 * -1: a folder). A name that is not UTF-8 is an item the job skips, leaving it (and so its folder).
 */
function expandDelete(path: string, items: NewFileOpItem[]): void {
  const folders: string[] = [path];
  for (let i = 0; i < folders.length; i++) {
    for (const e of entriesIn(folders[i]!)) {
      const p = join(folders[i]!, e.name);
      if (e.unnamed) items.push(unnamedItem(p, null, e.dir));
      else if (e.dir) folders.push(p);
      else items.push({ kind: 'delete', src: p, dst: null, size: e.file ? sizeOf(p) : 0 });
      if (items.length > MAX_ITEMS) throw new UsageError(`more than ${MAX_ITEMS} files in one operation: split it`);
    }
  }
  for (const f of folders.reverse()) items.push({ kind: 'delete', src: f, dst: null, size: -1 });
}

function treeBytes(dir: string): number {
  let n = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const d = stack.pop()!;
    for (const e of entriesIn(d)) {
      const p = join(d, e.name);
      if (e.unnamed) continue; // moved with its folder; its size is not looked up by a name that is not its own
      if (e.dir) stack.push(p);
      else if (e.file) n += sizeOf(p);
    }
  }
  return n;
}

/**
 * The item of a name that is not UTF-8, SHOWN as local-tree's shownName shows it (a path that
 * names nothing): the job skips it with its reason, never looking it up by that path.
 */
function unnamedItem(shown: string, dst: string | null, dir: boolean): NewFileOpItem {
  return { kind: dst === null ? 'delete' : 'file', src: shown, dst, size: 0, meta: metaJson({ unnamed: dir ? 'dir' : 'file' }) };
}

/**
 * NAME (a name a listing gave: no separator, never `.` or `..`) in DIR (a normalized path:
 * checkedPath refuses any other, and each folder below is made here): what `join` answers,
 * without normalizing the whole path again for each of a tree's names (~10 µs a name under load:
 * a tenth of a second of a 10,000-file plan).
 */
function under(dir: string, name: string): string {
  return dir.endsWith(sep) ? dir + name : dir + sep + name;
}

function sizeOf(p: string): number {
  return factsAt(p)?.size ?? 0;
}

/** What is at P, a name just listed: gone since, it is an error as a failed lstat was. */
function factsOrGone(p: string): LocalFacts {
  const st = factsAt(p);
  if (!st) throw new VssError('NOT_FOUND', `${p} is gone (moved or deleted while it was listed)`, { path: p });
  return st;
}

/** Refuse at once a destination whose drive is mounted read-only (or that this user may not write). */
function writable(folder: string, named: string): void {
  const access = writeAccess(folder);
  if (access === 'read-only') throw new VssError('IO', `${named}: the drive holding ${folder} is read-only`, { path: folder });
  if (access === 'denied') throw new VssError('IO', `${named}: ${folder} may not be written by this user`, { path: folder });
}
