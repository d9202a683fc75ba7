import { randomUUID } from 'node:crypto';
import { lstatSync, type Stats } from 'node:fs';
import { entriesIn } from '../storage/local-tree.js';
import { basename, join, resolve } from 'node:path';
import { contentByRef } from './content-ref.js';
import { identifyFileSoon } from '../content/identify-file.js';
import { UsageError, VssError } from '../core/errors.js';
import { checkedPath } from '../files/places.js';
import type { Library } from '../library/library.js';
import type { ObjectKind } from '../store/objects.js';
import { SharedData, type UnstampedOp } from '../tags/shared-data.js';

/*
 * One file system (issue 59): user data — tags, ratings, notes — on any folder or file this
 * machine's user can read, not only on the contents of the library's locations. A file's user data
 * is its content's, on every copy (DESIGN §16): a file outside every location is hashed when it is
 * first given some, and an object says where it is. A folder has no content: its object carries
 * its user data under the object's own uuid. Objects are shared data, so paired devices see them.
 */

/** Files of a folder a recursive tag takes at most (a whole drive's worth is several calls). */
export const MAX_RECURSIVE_FILES = 10_000;

/** What user data is kept under for one thing named: a content, or an object (a folder; a file outside the locations). */
export interface UserDataTarget {
  /** The uuid tags and metadata name: a content's, or a folder's object's. */
  uuid: string;
  /** Whether it is a content (a stack takes tags as one item: its members follow). */
  content: boolean;
}

/**
 * What REFS name, as the uuids user data is kept under. A content as every command names it
 * (content-ref.ts); an absolute path of a folder anywhere (its object, made when CREATE: a tag
 * or rating given; else one must exist); a file in no location, or not identified in its location
 * (hashed now: its content, with an object at its path when CREATE). RECURSIVE: a folder's files
 * too, every one beneath it (at most MAX_RECURSIVE_FILES).
 */
export async function userDataTargets(lib: Library, refs: readonly string[], opts: { create: boolean; recursive?: boolean }): Promise<UserDataTarget[]> {
  const out: UserDataTarget[] = [];
  const ops: Pending = { ops: [], looks: [] };
  for (const ref of refs) {
    const st = ref.startsWith('/') ? lstatSync(ref, { throwIfNoEntry: false }) : undefined;
    if (st?.isDirectory()) {
      const abs = checkedPath(lib, resolve(ref), 'a folder');
      out.push({ uuid: objectOf(lib, abs, 'folder', st, null, opts.create, ops).uuid, content: false });
      if (opts.recursive) for (const file of filesBeneath(abs)) out.push(await fileTarget(lib, file.path, file.st, opts.create, ops));
      continue;
    }
    if (st?.isFile()) {
      out.push(await fileTarget(lib, checkedPath(lib, ref, 'a file'), st, opts.create, ops));
      continue;
    }
    if (opts.recursive && st === undefined && ref.startsWith('/')) throw new VssError('NOT_FOUND', `no folder ${ref}`, { path: ref });
    out.push({ uuid: contentByRef(lib, ref).uuid, content: true });
  }
  if (ops.ops.length > 0) new SharedData(lib).commit(ops.ops);
  // What is at each object's path now, written once its row exists.
  for (const l of ops.looks) lib.store.objects.looked(l.uuid, l.inode, l.dev, l.born);
  return out;
}

/** The operations a call makes, and this device's looks at its objects (written after them). */
interface Pending {
  ops: UnstampedOp[];
  looks: Array<{ uuid: string; inode: number; dev: number; born: number }>;
}

