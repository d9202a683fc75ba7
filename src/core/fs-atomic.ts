import { closeSync, constants, existsSync, fchmodSync, fchownSync, fstatSync, fsync, fsyncSync, ftruncateSync, linkSync, open as openCb, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { promisify } from 'node:util';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { crashPoint } from './crash-point.js';
import { VssError } from './errors.js';
import { keptMode } from './kept-mode.js';

/**
 * The one door for a durable write: bytes (or a file already written) reach their final name
 * through a temporary name beside it, fsync, rename, fsync of the folder — so readers see the old
 * file or the new one, never a part, and a power cut after the call loses neither. Single files
 * (sync or async), and batches that fsync each folder once.
 */

/** Prefix of every temporary file vss writes, so leftovers can be recognised and removed. */
export const TEMP_PREFIX = '.vss-tmp-';

/** The crash point between a durable temp file and its rename (a test kills the process there). */
const BEFORE_RENAME = 'atomic:before-rename';

export function tempPathFor(finalPath: string): string {
  return join(dirname(finalPath), `${TEMP_PREFIX}${basename(finalPath)}.${randomBytes(6).toString('hex')}`);
}

/** fsync a directory so a rename inside it survives a power cut. Not all platforms allow it. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows and some filesystems refuse to open or sync directories; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** As `fsyncDir`, on the thread pool: the event loop goes on serving meanwhile. */
export async function fsyncDirAsync(dir: string): Promise<void> {
  let fd: number | undefined;
  try {
    fd = await openAsync(dir, 'r');
    await fsyncAsync(fd);
  } catch {
    // As fsyncDir: a platform that refuses it still renames atomically.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Flush a written file's bytes to the disk (before it is renamed into place). */
export function fsyncFile(path: string): void {
  const fd = openSync(path, 'r+');
  try { fsyncSync(fd); } finally { closeSync(fd); }
}

/** As `fsyncFile`, on the thread pool (a large video's flush takes seconds). */
export async function fsyncFileAsync(path: string): Promise<void> {
  const fh = await open(path, 'r+');
  try { await fh.sync(); } finally { await fh.close(); }
}

export interface PlaceOptions {
  /** The file's bytes are already on the disk (the writer fsynced them, or a file moved as it is): skip their flush. */
  synced?: boolean;
}

/**
 * DATA written and fsynced to a new temp file beside PATH (MODE before the umask); its path.
 * BEFOREFLUSH may still change the open file (its owner, its exact mode). Nothing is left on failure.
 */
function writeSyncedTemp(path: string, data: string | Buffer, mode: number, beforeFlush?: (fd: number) => void): string {
  const tmp = tempPathFor(path);
  const fd = openSync(tmp, 'wx', mode);
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    beforeFlush?.(fd);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw err;
  }
  closeSync(fd);
  return tmp;
}

/**
 * Write a file so that readers see either the old or the new content, never a part:
 * temp file beside the target, fsync, rename, fsync the directory.
 */
export function writeFileAtomicSync(path: string, data: string | Buffer, mode = 0o644): void {
  const tmp = writeSyncedTemp(path, data, mode);
  placeSync(tmp, path, { synced: true });
}

/** As `writeFileAtomicSync`, with the write and the flushes on the thread pool. */
export async function writeFileAtomic(path: string, data: string | Buffer, mode = 0o644): Promise<void> {
  const tmp = tempPathFor(path);
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  await place(tmp, path, { synced: true });
}

/**
 * Put a finished file (a temp file beside FINAL, or a file moved from elsewhere on the same
 * filesystem) at FINAL durably: its bytes flushed (unless `synced`), renamed, and the folder it
 * went into fsynced — and the folder it left, when that is another. A failed rename leaves FROM
 * where it was (it may be the user's own file): the caller decides what becomes of it.
 */
export function placeSync(from: string, final: string, opts: PlaceOptions = {}): void {
  if (!opts.synced) fsyncFile(from);
  crashPoint(BEFORE_RENAME);
  renameSync(from, final);
  fsyncDir(dirname(final));
  if (dirname(from) !== dirname(final)) fsyncDir(dirname(from));
}

/** As `placeSync`, with the flushes on the thread pool. */
export async function place(from: string, final: string, opts: PlaceOptions = {}): Promise<void> {
  if (!opts.synced) await fsyncFileAsync(from);
  crashPoint(BEFORE_RENAME);
  await rename(from, final);
  await Promise.all([...new Set([dirname(final), dirname(from)])].map(fsyncDirAsync));
}

/** The crash point just before a file vss read is replaced (a test stops there and changes the file). */
const BEFORE_REPLACE = 'atomic:before-replace';

/** The file being replaced, as the caller read it. */
export interface ReplacedFile {
  ino: number | bigint;
  mode: number | bigint;
  uid: number | bigint;
  gid: number | bigint;
  nlink: number | bigint;
}

/**
 * Replace another program's file at PATH (a photo tool's sidecar) with DATA, so that it stays that
 * file: its owner and group, its permission bits (keptMode) and its hard links. The new bytes are
 * written and fsynced to a temp file beside it first. Then, with no await in between,
 * UNCHANGED() is asked whether the file is still as the caller read it (WAS): when it is not, nothing
 * is written and false is returned (the caller reads it again, or gives up), so another program's
 * write that landed meanwhile is never replaced by text made from the older one.
 *
 * A file with one name is replaced by a rename (readers see the old or the new text, never a part).
 * A file with several names (hard links) cannot be: a rename would leave the other names on the old
 * text. It is written in place instead, as editors do (vim's backupcopy, emacs's
 * backup-by-copying-when-linked), from the fsynced temp: a power cut in that one write may leave it
 * torn, and then the full new text is still in the temp file beside it.
 *
 * Owner: the temp is given WAS's owner and group before it takes the file's place. Only root may
 * give a file to another user; otherwise a file of another owner is refused (a VssError IO), never
 * silently made this user's.
 */
export function replaceFileKeeping(path: string, data: string | Buffer, was: ReplacedFile, unchanged: () => boolean): boolean {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const tmp = writeSyncedTemp(path, buf, 0o600, (fd) => {
    const own = fstatSync(fd);
    if (BigInt(own.uid) !== BigInt(was.uid) || BigInt(own.gid) !== BigInt(was.gid)) {
      try {
        fchownSync(fd, Number(was.uid), Number(was.gid));
      } catch (err) {
        throw new VssError('IO', `${basename(path)} belongs to user ${was.uid} (group ${was.gid}), and vss cannot give its new text to them without running as root; not rewritten`, { path, cause: err });
      }
    }
    // After the chown, which clears setuid/setgid bits; and exactly, not through the umask.
    fchmodSync(fd, keptMode(Number(was.mode)));
  });
  try {
    crashPoint(BEFORE_REPLACE);
    if (!unchanged()) {
      unlinkSync(tmp);
      return false;
    }
    if (Number(was.nlink) > 1) {
      writeInPlace(path, buf, was);
      unlinkSync(tmp);
      return true;
    }
    renameSync(tmp, path);
  } catch (err) {
    try { unlinkSync(tmp); } catch { /* placed, or already gone */ }
    throw err;
  }
  fsyncDir(dirname(path));
  return true;
}

/** BUF over the file at PATH, in place (its inode, so every hard link sees it), flushed. */
function writeInPlace(path: string, buf: Buffer, was: ReplacedFile): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_NOFOLLOW);
  try {
    if (BigInt(fstatSync(fd).ino) !== BigInt(was.ino)) throw new VssError('IO', `${basename(path)} was replaced while vss was writing it; not rewritten`, { path });
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off, off);
    ftruncateSync(fd, buf.length);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Make a new file at PATH with DATA, never over one that appeared meanwhile (another program
 * made it first): written and fsynced to a temp, then linked to its name (which fails when the
 * name is taken), and false returned when it was. MODE before the umask, as any new file.
 */
export function createFileExclusive(path: string, data: string | Buffer, mode = 0o644): boolean {
  const tmp = writeSyncedTemp(path, data, mode);
  try {
    linkSync(tmp, path);
    unlinkSync(tmp);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // A filesystem without hard links (FAT, exFAT, some FUSE): a check then a rename, the best it allows.
    const noLinks = code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS';
    if (noLinks && !existsSync(path)) renameSync(tmp, path);
    else {
      try { unlinkSync(tmp); } catch { /* already gone */ }
      if (code === 'EEXIST' || noLinks) return false;
      throw err;
    }
  }
  fsyncDir(dirname(path));
  return true;
}

/** One file of a batch: its temp file (bytes already fsynced) and where it goes. */
export interface Placement {
  readonly temp: string;
  readonly final: string;
}

export type Placed = { ok: true } | { ok: false; error: Error };

/**
 * Put many finished temp files in place at once: each renamed (when ACCEPT, called just before
 * its rename, does not throw), then every folder they went into fsynced once, side by side on the
 * thread pool. When it returns, every placed file is durable at its final name; a file not placed
 * has its temp file removed (temp files only: never a user's file). One answer per file, in
 * order; never throws. ACCEPT and the rename run with no await between them, so a check there
 * (is this sidecar already ready?) still holds when the file lands.
 */
export async function placeMany<P extends Placement>(items: readonly P[], accept?: (item: P, index: number) => void): Promise<Placed[]> {
  const results: Placed[] = new Array(items.length);
  const folders = new Set<string>();
  if (items.length > 0) crashPoint(BEFORE_RENAME);
  for (const [i, item] of items.entries()) {
    try {
      accept?.(item, i);
      renameSync(item.temp, item.final);
    } catch (err) {
      try { unlinkSync(item.temp); } catch { /* already gone */ }
      results[i] = { ok: false, error: err instanceof Error ? err : new Error(String(err)) };
      continue;
    }
    results[i] = { ok: true };
    folders.add(dirname(item.final));
  }
  await Promise.all([...folders].map(fsyncDirAsync));
  return results;
}

const fsyncAsync = promisify(fsync);
const openAsync = promisify(openCb) as (path: string, flags: string | number, mode?: number) => Promise<number>;
