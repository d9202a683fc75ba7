import { closeSync, constants, existsSync, lstatSync, openSync, readdirSync, readlinkSync, realpathSync, rmdirSync, unlinkSync, type Dirent } from 'node:fs';
import { basename, dirname, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { errnoCode, VssError } from '../core/errors.js';
import { TEMP_PREFIX } from '../core/fs-atomic.js';

/**
 * A folder that was already empty when listed and changed this recently may be one a job has just
 * made for the file it is about to write (ffmpeg opens its output a moment later): it stays.
 */
export const FRESH_FOLDER_MS = 2 * 60 * 1000;

/** No write of a sidecar takes this long: an older temporary file is a leftover even of this process. */
const TEMP_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * Reconcile's filesystem side under sidecars/: listing, removing junk, pruning emptied folders.
 * lstat-based (Dirent types come from readdir without following anything): a symlink is removed
 * as the link it is, never followed. Failures are reported and the entry is left in place.
 */
export class SweepFs {
  constructor(
    private readonly counts: { orphans_removed: number; temp_removed: number },
    private readonly problem: (path: string, err: unknown) => void,
  ) {}

  /** Junk found at any level: symlinks and leftover temporary files. True/false: removed or not; undefined: not junk of this sort. */
  sweep(path: string, e: Dirent): boolean | undefined {
    if (e.isSymbolicLink()) return this.unlink(path, 'orphan');
    if (!e.isDirectory() && e.name.startsWith(TEMP_PREFIX)) return isLeftover(path) && this.unlink(path, 'temp');
    return undefined;
  }

  /** Outside content/: only temporary files and symlinks go; other files are not reconcile's to judge. */
  sweepOutside(path: string, e: Dirent): void {
    if (this.sweep(path, e) !== undefined) return;
    if (e.isDirectory()) for (const c of this.list(path) ?? []) this.sweepOutside(path + sep + c.name, c);
  }

  /** Remove a file, link or whole folder that is not a valid address. */
  removeJunk(path: string, e: Dirent): boolean {
    if (!e.isDirectory()) return this.sweep(path, e) ?? this.unlink(path, 'orphan');
    const entries = this.list(path);
    if (entries === null) return false;
    let kept = 0;
    for (const c of entries) if (!this.removeJunk(path + sep + c.name, c)) kept++;
    return kept === 0 && this.rmdir(path, { listedEmpty: entries.length === 0 });
  }

  unlink(path: string, count: 'orphan' | 'temp' | null): boolean {
    try {
      inPlace(path, unlinkSync);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return true;
      this.problem(path, err);
      return false;
    }
    if (count === 'orphan') this.counts.orphans_removed++;
    else if (count === 'temp') this.counts.temp_removed++;
    return true;
  }

  /**
   * Prune an emptied folder; one that something was written into meanwhile stays, and so does one
   * that was empty when listed and is fresh (a writer's, about to be used).
   */
  rmdir(path: string, opts: { listedEmpty?: boolean } = {}): boolean {
    if (opts.listedEmpty && isFresh(path)) return false;
    try {
      inPlace(path, rmdirSync);
      return true;
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOENT') return true;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') this.problem(path, err);
      return false;
    }
  }

  /** A folder's entries in name order (= content_uuid order at every level), or null when it cannot be read. */
  list(dir: string): Dirent[] | null {
    try {
      return readdirSync(dir, { withFileTypes: true }).sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return [];
      this.problem(dir, err);
      return null;
    }
  }

  /** For sidecars/ and sidecars/content: unreadable, every row would look missing, so stop instead. */
  listOrThrow(dir: string): Dirent[] {
    const entries = this.list(dir);
    if (entries === null) throw new VssError('IO', 'cannot read the sidecars folder', { path: dir });
    return entries;
  }
}

/**
 * A temporary file is a leftover when it was last written before this process started (the
 * library lock keeps other processes out, so no one is still writing it) or a day ago. A newer
 * one may be a write in flight in this process — a conversion hashing its copy, a job — while a
 * background reconcile runs: it is left for the next run.
 */
function isLeftover(path: string): boolean {
  try {
    const st = lstatSync(path, { throwIfNoEntry: false });
    return st !== undefined && (st.mtimeMs < performance.timeOrigin || st.mtimeMs < Date.now() - TEMP_MAX_AGE_MS);
  } catch {
    return false; // cannot even stat it: leave it
  }
}

/** Linux names every open descriptor's file here; through it, a path resolves to that very folder. */
const FD_DIR = '/proc/self/fd';
const HAVE_FD_DIR = existsSync(FD_DIR);

/**
 * Remove PATH with OP, but only in the real folder that PATH names now: the folder is opened, and
 * its true path (what the kernel says the open descriptor is) must be PATH's folder. A folder
 * swapped for a symlink since it was listed — anywhere up the chain — is refused, so a removal
 * can never land outside sidecars/. On Linux the removal goes through the open descriptor
 * (/proc/self/fd/N/name), so nothing can be swapped between the check and the act; elsewhere the
 * check is made just before it.
 */
export function inPlace(path: string, op: (path: string) => void): void {
  const dir = dirname(path);
  if (!HAVE_FD_DIR) {
    if (realpathSync(dir) !== dir) throw notInPlace(path);
    op(path);
    return;
  }
  const fd = openSync(dir, constants.O_RDONLY | (constants.O_DIRECTORY ?? 0));
  try {
    const pinned = `${FD_DIR}/${fd}`;
    if (readlinkSync(pinned) !== dir) throw notInPlace(path);
    op(`${pinned}/${basename(path)}`);
  } finally {
    closeSync(fd);
  }
}

function notInPlace(path: string): VssError {
  return new VssError('IO', 'its folder is not where it was listed (replaced by a symbolic link?); left alone', { path });
}

function isFresh(path: string): boolean {
  try {
    return Date.now() - lstatSync(path).mtimeMs < FRESH_FOLDER_MS;
  } catch {
    return false;
  }
}
