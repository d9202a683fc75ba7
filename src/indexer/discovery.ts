import { yieldToEventLoop, type BatchWriter } from '../store/batch-writer.js';
import type { Stores } from '../store/stores.js';
import { ListingReconciler, type DiscoveryCounts } from './reconcile-listing.js';
import type { HeldFiles } from './held-files.js';
import type { SeenSet } from './seen-set.js';
import type { DirListing, LocalAccess, LocationStorage, UnchangedListing, WalkedListing } from '../storage/port.js';
import type { EntryStore, KeptListing } from '../store/entries.js';
import { describeFsError } from '../core/errors.js';

export type { DiscoveryCounts };

export interface DiscoveryInput {
  store: Stores;
  locationId: number;
  writer: BatchWriter;
  storage: LocationStorage;
  rootEntryId: number;
  ignoreRules: readonly string[];
  /** Absolute paths never to descend into (the library folder, when it lies inside the location). */
  exclude: readonly string[];
  seen: SeenSet;
  onSkip: (path: string, reason: string) => void;
  onProgress: (c: DiscoveryCounts) => void;
  /** List the disk in a worker thread while this thread writes (default); false walks inline. */
  threaded?: boolean;
  /** Files and folders the location held after its last scan. */
  lastEntries?: number;
  /** Where a first scan holds its new small files until they are read (held-files.ts); unused when the location has rows already. */
  held?: HeldFiles;
}

/**
 * Bring `entries` in line with the disk, one directory listing at a time, in walk order (parents
 * before children). The walk itself (the location's storage) touches only the disk; this side touches only
 * the database. Memory holds the folders listed but not yet reconciled, never the whole tree.
 */
export async function discover(input: DiscoveryInput): Promise<DiscoveryCounts & { unconfirmed: number }> {
  const { writer, seen } = input;
  const store = input.store.entries;
  const fresh = !store.hasChildren(input.locationId);
  const reconciler = new ListingReconciler({
    store, locationId: input.locationId, storage: input.storage, seen, onSkip: input.onSkip, fresh, ...(fresh && input.held ? { held: input.held } : {}),
  });
  // Folders seen in their parent's listing whose own listing has not come yet: rel path → entry id.
  const dirIds = new Map<string, number>([['', input.rootEntryId]]);
  const onDir = (d: { rel: string; id: number }) => dirIds.set(d.rel, d.id);
  seen.add(input.rootEntryId);
  let lastProgress = 0;
  const kept = fresh ? new KeptFolders([]) : new KeptFolders(store.keptListings(input.locationId));
  const listOpts = { ignoreRules: input.ignoreRules, exclude: input.exclude };

  const expectLarge = (input.lastEntries ?? 0) >= LARGE_ENTRIES;
  const { storage } = input;
  // A folder listed as it was last time is confirmed by its digest where files keep their identity
  // (an inode) and a folder can be read whole again at once, should its rows have changed meanwhile.
  const local = storage.caps.inodes ? storage.local : null;
  const walk = storage.walk({
    ...listOpts, ...(local ? { unchanged: kept.digests } : {}), expectLarge, threaded: storage.caps.threadedWalk && input.threaded !== false,
  });
  // Listings are applied in walk order, each whole, a batch of them in one transaction that is
  // committed before the next batch is awaited (never held across the walk's awaits).
  const reconcile = (batch: readonly WalkedListing[]) => {
    for (const listing of batch) {
      const dirId = dirIds.get(listing.rel);
      dirIds.delete(listing.rel);
      if (dirId === undefined) continue;
      if (!('unchanged' in listing)) {
        reconciler.apply(listing, dirId, onDir);
      } else if (kept.idAt(listing.rel) !== dirId || !reconciler.applyUnchanged(listing, dirId, kept.subfolders(store, dirId, listing), onDir)) {
        // Not the folder whose digest it matched, or changed by this scan since it began: read it whole
        // (only a walk handed digests answers a folder unchanged, and only where it is `local`).
        reconciler.apply(listHere(local!, listing.rel, listOpts), dirId, onDir);
      }
    }
  };
  let lastYield = Date.now();
  for await (const batch of walk) {
    let entries = 0;
    for (const listing of batch) entries += 'unchanged' in listing ? 1 : listing.entries.length + 1;
    // Made at once, not gathered: the walk worker runs only a few batches ahead of what is taken,
    // so batches held back stall it and the disk and the database no longer overlap (measured at
    // 100k files: 10-15% slower), while a commit a batch costs little here (entries take
    // sequential ids: few pages are dirty).
    writer.add(() => reconcile(batch), entries);
    writer.flush();
    const now = Date.now();
    if (now - lastProgress > 100) {
      lastProgress = now;
      input.onProgress(reconciler.counts);
    }
    // A walk's own folders come without a wait: the daemon's requests get their turn.
    if (now - lastYield > YIELD_MS) {
      await yieldToEventLoop();
      lastYield = Date.now();
    }
  }
  writer.flush();
  input.onProgress(reconciler.counts);
  return { ...reconciler.counts, unconfirmed: reconciler.unconfirmed };
}

/** Longest a discovery runs without letting the event loop turn. */
const YIELD_MS = 100;

/** A location this large last time: this walk starts its worker thread at once. */
const LARGE_ENTRIES = 20_000;

/** The folder REL listed on this thread; a folder that cannot be listed is an error listing. */
function listHere(storage: LocalAccess, rel: string, opts: { ignoreRules: readonly string[]; exclude: readonly string[] }): DirListing {
  try {
    return storage.listNow(rel, opts);
  } catch (err) {
    return { rel, error: `directory cannot be read: ${describeFsError(err)}`, entries: [] };
  }
}

/** The location's folders with a kept listing digest, as the scan began. */
class KeptFolders {
  readonly digests = new Map<string, string>();
  private readonly ids = new Map<string, number>();
  private readonly children = new Map<number, Array<{ id: number; name: string }>>();

  constructor(rows: readonly KeptListing[]) {
    for (const r of rows) {
      this.digests.set(r.rel_path, r.digest);
      this.ids.set(r.rel_path, r.id);
      if (r.parent_id === null) continue;
      let list = this.children.get(r.parent_id);
      if (!list) this.children.set(r.parent_id, (list = []));
      list.push({ id: r.id, name: r.name });
    }
  }

  idAt(rel: string): number | undefined {
    return this.ids.get(rel);
  }

  /** DIRID's subfolders: those known here when all of them are, else read. */
  subfolders(store: EntryStore, dirId: number, listing: UnchangedListing): ReadonlyArray<{ id: number; name: string }> {
    const known = this.children.get(dirId) ?? [];
    return known.length === listing.unchanged.dirs ? known : store.subfolders(dirId);
  }
}
