import { randomBytes } from 'node:crypto';
import { constants, fstatSync, linkSync, lstatSync, realpathSync, renameSync, rmdirSync, unlinkSync, type Stats } from 'node:fs';
import { lstat, open, readdir, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errnoCode, VssError } from '../core/errors.js';
import { freeNameIn } from '../core/free-name.js';
import { fsyncDirAsync } from '../core/fs-atomic.js';
import { Landing, partialIn, type LandingOptions } from '../core/landing.js';
import { PathRefusedError, type ConfinedRoot } from '../library/confine.js';
import { DirWatches } from './dir-watches.js';
import { LocationWalker } from './local-walk.js';
import type { DirListing, WalkedListing, FolderWatches, ListOptions, LocalAccess, LocationStorage, NodeFacts, NodeKind, RangeReader, StorageCaps, WalkOptions } from './port.js';
import { hybridWalk } from './threaded-walk.js';
import { openInside } from './confined-open.js';

// O_NOFOLLOW: a path that became a symlink is refused, not followed out of the location.
// O_NONBLOCK: a path that became a FIFO cannot hang a reader on open.
export const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** The kind of what ST describes (never followed). */
export function kindOf(st: Stats): NodeKind {
  return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'other';
}

export function factsOf(st: Stats): NodeFacts {
  return { kind: kindOf(st), size: st.size, inode: st.ino, dev: st.dev, mode: st.mode, nlink: st.nlink, atimeMs: st.atimeMs, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
}

/** What a folder on a disk here can do: everything the port offers. */
export const DISK_CAPS: StorageCaps = { rename: true, localPath: true, inodes: true, threadedWalk: true, writable: true, watch: 'events' };

/**
 * A location on a local disk (or anything mounted as one): the storage port over a confined
 * folder. Besides the port, what only a local disk can answer at once (a synchronous lstat and
 * listing) is offered to the hot paths that need it, as its `local` (port.ts, LocalAccess).
 */
export class LocalDisk implements LocationStorage, LocalAccess {
  readonly kind = 'disk';
  readonly caps = DISK_CAPS;

  constructor(readonly root: ConfinedRoot) {}

  get local(): LocalAccess {
    return this;
  }

  get describe(): string {
    return this.root.root;
  }

  /** Joined as named, never checked: a skipped name is shown as the walk found it. */
  shown(rel: string): string {
    return rel === '' ? this.root.root : join(this.root.root, ...rel.split('/'));
  }

  /** Nothing is held: the storage is kept with its root (storage/storages.ts). */
  close(): void {}

  /** The location's folder. */
  get rootPath(): string {
    return this.root.root;
  }

  localPath(rel: string): string {
    return this.root.path(rel);
  }

  async stat(rel: string): Promise<NodeFacts | null> {
    const abs = this.item(rel);
    try {
      return factsOf(await lstat(abs));
    } catch (err) {
      if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return null;
      throw err;
    }
  }

  /** As `stat`, at once: for a loop over a folder's files that must not yield (a scan's reconcile). */
  statNow(rel: string): Stats | undefined {
    return lstatSync(this.root.path(rel), { throwIfNoEntry: false });
  }

  /** The path of the folder REL, checked on disk to lie inside the root (the root itself passes). */
  private folder(rel: string): string {
    const abs = this.root.path(rel);
    this.root.checkFolder(abs);
    return abs;
  }

  /** The path of REL, its folder checked (the root stands for itself). */
  private item(rel: string): string {
    return rel === '' ? this.root.root : this.root.inFolder(rel);
  }

  async list(rel: string, opts: ListOptions = {}): Promise<DirListing> {
    return this.listNow(rel, opts);
  }

  /** As `list`, at once. */
  listNow(rel: string, opts: ListOptions = {}): DirListing {
    const abs = this.folder(rel);
    const walker = new LocationWalker({ rootAbs: this.root.root, ignoreRules: opts.ignoreRules ?? [], exclude: opts.exclude ?? [], start: [{ abs, rel }] });
    return walker.next()!;
  }

  /** The names in the folder REL (no facts): for a reader that looks at a few of them. */
  async names(rel: string): Promise<string[]> {
    return readdir(this.folder(rel));
  }

  /** Walked here for a small tree, with a worker thread for the rest of a large one (`threaded` false: all here). */
  walk(opts: WalkOptions): AsyncGenerator<WalkedListing[]> {
    return hybridWalk({ ...opts, rootAbs: this.root.root }, opts.threaded !== false);
  }

  /** REL opened through storage/confined-open.ts: no symlink in any part of its path, whatever was checked before. */
  async openRead(rel: string): Promise<RangeReader> {
    const { fh, facts } = await openInside(this.root.root, this.root.path(rel));
    return rangeOf(fh, facts);
  }

  async land(rel: string, key: string, opts: LandingOptions = {}): Promise<Landing> {
    const abs = this.root.path(rel);
    await this.root.makeFolderAsync(dirname(abs));
    return Landing.open(partialIn(dirname(abs), key), opts);
  }

  async rename(from: string, to: string, opts: { replace?: boolean } = {}): Promise<void> {
    const src = this.root.inFolder(from);
    const dst = this.root.inFolder(to);
    if (!opts.replace && lstatSync(dst, { throwIfNoEntry: false })) throw new VssError('ALREADY_EXISTS', `${dst} exists already`, { path: dst });
    renameSync(src, dst);
    await fsyncDirAsync(dirname(dst));
    if (dirname(src) !== dirname(dst)) await fsyncDirAsync(dirname(src));
  }

  async remove(rel: string): Promise<void> {
    this.removeNow(rel);
  }

  /** As `remove`, at once; an empty folder only (one holding anything is left, and false said). */
  removeNow(rel: string): boolean {
    if (rel === '') throw new PathRefusedError(this.root.root, 'is the root of its storage: never removed as an item');
    const abs = this.root.inFolder(rel);
    const st = lstatSync(abs, { throwIfNoEntry: false });
    if (!st) return true;
    if (st.isDirectory()) {
      try {
        rmdirSync(abs);
      } catch (err) {
        if (errnoCode(err) === 'ENOTEMPTY' || errnoCode(err) === 'EEXIST') return false;
        throw err;
      }
    } else unlinkSync(abs);
    return true;
  }

  /**
   * Remove the file at REL only while it is still the one STILL accepts (a move's source as it
   * was read: issue 57, S2). Checked, then taken aside under a `.vss-` name in its folder (never
   * indexed) and looked at again there, then removed: another program writing under its path in
   * between — just before the rename, or after it (it meets no file there) — leaves its bytes,
   * which are put back under the name (or a free one beside it, if a new file took it).
   * 'gone': nothing was there; 'changed': it was not the file STILL wants, and stays.
   */
  removeIfStill(rel: string, still: (now: Stats) => boolean): { state: 'removed' | 'gone' | 'changed'; was?: Stats } {
    if (rel === '') throw new PathRefusedError(this.root.root, 'is the root of its storage: never removed as an item');
    const abs = this.root.inFolder(rel);
    const was = lstatSync(abs, { throwIfNoEntry: false });
    if (!was) return { state: 'gone' };
    if (was.isDirectory() || !still(was)) return { state: 'changed', was };
    const aside = join(dirname(abs), `.vss-removing-${randomBytes(6).toString('hex')}`);
    renameSync(abs, aside);
    // A rename moves the ctime of what it renamed: a write since is told by its size, mtime or inode.
    const then = lstatSync(aside, { throwIfNoEntry: false });
    if (then && (then.ino !== was.ino || then.size !== was.size || then.mtimeMs !== was.mtimeMs)) {
      putBack(aside, abs);
      return { state: 'changed', was };
    }
    if (then) unlinkSync(aside);
    return { state: 'removed', was };
  }

  /** Remove the file or symlink at REL (never a folder): false when nothing was there. */
  unlinkNow(rel: string): boolean {
    try {
      unlinkSync(this.root.inFolder(rel));
      return true;
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return false;
      throw err;
    }
  }

  watch(onChange: (rel: string) => void): FolderWatches {
    return new DirWatches(this.root.root, onChange);
  }
}

/** A local file opened for ranges: a symlink, FIFO or folder at PATH is refused. */
export async function openLocalRange(path: string): Promise<RangeReader> {
  const { fh, facts } = await openRegular(path);
  return rangeOf(fh, facts);
}

/**
 * PATH opened to read, without following a symlink at its last part, and its facts: refused
 * (PathRefusedError, the descriptor closed) when it is a symlink, a FIFO or a folder.
 */
export async function openRegular(path: string): Promise<{ fh: FileHandle; facts: NodeFacts }> {
  let fh: FileHandle;
  try {
    fh = await open(path, READ_FLAGS);
  } catch (err) {
    if (errnoCode(err) === 'ELOOP') throw new PathRefusedError(path, 'is a symlink: vss never follows one');
    throw err;
  }
  try {
    // An open descriptor's inode is in memory: asked at once, not through the thread pool (a copy of
    // many small files pays this once a file).
    const facts = factsOf(fstatSync(fh.fd));
    if (facts.kind !== 'file') throw new PathRefusedError(path, 'is not a regular file');
    return { fh, facts };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/** The range reader over FH, a regular file whose FACTS were looked at as it opened. */
function rangeOf(fh: FileHandle, facts: NodeFacts): RangeReader {
  return {
    facts,
    read: async (buf, offset, length, position) => (await fh.read(buf, offset, length, position)).bytesRead,
    refresh: async () => factsOf(await fh.stat()),
    close: () => fh.close(),
  };
}

/** Where P really is, when that differs from P (a folder reached through a symlink); empty when it is not there. */
export function realPlaceOf(p: string): string[] {
  try {
    const real = realpathSync(p);
    return real === p ? [] : [real];
  } catch {
    return [];
  }
}

/** ASIDE put back at ABS, never over a file that took its name meanwhile (beside it, under a free name, then). */
function putBack(aside: string, abs: string): void {
  try {
    linkSync(aside, abs);
    unlinkSync(aside);
    return;
  } catch (err) {
    // Taken (EEXIST), or a filesystem without hard links (FAT, exFAT): the name is looked at, then taken.
    if (errnoCode(err) !== 'EEXIST' && errnoCode(err) !== 'EPERM' && errnoCode(err) !== 'ENOTSUP') throw err;
  }
  renameSync(aside, lstatSync(abs, { throwIfNoEntry: false }) ? freeNameIn(dirname(abs), basename(abs)) : abs);
}
