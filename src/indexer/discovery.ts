import { lstatSync, type Stats } from 'node:fs';
import { sep } from 'node:path';
import { BatchWriter, yieldToEventLoop } from '../store/batch-writer.js';
import type { EntryFacts, EntryStore, ScannedEntry } from '../store/entries.js';
import type { SeenSet } from './seen-set.js';
import { threadedWalk } from './threaded-walk.js';
import { LocationWalker, type DirListing, type WalkOptions } from './walk.js';
import { relPathProblem } from '../library/confine.js';

export interface DiscoveryInput {
  store: EntryStore;
  locationId: number;
  writer: BatchWriter;
  rootAbs: string;
  rootEntryId: number;
  ignoreRules: readonly string[];
  /** Absolute paths never to descend into (the library folder, when it lies inside the location). */
  exclude: readonly string[];
  seen: SeenSet;
  onSkip: (path: string, reason: string) => void;
  onProgress: (c: DiscoveryCounts) => void;
  /** List the disk in a worker thread while this thread writes (default); false walks inline. */
  threaded?: boolean;
}

export interface DiscoveryCounts {
  files: number;
  dirs: number;
  bytes: number;
  added: number;
  changed: number;
  moved: number;
}

/**
 * Bring `entries` in line with the disk, one directory listing at a time, in walk order (parents
 * before children). The walk itself (walk.ts) touches only the filesystem; this side touches only
 * the database. Memory holds the folders listed but not yet reconciled, never the whole tree.
 */
export async function discover(input: DiscoveryInput): Promise<DiscoveryCounts> {
  const { store, writer, seen } = input;
  const counts: DiscoveryCounts = { files: 0, dirs: 0, bytes: 0, added: 0, changed: 0, moved: 0 };
  // A first scan has nothing to have moved: skip the inode look-ups.
  const mayHaveMoves = store.count(input.locationId) > 1;
  // Folders seen in their parent's listing whose own listing has not come yet: rel path → entry id.
  const dirIds = new Map<string, number>([['', input.rootEntryId]]);
  seen.add(input.rootEntryId);
  let lastProgress = 0;

  const walkOpts = { rootAbs: input.rootAbs, ignoreRules: input.ignoreRules, exclude: input.exclude };
  const batches = hybridWalk(walkOpts, input.threaded !== false);

  for await (const batch of batches) {
    for (const listing of batch) {
      const dirId = dirIds.get(listing.rel);
      dirIds.delete(listing.rel);
      if (dirId === undefined) continue;
      if (listing.error) {
        input.onSkip(listing.rel || '.', listing.error);
        // Keep what we knew of it: an unreadable folder is not an empty one.
        protectSubtree(store, dirId, seen);
        continue;
      }
      const known = new Map<string, ScannedEntry>();
      for (const row of store.children(dirId)) known.set(row.name, row);
      for (const entry of listing.entries) {
        const rel = listing.rel === '' ? entry.name : `${listing.rel}/${entry.name}`;
        if ('skip' in entry) {
          input.onSkip(rel, entry.skip);
          const row = entry.lossy ? known.get(entry.name) : undefined;
          if (row) protectEntry(store, row, seen);
          continue;
        }
        const facts: EntryFacts = {
          parent_id: dirId, name: entry.name, rel_path: rel, kind: entry.kind,
          size: entry.size, inode: entry.inode, mtime_ms: entry.mtimeMs, link_target: entry.linkTarget,
        };
        const id = reconcileEntry(store, input.locationId, writer, seen, known, facts, input.rootAbs, mayHaveMoves, counts);
        if (entry.kind === 'dir') {
          counts.dirs++;
          dirIds.set(rel, id);
        } else if (entry.kind === 'file') {
          counts.files++;
          counts.bytes += entry.size;
        }
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

/** Entries walked inline before the rest of a walk moves to a worker thread. */
const INLINE_ENTRIES = 5000;

/**
 * Small locations are walked right here (a worker thread costs ~50 ms to start); a walk still
 * going after a few thousand entries hands its stack to a worker and carries on there, so the
 * disk and the database overlap for the large ones. Order stays parents-before-children.
 */
async function* hybridWalk(opts: WalkOptions, threaded: boolean): AsyncGenerator<DirListing[]> {
  const walker = new LocationWalker(opts);
  let entries = 0;
  for (let listing = walker.next(); listing; listing = walker.next()) {
    yield [listing];
    entries += listing.entries.length;
    if (threaded && entries >= INLINE_ENTRIES && walker.stack.length > 0) {
      yield* threadedWalk({ ...opts, start: walker.stack });
      return;
    }
  }
}

/** Bring one row in line with what is on disk; returns the entry's id. */
export function reconcileEntry(
  store: EntryStore, locationId: number, writer: BatchWriter, seen: SeenSet, known: Map<string, ScannedEntry>,
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
    const bytesMayDiffer = existing.inode !== facts.inode || existing.size !== facts.size || existing.mtime_ms !== facts.mtime_ms;
    const relinked = existing.link_target !== facts.link_target;
    if (bytesMayDiffer || relinked || existing.rel_path !== facts.rel_path) {
      writer.touch();
      store.update(existing.id, facts, facts.kind === 'file' && bytesMayDiffer);
      if (bytesMayDiffer || relinked) counts.changed++;
    }
    return existing.id;
  }
  if (mayHaveMoves) {
    const moved = findMovedEntry(store, locationId, seen, facts, rootAbs);
    if (moved) {
      // Renamed within this folder: its old name is free now, whatever appears under it next.
      if (known.get(moved.name)?.id === moved.id) known.delete(moved.name);
      seen.add(moved.id);
      const bytesMayDiffer = moved.size !== facts.size || moved.mtime_ms !== facts.mtime_ms;
      writer.touch();
      store.update(moved.id, facts, facts.kind === 'file' && bytesMayDiffer);
      counts.moved++;
      return moved.id;
    }
  }
  writer.touch();
  const id = store.insert(locationId, facts);
  seen.add(id);
  counts.added++;
  return id;
}

/**
 * A name we have not seen before may be an entry that moved: same inode, same kind, not yet
 * confirmed at its old place, and no longer there (else it is a hard link).
 */
function findMovedEntry(store: EntryStore, locationId: number, seen: SeenSet, facts: EntryFacts, rootAbs: string): ScannedEntry | undefined {
  for (const row of store.byInode(locationId, facts.inode)) {
    // A hand-edited row's path could lead outside the location: it is never looked at.
    if (row.kind !== facts.kind || seen.has(row.id) || row.rel_path === '' || relPathProblem(row.rel_path)) continue;
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

export function protectEntry(store: EntryStore, row: ScannedEntry, seen: SeenSet): void {
  seen.add(row.id);
  if (row.kind === 'dir') protectSubtree(store, row.id, seen);
}

export function protectSubtree(store: EntryStore, dirId: number, seen: SeenSet): void {
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
