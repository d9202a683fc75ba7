import { closeSync, fsync, fsyncSync, open as openCb, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { promisify } from 'node:util';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { crashPoint } from './crash-point.js';

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
 * Write a file so that readers see either the old or the new content, never a part:
 * temp file beside the target, fsync, rename, fsync the directory.
 */
export function writeFileAtomicSync(path: string, data: string | Buffer, mode = 0o644): void {
  const tmp = tempPathFor(path);
  const fd = openSync(tmp, 'wx', mode);
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw err;
  }
  closeSync(fd);
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
