import { lstatSync, readdirSync, readlinkSync, type Dirent, type Stats } from 'node:fs';
import { sep } from 'node:path';
import { describeFsError } from '../core/errors.js';
import { BatchWriter, yieldToEventLoop } from './batch-writer.js';
import { EntryStore, type EntryFacts, type EntryKind, type EntryRow } from './entry-store.js';
import type { IgnoreRules } from './ignore-rules.js';
import type { SeenSet } from './seen-set.js';
import type { SkipList } from './types.js';

export interface DiscoveryInput {
  store: EntryStore;
  writer: BatchWriter;
  rootAbs: string;
  rootEntryId: number;
  ignore: IgnoreRules;
  /** Absolute paths never to descend into (the library folder, when it lies inside the location). */
  exclude: ReadonlySet<string>;
  seen: SeenSet;
  skipped: SkipList;
  onSkip: (path: string, reason: string) => void;
  onProgress: (c: DiscoveryCounts) => void;
}

export interface DiscoveryCounts {
  files: number;
  dirs: number;
  bytes: number;
  added: number;
  changed: number;
  moved: number;
}

interface PendingDir {
  abs: string;
  rel: string;
  id: number;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Walk the location depth-first and bring `entries` in line with the disk, one directory at a
 * time: memory holds the directory being read and the stack of directories still to visit, never
 * the whole tree. Symlinks are recorded and never followed, so loops cannot trap the walk.
 */
export async function discover(input: DiscoveryInput): Promise<DiscoveryCounts> {
  const { store, writer, seen } = input;
  const counts: DiscoveryCounts = { files: 0, dirs: 0, bytes: 0, added: 0, changed: 0, moved: 0 };
  // A first scan has nothing to have moved: skip the inode look-ups.
  const mayHaveMoves = store.count() > 1;
  const stack: PendingDir[] = [{ abs: input.rootAbs, rel: '', id: input.rootEntryId }];
  seen.add(input.rootEntryId);
  let lastProgress = 0;

  while (stack.length > 0) {
    const dir = stack.pop()!;
    let dirents: Dirent[];
    try {
      dirents = readdirSync(dir.abs, { withFileTypes: true });
    } catch (err) {
      input.onSkip(dir.rel || '.', `directory cannot be read: ${describeFsError(err)}`);
      // Keep what we knew of it: an unreadable folder is not an empty one.
      protectSubtree(store, dir.id, seen);
      continue;
    }
    const lossy = namesNeedingCheck(dirents) ? lossyNames(dir.abs) : null;
    const known = new Map<string, EntryRow>();
    for (const row of store.children(dir.id)) known.set(row.name, row);

    for (const dirent of dirents) {
      const name = dirent.name;
      const rel = dir.rel === '' ? name : `${dir.rel}/${name}`;
      if (lossy?.has(name)) {
        input.onSkip(rel, 'name is not valid UTF-8 and cannot be stored without changing it');
        const row = known.get(name);
        if (row) protectEntry(store, row, seen);
        continue;
      }
      if (input.ignore.ignores(rel, dirent.isDirectory(), name)) continue;
      const abs = dir.abs + sep + name;
      if (input.exclude.has(abs)) continue;

      let st: Stats | undefined;
      let linkTarget: string | null = null;
      try {
        st = lstatSync(abs, { throwIfNoEntry: false });
        if (st?.isSymbolicLink()) linkTarget = readlinkSync(abs);
      } catch (err) {
        input.onSkip(rel, describeFsError(err));
        continue;
      }
      if (!st) {
        input.onSkip(rel, 'vanished during the scan');
        continue;
      }
      const kind: EntryKind | null = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : null;
      if (!kind) {
        input.onSkip(rel, 'not a regular file, directory or symlink (device, FIFO or socket)');
        continue;
      }
      const facts: EntryFacts = {
        parentId: dir.id, name, relPath: rel, kind,
        size: kind === 'dir' ? 0 : st.size, inode: st.ino, mtimeMs: st.mtimeMs, linkTarget,
      };
      const id = reconcileEntry(store, writer, seen, known, facts, input.rootAbs, mayHaveMoves, counts);
      if (kind === 'dir') {
        counts.dirs++;
        stack.push({ abs, rel, id });
      } else if (kind === 'file') {
        counts.files++;
        counts.bytes += st.size;
      }
    }

    if (writer.maybeCommit()) {
      const now = Date.now();
      if (now - lastProgress > 100) {
        lastProgress = now;
        input.onProgress(counts);
      }
      await yieldToEventLoop();
    }
  }
  writer.commit();
  input.onProgress(counts);
  return counts;
}

/** Bring one row in line with what is on disk; returns the entry's id. */
function reconcileEntry(
  store: EntryStore, writer: BatchWriter, seen: SeenSet, known: Map<string, EntryRow>,
  facts: EntryFacts, rootAbs: string, mayHaveMoves: boolean, counts: DiscoveryCounts,
): number {
  let existing = known.get(facts.name);
  if (existing && existing.kind !== facts.kind) {
    writer.touch();
    store.delete(existing.id); // a file became a folder or the like: start over for this name
    existing = undefined;
  }
  if (existing) {
    seen.add(existing.id);
    const bytesMayDiffer = existing.inode !== facts.inode || existing.size !== facts.size || existing.mtime_ms !== facts.mtimeMs;
    const relinked = existing.link_target !== facts.linkTarget;
    if (bytesMayDiffer || relinked || existing.rel_path !== facts.relPath) {
      writer.touch();
      store.update(existing.id, facts, facts.kind === 'file' && bytesMayDiffer);
      if (bytesMayDiffer || relinked) counts.changed++;
    }
    return existing.id;
  }
  if (mayHaveMoves) {
    const moved = findMovedEntry(store, seen, facts, rootAbs);
    if (moved) {
      // Renamed within this folder: its old name is free now, whatever appears under it next.
      if (known.get(moved.name)?.id === moved.id) known.delete(moved.name);
      seen.add(moved.id);
      const bytesMayDiffer = moved.size !== facts.size || moved.mtime_ms !== facts.mtimeMs;
      writer.touch();
      store.update(moved.id, facts, facts.kind === 'file' && bytesMayDiffer);
      counts.moved++;
      return moved.id;
    }
  }
  writer.touch();
  const id = store.insert(facts);
  seen.add(id);
  counts.added++;
  return id;
}

/**
 * A name we have not seen before may be an entry that moved: same inode, same kind, not yet
 * confirmed at its old place, and no longer there (else it is a hard link).
 */
function findMovedEntry(store: EntryStore, seen: SeenSet, facts: EntryFacts, rootAbs: string): EntryRow | undefined {
  for (const row of store.byInode(facts.inode)) {
    if (row.kind !== facts.kind || seen.has(row.id) || row.rel_path === '') continue;
    const oldAbs = rootAbs + sep + row.rel_path.split('/').join(sep);
    let still: Stats | undefined;
    try {
      still = lstatSync(oldAbs, { throwIfNoEntry: false });
    } catch {
      still = undefined;
    }
    if (still && still.ino === facts.inode) continue;
    return row;
  }
  return undefined;
}

function protectEntry(store: EntryStore, row: EntryRow, seen: SeenSet): void {
  seen.add(row.id);
  if (row.kind === 'dir') protectSubtree(store, row.id, seen);
}

function protectSubtree(store: EntryStore, dirId: number, seen: SeenSet): void {
  const todo = [dirId];
  while (todo.length > 0) {
    const id = todo.pop()!;
    seen.add(id);
    for (const child of store.children(id)) {
      seen.add(child.id);
      if (child.kind === 'dir') todo.push(child.id);
    }
  }
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
