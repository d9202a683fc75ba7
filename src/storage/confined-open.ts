import { closeSync, readlinkSync, realpathSync } from 'node:fs';
import { lstat, realpath, type FileHandle } from 'node:fs/promises';
import { dirname, sep } from 'node:path';
import { errnoCode, VssError } from '../core/errors.js';
import { absolutePathProblem, isInside, PathRefusedError } from '../library/confine.js';
import { openRegular } from './local-disk.js';
import { openRegularNow } from './local-read.js';
import type { NodeFacts } from './port.js';

/*
 * The one way a file of a location (or of another folder vss was given) is opened after it was
 * checked to lie inside it: a send, a peer's request for an original, a local verified copy. A
 * check made once and a path opened later let a folder swapped for a symlink in between lead the
 * open anywhere (faults of 2026-11-25, D3: `/etc/hostname` sent in place of a checked file), and
 * O_NOFOLLOW guards the last part of a path only. Node has no openat2(RESOLVE_NO_SYMLINKS |
 * RESOLVE_BENEATH), so the file is opened with O_NOFOLLOW and the descriptor is then asked where
 * it really is: on Linux the kernel says it (`/proc/self/fd/N`), which must be the location's real
 * folder joined with the path's own parts, so no part of the path was a symlink; elsewhere, the
 * folder's real place is looked up after the open and the name's inode must be the descriptor's.
 * Where the caller knows which file it checked (its device and inode), the descriptor must be that
 * one. Whatever it reads then comes from that descriptor, never from the path again.
 */

/** Which file a check found: its device and inode. */
export interface FileIdentity {
  dev: number;
  inode: number;
}

/** A file opened inside its folder: its descriptor, what it is, and a path that names this open file. */
export interface OpenedInside {
  fh: FileHandle;
  facts: NodeFacts;
  /**
   * A path that names the open file itself and no other, for a tool that takes a path (the
   * kernel's copy): Linux's `/proc/self/fd/N`. Where there is none, the path as given (whoever
   * reads it must check what it read against the descriptor's bytes).
   */
  selfPath: string;
}

/** The file at a checked path is not the one the check found: moved, replaced or reached through a symlinked folder since. */
export class NotTheCheckedFile extends VssError {
  constructor(path: string, readonly why: string) {
    super('IO', `${path} is not the file that was checked: ${why}`, { path });
    this.name = 'NotTheCheckedFile';
  }
}

/** How long a root's real place is trusted before it is looked up again (a drive remounted elsewhere). */
const REAL_ROOT_TTL_MS = 2_000;
const MAX_REAL_ROOTS = 256;
const realRoots = new Map<string, { real: string; at: number }>();
/** Whether `/proc/self/fd` answers here (undefined: not tried yet). */
let procFds: boolean | undefined;

/**
 * Open PATH, a regular file inside ROOT (both absolute), to read; refused (PathRefusedError) when
 * PATH is outside ROOT by its name, is a symlink or not a regular file, and NotTheCheckedFile when
 * the file opened is not at PATH inside ROOT's real folder (a part of the path was a symlink, or
 * it moved as it was opened) or, with EXPECT, is not the file a check found.
 */