/** A file (PATH, as ST saw it): its content when its location identified it, else hashed now, with an object at its path. */
async function fileTarget(lib: Library, path: string, st: Stats, create: boolean, ops: Pending): Promise<UserDataTarget> {
  let unknown: VssError;
  try {
    return { uuid: contentByRef(lib, path).uuid, content: true };
  } catch (err) {
    if (!(err instanceof VssError) || err.code !== 'NOT_FOUND') throw err;
    unknown = err;
  }
  const known = lib.store.objects.at(lib.device.uuid, path);
  if (!create && known?.content_uuid) return { uuid: known.content_uuid, content: true };
  // A look at a file that carries nothing: why the library does not know it, in the words every command gives.
  if (!create) throw unknown;
  const id = await identifyFileSoon({ id: 0, abs: path, name: basename(path), size: st.size, mtimeMs: st.mtimeMs, inode: st.ino }, lib.config.settings.hashThresholdBytes);
  if (!id.ok) throw new VssError('IO', `${path} cannot be read: ${id.reason}`, { path });
  objectOf(lib, path, 'file', st, id.contentUuid, true, ops);
  return { uuid: id.contentUuid, content: true };
}

/**
 * The object of this device at ABS (KIND, as ST saw it): the one recorded there; else one of this
 * device recorded with the same inode whose path holds it no more (renamed or moved within its
 * drive: followed, its path said again); else, when CREATE, a new one. CONTENT: a file's.
 */
function objectOf(lib: Library, abs: string, kind: ObjectKind, st: Stats, content: string | null, create: boolean, pending: Pending): { uuid: string } {
  const device = lib.device.uuid;
  const here = lib.store.objects.at(device, abs);
  const look = (uuid: string) => pending.looks.push({ uuid, inode: st.ino, dev: st.dev, born: st.birthtimeMs });
  if (here && here.kind === kind) {
    if (create && content !== null && here.content_uuid !== content) pending.ops.push({ record: 'object', id: here.uuid, set: { content } });
    look(here.uuid);
    return here;
  }
  // Renamed or moved on its drive: the same inode, born at the same time (an inode the filesystem
  // gave again to a new folder is another folder), no longer at the path recorded.
  const moved = st.birthtimeMs > 0 ? lib.store.objects.byInode(device, st.ino, st.dev).find((o) => o.kind === kind && o.born === st.birthtimeMs && lstatSync(o.path, { throwIfNoEntry: false })?.ino !== st.ino) : undefined;
  if (moved) {
    // A look alone (meta show, tag remove) says where it is, and changes nothing shared.
    if (!create) return moved;
    pending.ops.push({ record: 'object', id: moved.uuid, set: { path: abs, ...(content !== null && moved.content_uuid !== content ? { content } : {}) } });
    if (kind === 'folder') followBeneath(lib, moved.path, abs, pending);
    return moved;
  }
  if (!create) throw new VssError('NOT_FOUND', `${abs} carries nothing (no tag or metadata was given to it)`, { path: abs });
  const uuid = randomUUID();
  pending.ops.push({ record: 'object', id: uuid, set: { device, kind, path: abs, content } });
  look(uuid);
  return { uuid };
}

/**
 * The objects that lay beneath folder FROM, moved with it to TO: each whose new path holds what
 * its old one did (its inode) takes that path.
 */
function followBeneath(lib: Library, from: string, to: string, pending: Pending): void {
  for (const o of lib.store.objects.beneath(lib.device.uuid, from)) {
    const now = to + o.path.slice(from.length);
    const st = lstatSync(now, { throwIfNoEntry: false });
    if (st && st.ino === o.inode && st.dev === o.dev && st.birthtimeMs === o.born) pending.ops.push({ record: 'object', id: o.uuid, set: { path: now } });
  }
}

/** The regular files beneath DIR (never through a symlink), sorted; refused past MAX_RECURSIVE_FILES. */
function filesBeneath(dir: string): Array<{ path: string; st: Stats }> {
  const out: Array<{ path: string; st: Stats }> = [];
  const walk = (d: string) => {
    // Listed as every walk of vss lists (a name that is not UTF-8 names nothing vss can open: passed by).
    for (const e of entriesIn(d).filter((x) => !x.unnamed).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name);
      const st = lstatSync(p, { throwIfNoEntry: false });
      if (st?.isDirectory()) walk(p);
      else if (st?.isFile()) out.push({ path: p, st });
      if (out.length > MAX_RECURSIVE_FILES) throw new UsageError(`${dir} holds more than ${MAX_RECURSIVE_FILES} files: tag its folders one at a time`);
    }
  };
  walk(dir);
  return out;
}
