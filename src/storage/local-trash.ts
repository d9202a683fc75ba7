/**
 * What the trash does on a local disk (files/trash-bin.ts puts files in it, files/trash.ts takes
 * them out): a file moved aside within its own filesystem and back (a rename, never a copy), a
 * trashed file removed for good, the folders a batch leaves emptied, and each folder touched
 * flushed once.
 */
import { readdirSync, renameSync, rmdirSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { errnoCode, VssError } from '../core/errors.js';
import { fsyncDirAsync } from '../core/fs-atomic.js';
import type { ConfinedRoot } from '../library/confine.js';
import { factsAt } from './local-tree.js';

export type MovedAside = 'moved' | 'gone' | 'other-drive';

/**
 * The file at FROM (absolute, inside ROOT) renamed to TO (absolute, inside ROOT; its folder made,
 * confined). A file gone meanwhile is `gone`; one on another filesystem (a drive mounted inside
 * the location) is left where it is, `other-drive`: the trash never copies. TO must be free (the
 * caller chose it so): a rename over a file would lose that file.
 */
export function moveWithinDrive(root: ConfinedRoot, from: string, to: string): MovedAside {
  root.makeFolder(dirname(to));
  if (factsAt(to)) throw new VssError('ALREADY_EXISTS', `${to} exists already: nothing was moved over it`, { path: to });
  try {
    // Not a landing: the user's own file changes its name, no byte is written (test/architecture/rename-places.test.ts).
    renameSync(from, to);
    return 'moved';
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' && !factsAt(from)) return 'gone';
    if (errnoCode(err) === 'EXDEV') return 'other-drive';
    throw err;
  }
}

/** Remove the trashed file at ABS for good: false when it was gone already. */
export function removeTrashed(abs: string): boolean {
  try {
    unlinkSync(abs);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw new VssError('IO', `${abs}: could not be removed from the trash: ${(err as Error).message}`, { path: abs, cause: err });
  }
}

/**
 * DIR and every empty folder in it removed (a trash batch emptied), deepest first; a folder still
 * holding a file stays. WITHPARENT: its parent too (the trash folder), once empty: no litter is
 * left in a user's folder.
 */
export function removeEmptyTree(dir: string, withParent = false): void {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return;
  }
  for (const name of names) removeEmptyTree(join(dir, name));
  try {
    rmdirSync(dir);
    if (withParent) rmdirSync(dirname(dir));
  } catch {
    // Still holds something: kept.
  }
}

/** Each folder of DIRS flushed (the renames in it made durable), at once. */
export async function flushFolders(dirs: Iterable<string>): Promise<void> {
  await Promise.all([...new Set(dirs)].map((d) => fsyncDirAsync(d).catch(() => undefined)));
}

/**
 * The files in the trash folder TRASHDIR (`.vss-trash` of a location), as `BATCH/REL` paths with
 * their size and time, at most LIMIT: what the trash's upkeep holds against its rows (a row lost
 * with a removed location or a restored database is found again).
 */
export function filesInTrash(trashDir: string, limit: number): Array<{ rel: string; size: number; mtimeMs: number; inode: number }> {
  const out: Array<{ rel: string; size: number; mtimeMs: number; inode: number }> = [];
  const walk = (dir: string, rel: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (out.length >= limit) return;
      const abs = join(dir, e.name);
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(abs, r);
      else if (e.isFile() || e.isSymbolicLink()) {
        const f = factsAt(abs);
        if (f) out.push({ rel: r, size: f.size, mtimeMs: f.mtimeMs, inode: f.inode });
      }
    }
  };
  walk(trashDir, '');
  return out;
}