export async function openInside(root: string, path: string, expect?: FileIdentity): Promise<OpenedInside> {
  const base = checkedBase(root, path);
  const { fh, facts } = await openRegular(path);
  try {
    const where = await whereOpen(fh);
    const wrong = await placeProblem(base, path, where, facts);
    if (wrong) throw new NotTheCheckedFile(path, wrong);
    if (expect && (facts.dev !== expect.dev || facts.inode !== expect.inode)) throw new NotTheCheckedFile(path, 'another file is at its place since it was checked');
    return { fh, facts, selfPath: where !== undefined ? procFdPath(fh) : path };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/** A file opened inside its folder at once: its descriptor (the caller closes it) and what it is. */
export interface OpenedInsideNow {
  fd: number;
  facts: NodeFacts;
}

/**
 * As openInside, in one synchronous step, for a caller that has just looked the path up (its
 * folder and inode are in memory, so the open reads nothing from the disk: a small-file copy, for
 * which two thread-pool trips a file cost more than its bytes). Undefined where the kernel cannot
 * say where an open file is (no procfs): the caller opens with openInside then.
 */
export function openInsideNow(root: string, path: string, expect?: FileIdentity): OpenedInsideNow | undefined {
  if (procFds === false) return undefined;
  const base = checkedBase(root, path);
  const { fd, facts } = openRegularNow(path);
  try {
    const where = whereOpenFd(fd);
    if (where === undefined) {
      closeSync(fd);
      return undefined;
    }
    const rel = relOf(base, path);
    const wrong = where === joined(realRootNow(base, false), rel) ? undefined : whereProblem(base, rel, where, realRootNow(base, true));
    if (wrong) throw new NotTheCheckedFile(path, wrong);
    if (expect && (facts.dev !== expect.dev || facts.inode !== expect.inode)) throw new NotTheCheckedFile(path, 'another file is at its place since it was checked');
    return { fd, facts };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** ROOT without a trailing separator, once PATH is found absolute and inside it by its name (else PathRefusedError). */
function checkedBase(root: string, path: string): string {
  const problem = absolutePathProblem(path);
  if (problem) throw new PathRefusedError(path, problem);
  const base = root.length > 1 && root.endsWith(sep) ? root.slice(0, -1) : root;
  if (path === base || !isInside(base, path)) throw new PathRefusedError(path, `outside ${base}`);
  return base;
}

/** Why the file open with FACTS (WHERE the kernel says it is, when it says) is not PATH inside BASE's real folder; undefined when it is. */
async function placeProblem(base: string, path: string, where: string | undefined, facts: NodeFacts): Promise<string | undefined> {
  const rel = relOf(base, path);
  if (where !== undefined) {
    if (where === joined(await realRootOf(base, false), rel)) return undefined;
    // The root's real place may have moved since it was looked up (a drive remounted): once more, fresh.
    return whereProblem(base, rel, where, await realRootOf(base, true));
  }
  // No kernel to ask: the folder's real place now, and the name's inode must be the descriptor's.
  const want = joined(await realRootOf(base, true), rel);
  let realDir: string;
  try {
    realDir = await realpath(dirname(path));
  } catch {
    return 'its folder went as it was opened';
  }
  if (realDir !== dirname(want)) return `its folder leads to ${realDir} through a symlink`;
  const named = await lstat(path).catch(() => undefined);
  if (!named || named.ino !== facts.inode || named.dev !== facts.dev) return 'another file took its name as it was opened';
  return undefined;
}

/** Why WHERE (the kernel's word for an open file) is not REL inside REALROOT; undefined when it is. */
function whereProblem(base: string, rel: string, where: string, realRoot: string): string | undefined {
  if (where === joined(realRoot, rel)) return undefined;
  if (where.endsWith(' (deleted)')) return 'it was removed as it was opened';
  return isInside(realRoot, where) ? `it is at ${where} now (moved as it was opened)` : `it leads outside ${base}, to ${where}, through a symlink`;
}

function relOf(base: string, path: string): string {
  return path.slice(base.length + (base === sep ? 0 : 1));
}

function joined(realRoot: string, rel: string): string {
  return realRoot === sep ? sep + rel : realRoot + sep + rel;
}

/** The real place of ROOT, looked up at most every REAL_ROOT_TTL_MS unless FRESH. */
async function realRootOf(root: string, fresh: boolean): Promise<string> {
  return knownRoot(root, fresh) ?? rememberRoot(root, await realpath(root));
}

/** As realRootOf, at once (a root's real place is looked up every few seconds at most). */
function realRootNow(root: string, fresh: boolean): string {
  return knownRoot(root, fresh) ?? rememberRoot(root, realpathSync(root));
}

function knownRoot(root: string, fresh: boolean): string | undefined {
  const known = realRoots.get(root);
  return !fresh && known && Date.now() - known.at < REAL_ROOT_TTL_MS ? known.real : undefined;
}

function rememberRoot(root: string, real: string): string {
  if (realRoots.size >= MAX_REAL_ROOTS) realRoots.clear();
  realRoots.set(root, { real, at: Date.now() });
  return real;
}

function procFdPath(fh: FileHandle): string {
  return `/proc/self/fd/${fh.fd}`;
}

/** Where the kernel says the file open as FH is, when it says (Linux's procfs); undefined elsewhere. */
async function whereOpen(fh: FileHandle): Promise<string | undefined> {
  return whereOpenFd(fh.fd);
}

function whereOpenFd(fd: number): string | undefined {
  if (procFds === false) return undefined;
  try {
    // procfs answers from memory: asked at once (a thread-pool trip a file costs a small-file copy dearly).
    const where = readlinkSync(`/proc/self/fd/${fd}`);
    procFds = true;
    return where;
  } catch (err) {
    // No procfs (another system, a sandbox without /proc): the portable check instead, from now on.
    if (procFds === undefined && ['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM', 'EINVAL'].includes(errnoCode(err) ?? '')) {
      procFds = false;
      return undefined;
    }
    throw err;
  }
}
