import { VssError } from '../core/errors.js';
import { yieldToEventLoop, type BatchWriter } from '../store/batch-writer.js';
import { ListingReconciler, type DiscoveryCounts } from './reconcile-listing.js';
import type { ListedRow } from '../store/entries.js';
import type { Stores } from '../store/stores.js';
import type { SeenSet } from './seen-set.js';
import type { LocalAccess, LocationStorage } from '../storage/port.js';

/** A folder of a location to list again; `subtree`: and everything beneath it, not only what is new there. */
export interface ChangedDir {
  /** Relative to the location, '/'-separated; '' is the location itself. */
  rel: string;
  subtree: boolean;
}

export interface DirsDiscoveryInput {
  store: Stores;
  writer: BatchWriter;
  locationId: number;
  storage: LocationStorage;
  /** The storage's own fast paths: the folders are listed at once, each between two writes. */
  local: LocalAccess;
  rootEntryId: number;
  dirs: readonly ChangedDir[];
  ignoreRules: readonly string[];
  exclude: readonly string[];
  seen: SeenSet;
  onSkip: (path: string, reason: string) => void;
  /** Whether the location is still there (IndexOptions.present): asked again just before rows are removed. */
  present?: () => boolean;
}

/**
 * Discovery limited to some folders (what the watcher saw change): each is listed and brought in
 * line like a full scan would, and folders that are new or moved there are walked whole (their
 * rows need their new paths); the rest of the location is not read. Rows gone from a listed
 * folder are removed only after every folder of the batch was listed, so a file moved between
 * two of them is found by its inode and keeps its content. A folder that no longer exists is
 * replaced by its nearest ancestor that does.
 */
export async function discoverDirs(input: DirsDiscoveryInput): Promise<DiscoveryCounts & { removedFiles: number; removedRows: number }> {
  const { writer, seen } = input;
  const store = input.store.entries;
  const reconciler = new ListingReconciler({
    store, locationId: input.locationId, storage: input.storage, seen, onSkip: input.onSkip, fresh: false,
  });
  const todo = startingPoints(input);
  seen.add(input.rootEntryId);
  // Rows each listed folder had before it was listed: those not confirmed by the end are gone.
  const before: ListedRow[] = [];
  const listOpts = { ignoreRules: input.ignoreRules, exclude: input.exclude };

  // One folder listed and brought in line a step; its listing names the folders to list next.
  const listOne = (): number | undefined => {
    const dir = todo.pop();
    if (!dir) return undefined;
    seen.add(dir.id);
    const listing = input.local.listNow(dir.rel, listOpts);
    const had = reconciler.apply(listing, dir.id, (child) => {
      // Unchanged folders beneath are left alone: their own changes come as their own events.
      if (dir.subtree || !child.settled) todo.push({ id: child.id, rel: child.rel, subtree: true });
    });
    if (had) for (const row of had) before.push(row);
    return listing.entries.length + 1;
  };
  while (writer.steps(listOne)) await yieldToEventLoop();

  let removedFiles = 0;
  let removedRows = 0;
  // Rows are confirmed one by one here (no folder is confirmed whole without its listing read).
  const gone = before.filter((row) => !seen.has(row.id, null));
  // A drive unplugged while its folders were listed leaves them empty: that is not every file deleted.
  if (gone.length > 0 && input.present && !input.present()) {
    throw new VssError('UNAVAILABLE', `location ${input.locationId} went offline while it was listed (its drive was unplugged?); nothing was removed`, { path: input.storage.describe });
  }
  if (gone.length > 0) {
    input.store.transaction(() => {
      for (const row of gone) {
        const files = row.kind === 'dir' ? store.filesBeneath(row.id) : row.kind === 'file' ? 1 : 0;
        if (store.delete(row.id)) { removedRows++; removedFiles += files; }
      }
    });
  }
  return { ...reconciler.counts, removedFiles, removedRows };
}

interface Pending {
  id: number;
  rel: string;
  subtree: boolean;
}

/**
 * The batch's folders as rows to list: each resolved to its entry, or to its nearest ancestor
 * that is both indexed and a folder on disk; none beneath another that is walked whole.
 */
function startingPoints(input: DirsDiscoveryInput): Pending[] {
  const byRel = new Map<string, Pending>();
  for (const want of input.dirs) {
    const names = want.rel === '' ? [] : want.rel.split('/');
    // Descend by name from the root as far as rows and the disk agree.
    let id = input.rootEntryId;
    let depth = 0;
    for (; depth < names.length; depth++) {
      const childId = input.store.entries.childDir(id, names[depth]!);
      if (childId === undefined) break;
      if (!input.local.statNow(names.slice(0, depth + 1).join('/'))?.isDirectory()) break;
      id = childId;
    }
    const rel = names.slice(0, depth).join('/');
    const subtree = want.subtree && depth === names.length;
    const prev = byRel.get(rel);
    byRel.set(rel, { id, rel, subtree: subtree || (prev?.subtree ?? false) });
  }
  const whole = [...byRel.values()].filter((p) => p.subtree).map((p) => p.rel);
  const under = (rel: string, top: string) => top === '' ? rel !== '' : rel.startsWith(top + '/');
  return [...byRel.values()].filter((p) => !whole.some((top) => under(p.rel, top)));
}
