import { yieldToEventLoop, type BatchWriter } from '../store/batch-writer.js';
import type { Stores } from '../store/stores.js';
import { ListingReconciler, type DiscoveryCounts } from './reconcile-listing.js';
import type { SeenSet } from './seen-set.js';
import { WalkWorker } from './threaded-walk.js';
import { LocationWalker, type DirListing, type WalkOptions } from './walk.js';

export type { DiscoveryCounts };

export interface DiscoveryInput {
  store: Stores;
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

/**
 * Bring `entries` in line with the disk, one directory listing at a time, in walk order (parents
 * before children). The walk itself (walk.ts) touches only the filesystem; this side touches only
 * the database. Memory holds the folders listed but not yet reconciled, never the whole tree.
 */
export async function discover(input: DiscoveryInput): Promise<DiscoveryCounts & { unconfirmed: number }> {
  const { writer, seen } = input;
  const store = input.store.entries;
  const reconciler = new ListingReconciler({
    store, locationId: input.locationId, writer, rootAbs: input.rootAbs, seen, onSkip: input.onSkip,
    fresh: !store.hasChildren(input.locationId),
  });
  // Folders seen in their parent's listing whose own listing has not come yet: rel path → entry id.
  const dirIds = new Map<string, number>([['', input.rootEntryId]]);
  const onDir = (d: { rel: string; id: number }) => dirIds.set(d.rel, d.id);
  seen.add(input.rootEntryId);
  let lastProgress = 0;

  const walkOpts = { rootAbs: input.rootAbs, ignoreRules: input.ignoreRules, exclude: input.exclude };
  for await (const batch of hybridWalk(walkOpts, input.threaded !== false)) {
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

/** Entries walked inline before the rest of a walk moves to a worker thread. */
const INLINE_ENTRIES = 5000;
/** Entries walked inline before that worker is started, so its start-up overlaps the rest. */
const WORKER_AHEAD_ENTRIES = 1000;

/**
 * Small locations are walked right here (a worker thread costs ~50 ms to start); a walk still
 * going after a thousand entries starts a worker, and one still going after a few thousand hands
 * its stack to it and carries on there, so the disk and the database overlap for the large ones.
 * Order stays parents-before-children.
 */
async function* hybridWalk(opts: WalkOptions, threaded: boolean): AsyncGenerator<DirListing[]> {
  const walker = new LocationWalker(opts);
  let worker: WalkWorker | undefined;
  let entries = 0;
  try {
    for (let listing = walker.next(); listing; listing = walker.next()) {
      yield [listing];
      entries += listing.entries.length;
      if (!threaded || walker.stack.length === 0) continue;
      if (entries >= WORKER_AHEAD_ENTRIES) worker ??= new WalkWorker();
      if (entries >= INLINE_ENTRIES) {
        const w = worker!;
        worker = undefined;
        yield* w.walk({ ...opts, start: walker.stack });
        return;
      }
    }
  } finally {
    await worker?.close();
  }
}
