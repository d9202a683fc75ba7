import { lstatSync, readdirSync, readlinkSync, type Dirent, type Stats } from 'node:fs';
import { sep } from 'node:path';
import { describeFsError } from '../core/errors.js';
import { IgnoreRules } from './ignore-rules.js';
import type { DirListing, ListedEntry, PendingDir, WalkOptions } from './port.js';

/** A walk of the local folder ROOTABS. */
export interface LocalWalkOptions extends WalkOptions {
  rootAbs: string;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Walks a location depth-first, parents before children, listing each directory with lstat
 * facts. Only the filesystem is touched here (so it can run in a worker thread); memory holds the
 * directory being listed and the stack of those still to visit, never the whole tree. Symlinks
 * are reported and never followed, so loops cannot trap the walk. The stack is open so a walk
 * begun here can be handed to a worker thread and carried on there.
 */
export class LocationWalker {
  readonly stack: PendingDir[];
  private readonly ignore: IgnoreRules;
  private readonly exclude: Set<string>;

  constructor(opts: LocalWalkOptions) {
    this.ignore = new IgnoreRules(opts.ignoreRules);
    this.exclude = new Set(opts.exclude);
    this.stack = opts.start ? [...opts.start] : [{ abs: opts.rootAbs, rel: '' }];
  }

  /** The next directory's listing, or null when the walk is complete. */
  next(): DirListing | null {
    const dir = this.stack.pop();
    if (!dir) return null;
    let dirents: Dirent[];
    try {
      dirents = readdirSync(dir.abs, { withFileTypes: true });
    } catch (err) {
      return { rel: dir.rel, error: `directory cannot be read: ${describeFsError(err)}`, entries: [] };
    }
    const lossy = namesNeedingCheck(dirents) ? lossyNames(dir.abs) : null;
    const entries: ListedEntry[] = [];
    for (const dirent of dirents) {
      const name = dirent.name;
      if (lossy?.has(name)) {
        entries.push({ name, skip: 'name is not valid UTF-8 and cannot be stored without changing it', lossy: true });
        continue;
      }
      const rel = dir.rel === '' ? name : `${dir.rel}/${name}`;
      if (this.ignore.ignores(rel, dirent.isDirectory(), name)) continue;
      const abs = dir.abs + sep + name;
      if (this.exclude.has(abs)) continue;
      let st: Stats | undefined;
      let linkTarget: string | null = null;
      try {
        st = lstatSync(abs, { throwIfNoEntry: false });
        if (st?.isSymbolicLink()) linkTarget = readlinkSync(abs);
      } catch (err) {
        entries.push({ name, skip: describeFsError(err) });
        continue;
      }
      if (!st) {
        entries.push({ name, skip: 'vanished during the scan' });
        continue;
      }
      const kind: 'file' | 'dir' | 'symlink' | null = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : null;
      if (!kind) {
        entries.push({ name, skip: 'not a regular file, directory or symlink (device, FIFO or socket)' });
        continue;
      }
      entries.push({ name, kind, size: kind === 'dir' ? 0 : st.size, inode: st.ino, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, linkTarget });
      if (kind === 'dir') this.stack.push({ abs, rel });
    }
    return { rel: dir.rel, entries };
  }
}

export function* walkLocation(opts: LocalWalkOptions): Generator<DirListing> {
  const walker = new LocationWalker(opts);
  for (let listing = walker.next(); listing; listing = walker.next()) yield listing;
}

/** Node decodes names as UTF-8 and replaces bad bytes with U+FFFD: only then is a second look needed. */
function namesNeedingCheck(dirents: Dirent[]): boolean {
  for (const d of dirents) if (d.name.includes('\uFFFD')) return true;
  return false;
}

/** The decoded names in a directory that do not round-trip to their bytes on disk. */
function lossyNames(dirAbs: string): Set<string> {
  const out = new Set<string>();
  let raw: Buffer[];
  try {
    raw = readdirSync(dirAbs, { encoding: 'buffer' });
  } catch {
    return out;
  }
  for (const bytes of raw) {
    try {
      decoder.decode(bytes);
    } catch {
      out.add(bytes.toString('utf8'));
    }
  }
  return out;
}
