import { yieldToEventLoop, type BatchWriter } from '../store/batch-writer.js';
import type { Stores } from '../store/stores.js';
import { ListingReconciler, type DiscoveryCounts } from './reconcile-listing.js';
import type { SeenSet } from './seen-set.js';
import type { LocalDisk } from '../storage/local-disk.js';

export type { DiscoveryCounts };

export interface DiscoveryInput {
  store: Stores;
  locationId: number;
  writer: BatchWriter;
  storage: LocalDisk;
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

/**
 * Bring `entries` in line with the disk, one directory listing at a time, in walk order (parents
 * before children). The walk itself (the location's storage) touches only the disk; this side touches only
 * the database. Memory holds the folders listed but not yet reconciled, never the whole tree.
 */
export async function discover(input: DiscoveryInput): Promise<DiscoveryCounts & { unconfirmed: number }> {
  const { writer, seen } = input;
  const store = input.store.entries;
  const reconciler = new ListingReconciler({
    store, locationId: input.locationId, writer, storage: input.storage, seen, onSkip: input.onSkip,
    fresh: !store.hasChildren(input.locationId),
  });
  // Folders seen in their parent's listing whose own listing has not come yet: rel path → entry id.
  const dirIds = new Map<string, number>([['', input.rootEntryId]]);
  const onDir = (d: { rel: string; id: number }) => dirIds.set(d.rel, d.id);
  seen.add(input.rootEntryId);
  let lastProgress = 0;

  for await (const batch of input.storage.walk({ ignoreRules: input.ignoreRules, exclude: input.exclude }, input.threaded !== false)) {
    for (const listing of batch) {
      const dirId = dirIds.get(listing.rel);
      dirIds.delete(listing.rel);
      if (dirId !== undefined) reconciler.apply(listing, dirId, onDir);
    }
    if (writer.maybeCommit()) {
      const now = Date.now();
      if (now - lastProgress > 100) {
        lastProgress = now;
        input.onProgress(reconciler.counts);
      }
      await yieldToEventLoop();
    }
  }
  writer.commit();
  input.onProgress(reconciler.counts);
  return { ...reconciler.counts, unconfirmed: reconciler.unconfirmed };
}
