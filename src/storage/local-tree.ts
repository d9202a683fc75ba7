import { accessSync, constants, lstatSync, mkdirSync, readdirSync, realpathSync, renameSync, rmdirSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { errnoCode, VssError } from '../core/errors.js';
import { fsyncDirAsync } from '../core/fs-atomic.js';
import { factsOf } from './local-disk.js';
import type { NodeFacts } from './port.js';

/**
 * A local disk's tree named by absolute paths, for what works across locations or outside them: a
 * file operation's sources and destinations (src/files/) lie in locations or in folders the user
 * named, on one or several filesystems. Where a path lies in a location, the caller confines it
 * through the location's ConfinedRoot (or works through its LocalDisk); these functions look at,
 * or change, exactly the path they are given, never following a final symlink (but `deviceAt`).
 */

/** What a local disk holds at a name: a FIFO, socket or device told apart (a copy keeps FIFOs, skips the rest by name). */
export type LocalKind = 'file' | 'dir' | 'symlink' | 'fifo' | 'socket' | 'device';

/** What is at a local name, never followed; `blocks` (of 512 bytes) fewer than its size: a file with holes. */
export interface LocalFacts extends Omit<NodeFacts, 'kind'> {
  kind: LocalKind;
  blocks: number;
}

function localKindOf(st: Stats): LocalKind {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  return 'device';
}

/** What is at ABS (never following a symlink); undefined when its folder holds no such name. */
export function factsAt(abs: string): LocalFacts | undefined {
  const st = lstatSync(abs, { throwIfNoEntry: false });
  return st ? localFactsOf(st) : undefined;
}

/** What ST (an lstat) says of a local name. */
export function localFactsOf(st: Stats): LocalFacts {
  return { ...factsOf(st), kind: localKindOf(st), blocks: st.blocks };
}

/** The filesystem (device number) holding ABS, a symlink on the way followed (a drive's mount point); undefined when nothing is there. */
export function deviceAt(abs: string): number | undefined {
  try {
    return statSync(abs).dev;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return undefined;
    throw err;
  }
}

/** Where ABS really is (symlinks on the way resolved); undefined when it is not there. */
export function realPathOf(abs: string): string | undefined {
  try {
    return realpathSync(abs);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return undefined;
    throw err;
  }
}

/** One name of a folder, as its listing tells it (no lookup per name: a name of unknown type is neither). */
export interface FolderEntry {
  name: string;
  dir: boolean;
  file: boolean;
  /**
   * Its name is not valid UTF-8 (Linux allows any bytes but '/' and NUL): NAME shows it (shownName),
   * and no path vss makes of it names the file (decoded, its bytes would be another name, or none).
   * A file operation leaves it where it is and says so.
   */
  unnamed?: true;
}

/** The names in the folder ABS, with whether each is a folder or a regular file (symlinks not followed); listed as bytes, so a name that is not UTF-8 is told apart. */
export function entriesIn(abs: string): FolderEntry[] {
  return readdirSync(abs, { withFileTypes: true, encoding: 'buffer' }).map((e) => {
    const name = utf8Name(e.name);
    return { name: name ?? shownName(e.name), dir: e.isDirectory(), file: e.isFile(), ...(name === undefined ? { unnamed: true as const } : {}) };
  });
}

/** BYTES as text where they are valid UTF-8 (the text gives back the same bytes); undefined where not. */
export function utf8Name(bytes: Buffer): string | undefined {
  const text = bytes.toString('utf8');
  // The decoder puts U+FFFD for each invalid sequence; a name may hold U+FFFD itself, so the bytes decide.
  return !text.includes('\uFFFD') || Buffer.from(text, 'utf8').equals(bytes) ? text : undefined;
}

/** A name that is not UTF-8, as a person can read it: its valid characters as they are, each other byte as \xNN (`bad\xff.bin`). */
export function shownName(bytes: Buffer): string {
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    const seq = len > 0 && i + len <= bytes.length ? bytes.subarray(i, i + len) : undefined;
    if (seq && utf8Name(seq) !== undefined) {
      out += seq.toString('utf8');
      i += len;
    } else {
      out += `\\x${b.toString(16).padStart(2, '0')}`;
      i++;
    }
  }
  return out;
}

/** The names in the folder ABS; undefined when it is not there. */
export function namesIn(abs: string): string[] | undefined {
  try {
    return readdirSync(abs);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/** Whether this user may write into FOLDER: 'read-only' (its drive is mounted so), 'denied', or 'ok'. */
export function writeAccess(folder: string): 'ok' | 'read-only' | 'denied' {
  try {
    accessSync(folder, constants.W_OK);
    return 'ok';
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'EROFS') return 'read-only';
    if (code === 'EACCES' || code === 'EPERM') return 'denied';
    throw err;
  }
}

/** Make the folder ABS and its parents (a folder the user named outside every location: nothing to confine it to). */
export function makeFolders(abs: string): void {
  mkdirSync(abs, { recursive: true });
}

/** Remove the folders of DIR (and DIR) left empty, deepest first; a folder still holding something stays. */
export function removeEmptyFolders(dir: string): void {
  const st = lstatSync(dir, { throwIfNoEntry: false });
  if (!st?.isDirectory()) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeEmptyFolders(join(dir, e.name));
  try {
    rmdirSync(dir);
  } catch (err) {
    if (errnoCode(err) !== 'ENOTEMPTY' && errnoCode(err) !== 'EEXIST') throw err;
  }
}

/**
 * Give FROM the name TO on the same filesystem, where the two are not in one location (two
 * locations, or a folder the user named): as `LocalDisk.rename`, refused when TO is taken unless
 * REPLACE (the caller decided the conflict before), both folders flushed. One rename: a
 * kill -9 leaves the file at one name or the other, never neither. EXDEV (another filesystem
 * after all) is thrown as it is.
 */
export async function renameAcross(from: string, to: string, opts: { replace?: boolean } = {}): Promise<void> {
  if (!opts.replace && lstatSync(to, { throwIfNoEntry: false })) throw new VssError('ALREADY_EXISTS', `${to} exists already`, { path: to });
  renameSync(from, to);
  await fsyncDirAsync(dirname(to));
  if (dirname(from) !== dirname(to)) await fsyncDirAsync(dirname(from));
}
