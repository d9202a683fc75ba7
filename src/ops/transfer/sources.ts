import { basename, join } from 'node:path';
import { originalFile } from '../../content/original-file.js';
import { UsageError, VssError } from '../../core/errors.js';
import { freeName } from '../../core/free-name.js';
import { placeInLibrary } from '../../files/places.js';
import { PathRefusedError } from '../../library/confine.js';
import type { Library } from '../../library/library.js';
import { UUID_RE } from '../../sidecars/address.js';
import { DROP_MAX_ITEMS } from '../../sync/messages/table.js';
import { landingNameProblem } from '../../files/landing-names.js';
import type { NewFileOpItem } from '../../store/file-op-items.js';
import { entriesIn, factsAt, type LocalFacts } from '../../storage/local-tree.js';

/*
 * The files a transfer to another storage takes from this device's locations (a copy or move to
 * a paired device or into a bucket, a send), checked once before anything is queued.
 */

/** A send as planned: its files, and the contents named that have no file on this device now (left out). */
export interface SendPlan {
  items: PlannedItem[];
  not_here: string[];
}

/** One file of a send or a copy to a device as queued: where it is here, the name it goes under, its size then, and its time (a move resumed after its source went is offered by it). */
export interface PlannedItem {
  path: string;
  name: string;
  size: number;
  mtime_ms?: number;
}

/**
 * PATH checked as a file or folder vss may send, as `files copy` checks a source (`placeInLibrary`:
 * an absolute path inside a location added on this device, reached through no symlinked folder,
 * not in the library folder), as it is on disk now (never a symlink's target); WHAT it should be,
 * for the error when it is not there. A send reads only what vss was given (README: "reads …
 * only inside a library's folder and the folders granted to it"), never a file elsewhere.
 */
export function sendableFacts(lib: Library, path: string, what: string): LocalFacts {
  placeInLibrary(lib, path, 'a file to send');
  const st = factsAt(path);
  if (!st) throw new VssError('NOT_FOUND', `${path}: no such ${what}`, { path });
  if (st.kind === 'symlink') throw new PathRefusedError(path, 'is a symlink: vss never follows one');
  return st;
}

/**
 * SRCS checked as files of this device's locations a copy takes WHERE (`to another device`, `into
 * a bucket`): at most MAX, each a regular file (a folder is named by its files), no two of one
 * name (they would land in one folder); CHECK throws the way's own refusal of one (a name the
 * receiver refuses, a file not identified yet). Each with its time (a move resumed after its
 * source went is offered by it).
 */
export function filesToCopy(lib: Library, srcs: readonly string[], max: number, where: string, check: (it: PlannedItem) => void): PlannedItem[] {
  if (srcs.length === 0) throw new UsageError('name at least one file to copy');
  if (srcs.length > max) throw new UsageError(`at most ${max} files go ${where} at once`);
  const names = new Map<string, string>();
  return srcs.map((path) => {
    const st = sendableFacts(lib, path, 'file');
    if (st.kind === 'dir') throw new UsageError(`${path} is a folder: ${where}, name its files`);
    if (st.kind !== 'file') throw new UsageError(`${path} is not a regular file`);
    const it = { path, name: basename(path), size: st.size, mtime_ms: Math.floor(st.mtimeMs) };
    check(it);
    const other = names.get(it.name);
    if (other !== undefined) throw new UsageError(`${other} and ${path} have the same name: they would land in one folder`);
    names.set(it.name, path);
    return it;
  });
}

/** ITEMS as a job's rows, each bound for DIR/<its name> (in a device's location or a bucket; a send's: its name in the inbox). */
export function itemsInto(items: readonly PlannedItem[], dir: string): NewFileOpItem[] {
  return items.map((it) => ({ kind: 'file', src: it.path, dst: dir === '' ? it.name : `${dir}/${it.name}`, size: it.size, meta: it.mtime_ms !== undefined ? JSON.stringify({ mtime_ms: it.mtime_ms }) : null }));
}

/**
 * The files REFS name: a content uuid of the library (its copy on this device, checked unchanged
 * since indexed), a file, or a folder whose files are sent by their own names; paths absolute and
 * in a location of this device (`sendable`). The receiver gets
 * base names only, so a folder is sent only when that loses nothing: regular files, no two of the
 * same name, no symlink or special file anywhere in it; otherwise it is refused with the reason.
 * A content with no file here now (on another device, a drive away, changed since) is left out and
 * named in NOT_HERE, as a file operation leaves it (a pick across devices sends what this one
 * holds); when that leaves nothing, the send is refused with the reason.
 */
