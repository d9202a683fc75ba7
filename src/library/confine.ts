import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import { VssError, errnoCode } from '../core/errors.js';
import { relPathProblem } from '../core/address.js';

/**
 * A path from the library's database that vss will not touch: it would lead outside the library
 * folder or the locations this device's user added. A library may be copied from someone else or
 * edited by hand, so every path read from it is checked here before a file is read, hashed,
 * moved or deleted.
 */
export class PathRefusedError extends VssError {
  constructor(path: string, reason: string) {
    super('PATH_REFUSED', `refused ${JSON.stringify(path)}: ${reason}`, { path });
    this.name = 'PathRefusedError';
  }
}

/** Is ABS the folder ROOT itself or inside it? Both absolute and normalized. */
export function isInside(root: string, abs: string): boolean {
  return abs === root || abs.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** Why P is not an absolute, normalized path (no `..`, no `.`, no doubled or trailing separator), or undefined. */
export function absolutePathProblem(p: unknown): string | undefined {
  if (typeof p !== 'string' || p === '') return 'not a path';
  if (p.includes('\0')) return 'contains a NUL byte';
  if (!isAbsolute(p)) return 'not an absolute path';
  if (resolve(p) !== p) return 'not a normalized path (it has `..`, `.` or doubled separators)';
  return undefined;
}

/** Folders whose real place was checked, per root; bounded so a walk of a huge tree does not grow it without end. */
const MAX_CHECKED_FOLDERS = 4096;
/**
 * How long a folder's check is trusted: long enough that a scan or a batch of jobs checks each
 * folder about once, short enough that a long-running daemon notices a folder swapped for a
 * symlink since (the check is a realpath, a few µs).
 */
export const FOLDER_CHECK_TTL_MS = 2_000;

/**
 * Files under one trusted folder (a location of this device, or the library folder). A relative
 * path is refused by its syntax when it could step out; before a file is read, moved or deleted
 * the folder holding it is checked on disk to really lie inside the root (no symlinked folder on
 * the way: the walk never follows one, so an indexed file never has one), and where asked, the
 * file itself to be a regular file rather than a symlink.
 */
export class ConfinedRoot {
  private realRoot: string | undefined;
  /** Folder → when it was found inside the root (ms since the epoch). */
  private readonly checked = new Map<string, number>();
  private readonly ttlMs: number;

  private readonly prefix: string;
  private readonly rootMustExist: boolean;

  /**
   * ROOTMUSTEXIST: the root is never made by a write into it (a location's folder: missing, it is
   * on a drive that left, or was removed; a folder made there would land under the empty mount
   * point, issue 57 S1).
   */
  constructor(readonly root: string, private readonly what: string, opts: { checkTtlMs?: number; rootMustExist?: boolean } = {}) {
    this.prefix = root.endsWith(sep) ? root : root + sep;
    this.ttlMs = opts.checkTtlMs ?? FOLDER_CHECK_TTL_MS;
    this.rootMustExist = opts.rootMustExist === true;
  }

  /** ROOT joined with REL; refused when REL could step outside. Looks at nothing on disk. */
  path(rel: string): string {
    const problem = relPathProblem(rel);
    if (problem) throw new PathRefusedError(rel, `not a path inside ${this.what}: ${problem}`);
    // Already normalized (no empty, `.` or `..` part): a plain concatenation is the join.
    return rel === '' ? this.root : this.prefix + (sep === '/' ? rel : rel.split('/').join(sep));
  }

  /**
   * The path of REL for a read by a reader that does not follow a final symlink itself
   * (O_NOFOLLOW): its folder is checked to lie inside the root on disk.
   */
  inFolder(rel: string): string {
    const abs = this.path(rel);
    this.checkFolder(dirname(abs));
    return abs;
  }

  /** The path of REL, checked on disk: inside the root, and a regular file (not a symlink). */
  regularFile(rel: string): string {
    const abs = this.inFolder(rel);
    const st = lstatSync(abs, { throwIfNoEntry: false });
    if (st && !st.isFile()) throw new PathRefusedError(abs, st.isSymbolicLink() ? 'is a symlink: vss never follows one' : 'is not a regular file');
    return abs;
  }

  /** ABS (from the database) checked as `regularFile` checks a relative path. */
  regularFileAt(abs: string): string {
    const problem = absolutePathProblem(abs);
    if (problem) throw new PathRefusedError(abs, problem);
    if (!isInside(this.root, abs) || abs === this.root) throw new PathRefusedError(abs, `outside ${this.what}`);
    return this.regularFile(abs.slice(this.root.length + (this.root.endsWith(sep) ? 0 : 1)).split(sep).join('/'));
  }

  /** Make DIR (inside the root) and its parents, refusing when any of them is a symlink out of the root. */
  makeFolder(dir: string): void {
    if (!isInside(this.root, dir)) throw new PathRefusedError(dir, `outside ${this.what}`);
    // The nearest folder that exists is checked first: mkdir through a symlink would already write outside.
    let existing = dir;
    while (existing !== this.root && !lstatSync(existing, { throwIfNoEntry: false })) existing = dirname(existing);
    this.rootThere(existing);
    this.checkFolder(existing);
    mkdirSync(dir, { recursive: true });
    this.checkFolder(dir);
  }

  /**
   * As `makeFolder`, with the mkdir on the thread pool: a receiver making a folder per file keeps
   * the kernel's work (hundreds of µs under load) off the event loop. The checks stay the same.
   */
  async makeFolderAsync(dir: string): Promise<void> {
    if (!isInside(this.root, dir)) throw new PathRefusedError(dir, `outside ${this.what}`);
    let existing = dir;
    while (existing !== this.root && !lstatSync(existing, { throwIfNoEntry: false })) existing = dirname(existing);
    this.rootThere(existing);
    this.checkFolder(existing);
    if (existing !== dir) await mkdir(dir, { recursive: true });
    this.checkFolder(dir);
  }

  /** EXISTING, the nearest folder of one to make that is there: never the root's place when the root must exist and is not. */
  private rootThere(existing: string): void {
    if (this.rootMustExist && existing === this.root && !lstatSync(existing, { throwIfNoEntry: false })?.isDirectory()) {
      throw new PathRefusedError(this.root, `${this.what} is not there (its drive unplugged, or the folder removed): nothing is written in its place`);
    }
  }

  /**
   * DIR (inside the root by its name) really is inside it on disk. A folder that is not there yet
   * passes: nothing can be read through it. FRESH: looked at now, whatever was found within the
   * last seconds (before a batch is written into it).
   */
  checkFolder(dir: string, fresh = false): void {
    const now = Date.now();
    const at = this.checked.get(dir);
    if (!fresh && at !== undefined && now - at < this.ttlMs) return;
    let real: string;
    try {
      // The root's own real place may change too (a remounted drive): looked at again with the folders.
      if (this.realRoot === undefined || at !== undefined) this.realRoot = realpathSync(this.root);
      real = realpathSync(dir);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return;
      throw err;
    }
    if (!isInside(this.realRoot, real)) throw new PathRefusedError(dir, `leads outside ${this.what} (to ${real}) through a symlink`);
    if (this.checked.size >= MAX_CHECKED_FOLDERS) this.checked.clear();
    this.checked.set(dir, now);
  }
}

/**
 * Read a whole file that vss keeps (a sidecar another job reads), never through a symlink put at
 * its place: O_NOFOLLOW refuses a final symlink, and a FIFO or folder is refused rather than read.
 */
export function readRegularFile(path: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    if (errnoCode(err) === 'ELOOP') throw new PathRefusedError(path, 'is a symlink: vss never follows one');
    throw err;
  }
  try {
    if (!fstatSync(fd).isFile()) throw new PathRefusedError(path, 'is not a regular file');
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}