export function planSend(lib: Library, refs: readonly string[]): SendPlan {
  if (refs.length === 0) throw new UsageError('name at least one file, folder or content uuid to send');
  if (refs.length > DROP_MAX_ITEMS) throw new UsageError(`at most ${DROP_MAX_ITEMS} files or contents go in one send: send fewer at once`);
  const items: PlannedItem[] = [];
  // Picked photos are told apart by their contents, not their names: two cameras' IMG_0001.JPG
  // go as "IMG_0001.JPG" and "IMG_0001 (2).JPG", so every conflict rule at the receiver keeps both.
  const byContent = new Set<PlannedItem>();
  const notHere: Array<{ uuid: string; reason: string }> = [];
  for (const ref of refs) {
    if (items.length >= DROP_MAX_ITEMS) throw new UsageError(`at most ${DROP_MAX_ITEMS} files go in one send: send fewer at once (or an archive of them)`);
    if (UUID_RE.test(ref.toLowerCase())) {
      const f = originalFile(lib, ref.toLowerCase());
      if (f.state !== 'ready') {
        notHere.push({ uuid: ref.toLowerCase(), reason: f.reason });
        continue;
      }
      const item = { path: f.path, name: basename(f.path), size: f.size };
      items.push(item);
      byContent.add(item);
      continue;
    }
    const path = ref;
    const st = sendableFacts(lib, ref, 'file, folder or content');
    if (st.kind === 'file') items.push({ path, name: basename(path), size: st.size });
    else if (st.kind === 'dir') items.push(...folderFiles(path));
    else throw new UsageError(`${ref} is not a regular file or a folder (a symlink or special file is not sent)`);
  }
  if (items.length > DROP_MAX_ITEMS) throw new UsageError(`at most ${DROP_MAX_ITEMS} files go in one send: send fewer at once (or an archive of them)`);
  // One file named twice (by its path and by its content, or a uuid given twice) goes once.
  const seen = new Set<string>();
  const once = items.filter((it) => !seen.has(it.path) && seen.add(it.path) !== undefined);
  items.splice(0, items.length, ...once);
  if (items.length === 0 && notHere.length > 0) {
    const first = notHere[0]!;
    throw new VssError('UNAVAILABLE', notHere.length === 1
      ? `content ${first.uuid} cannot be sent from this device: ${first.reason}`
      : `none of the ${notHere.length} contents can be sent from this device (${first.uuid}: ${first.reason})`);
  }
  const names = new Map<string, string>();
  for (const it of items) if (!byContent.has(it)) names.set(it.name, it.path);
  for (const it of items) {
    const renamed = byContent.has(it) && names.get(it.name) !== it.path;
    if (renamed) it.name = freeName(it.name, (n) => names.has(n), 'this send');
    const bad = landingNameProblem(it.name);
    if (bad) throw new UsageError(`${it.path} cannot be sent under its name: ${bad}`);
    const other = names.get(it.name);
    // Two files of one name from a folder would land side by side as "x" and "x (2)": which is which is lost.
    if (!renamed && other !== undefined && other !== it.path) throw new UsageError(`${other} and ${it.path} have the same name, and the receiver gets names without folders: send them apart (or an archive)`);
    names.set(it.name, it.path);
  }
  return { items, not_here: notHere.map((n) => n.uuid) };
}

function folderFiles(dir: string): PlannedItem[] {
  const out: PlannedItem[] = [];
  const walk = (d: string) => {
    for (const ent of entriesIn(d)) {
      const p = join(d, ent.name);
      const st = ent.unnamed ? undefined : factsAt(p);
      if (st?.kind === 'dir') walk(p);
      else if (st?.kind === 'file') out.push({ path: p, name: ent.name, size: st.size });
      else throw new UsageError(`${dir} holds ${p}, which is not a regular file (a symlink or special file): send the files themselves`);
      if (out.length > DROP_MAX_ITEMS) throw new UsageError(`${dir} holds more than ${DROP_MAX_ITEMS} files: send fewer at once (or an archive of them)`);
    }
  };
  walk(dir);
  if (out.length === 0) throw new UsageError(`${dir} holds no file to send`);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}
