import type { EntryFacts, EntryStore, ListedRow, ScannedEntry } from '../store/entries.js';
import { relPathProblem } from '../core/address.js';
import type { HeldFiles } from './held-files.js';
import type { SeenSet } from './seen-set.js';
import type { DirListing, LocationStorage, UnchangedListing } from '../storage/port.js';
import { listingDigest } from '../storage/walk-wire.js';

export interface DiscoveryCounts {
  files: number;
  dirs: number;
  bytes: number;
  added: number;
  changed: number;
  moved: number;
}

export interface ListingContext {
  store: EntryStore;
  locationId: number;
  storage: LocationStorage;
  seen: SeenSet;
  /**
   * The location had no rows but its root when the scan began (a first scan): every folder's
   * rows are the ones this scan adds, so there are none to read, and nothing can have moved.
   */
  fresh: boolean;
  /** With `fresh`: new small files are held here until read (held-files.ts), not inserted. */
  held?: HeldFiles;
  onSkip: (path: string, reason: string) => void;
}

/** A subfolder of a listed folder; `settled`: the same row at the same path as before (nothing moved it here). */
export interface ListedDir {
  rel: string;
  name: string;
  id: number;
  settled: boolean;
}

/**
 * The one entry loop: bring the rows of one folder in line with its listing, in walk order
 * (parents before children). Whoever walks (a whole location, or the folders a watcher saw
 * change) hands each listing here and decides which subfolders to list next. Its writes are made
 * in the caller's transaction (a batch of its writer), so a listing is applied whole.
 */
export class ListingReconciler {
  readonly counts: DiscoveryCounts = { files: 0, dirs: 0, bytes: 0, added: 0, changed: 0, moved: 0 };
  /**
   * Rows a listed folder had that its listing did not confirm (gone, or moved to a folder listed
   * later). Every row lies in some folder, and a folder not listed is itself such a row in its
   * parent's listing (or kept whole when unreadable): when this stays 0, nothing is gone.
   */
  unconfirmed = 0;

  constructor(private readonly ctx: ListingContext) {}

  /**
   * Reconcile LISTING, the listing of the folder whose row is DIRID; ONDIR hears of each of its
   * subfolders. Returns the rows the folder had before (undefined when it could not be read: then
   * what we knew of it is kept, as an unreadable folder is not an empty one).
   */
  apply(listing: DirListing, dirId: number, onDir: (dir: ListedDir) => void): ListedRow[] | undefined {
    const { store, seen, onSkip } = this.ctx;
    const counts = this.counts;
    if (listing.error) {
      onSkip(listing.rel, listing.error);
      protectSubtree(store, dirId, seen);
      return undefined;
    }
    const rows = this.ctx.fresh ? [] : store.listedChildren(dirId, listing.rel);
    const known = new Map<string, ListedRow>();
    for (const row of rows) known.set(row.name, row);
    const prefix = listing.rel === '' ? '' : `${listing.rel}/`;
    // New rows are written together once the listing is read; subfolders are told of in listing order.
    const added: EntryFacts[] = [];
    const dirs: Array<ListedDir | { rel: string; name: string; added: number }> = [];
    let skips = 0;
    let held = 0;
    for (const entry of listing.entries) {
      if ('skip' in entry) {
        skips++;
        onSkip(prefix + entry.name, entry.skip);
        const row = entry.lossy ? known.get(entry.name) : undefined;
        if (row) protectEntry(store, row, seen);
        continue;
      }
      const had = known.get(entry.name);
      let id: number | undefined;
      if (had !== undefined && had.at_place && had.kind === entry.kind && had.inode === entry.inode && had.size === entry.size
        && had.mtime_ms === entry.mtimeMs && had.ctime_ms === entry.ctimeMs && had.link_target === entry.linkTarget) {
        // As the last scan left it (most of a rescan): nothing to write, no record to make.
        seen.add(had.id);
        id = had.id;
      } else {
        const facts: EntryFacts = {
          parent_id: dirId, name: entry.name, rel_path: prefix + entry.name, kind: entry.kind,
          size: entry.size, inode: entry.inode, mtime_ms: entry.mtimeMs, ctime_ms: entry.ctimeMs, link_target: entry.linkTarget,
        };
        id = this.reconcileEntry(known, facts);
        if (id === undefined) {
          if (this.ctx.held?.take(facts)) held++;
          else added.push(facts);
        }
      }
      if (entry.kind === 'dir') {
        counts.dirs++;
        const rel = prefix + entry.name;
        if (id === undefined) dirs.push({ rel, name: entry.name, added: added.length - 1 });
        else dirs.push({ rel, name: entry.name, id, settled: had !== undefined && had.id === id && had.at_place });
      } else if (entry.kind === 'file') {
        counts.files++;
        counts.bytes += entry.size;
      }
    }
    let ids: number[] = [];
    if (added.length > 0) {
      ids = store.insertMany(this.ctx.locationId, added);
      for (const id of ids) seen.add(id);
      counts.added += ids.length;
    }
    counts.added += held;
    for (const d of dirs) onDir('added' in d ? { rel: d.rel, name: d.name, id: ids[d.added]!, settled: false } : d);
    for (const row of rows) if (!seen.has(row.id, dirId)) this.unconfirmed++;
    // The folder's rows are now exactly its listing: the next rescan that lists the same may trust
    // them unread. A listing with names that could not be indexed keeps no digest (rows the
    // reconcile protected rather than confirmed may lie behind them).
    if (skips === 0) {
      const digest = listing.digest ?? listingDigest(listing.entries);
      // Files held back are not rows yet: the digest waits for them.
      if (held > 0) this.ctx.held!.digests.set(dirId, digest);
      else store.keepListing(dirId, digest);
    }
    return rows;
  }

  /**
   * Take a folder a walk found unchanged: the listing has the digest kept for the folder's rows
   * (checked again here, as this scan may have changed them since it began), so every row is
   * confirmed unread. SUBFOLDERS: the folder's subfolder rows. False when the digest is no longer
   * kept: the caller lists the folder and applies that listing instead.
   */
  applyUnchanged(listing: UnchangedListing, dirId: number, subfolders: ReadonlyArray<{ id: number; name: string }>, onDir: (dir: ListedDir) => void): boolean {
    const { store, seen } = this.ctx;
    const sum = listing.unchanged;
    if (subfolders.length !== sum.dirs || store.keptListing(dirId) !== listing.digest) return false;
    seen.addFolder(dirId, sum.entries);
    this.counts.files += sum.files;
    this.counts.dirs += sum.dirs;
    this.counts.bytes += sum.bytes;
    const prefix = listing.rel === '' ? '' : `${listing.rel}/`;
    for (const d of subfolders) onDir({ rel: prefix + d.name, name: d.name, id: d.id, settled: true });
    return true;
  }

  /** Bring one row in line with what is on disk; returns the entry's id, or undefined when it is a new one to add. */
  private reconcileEntry(known: Map<string, ListedRow>, facts: EntryFacts): number | undefined {
    const { store, seen } = this.ctx;
    const counts = this.counts;
    let existing = known.get(facts.name);
    if (existing && existing.kind !== facts.kind) {
      store.delete(existing.id); // a file became a folder or the like: start over for this name
      existing = undefined;
    }
    if (existing) {
      seen.add(existing.id);
      const bytesMayDiffer = existing.inode !== facts.inode || existing.size !== facts.size || existing.mtime_ms !== facts.mtime_ms
        || ctimeMoved(existing.ctime_ms, facts.ctime_ms);
      const relinked = existing.link_target !== facts.link_target;
      if (bytesMayDiffer || relinked || !existing.at_place) {
        store.update(existing.id, facts, facts.kind === 'file' && bytesMayDiffer);
        if (bytesMayDiffer || relinked) counts.changed++;
      } else if (existing.ctime_ms === null && facts.ctime_ms != null) {
        // Not known before (a row from before ctimes were kept): recorded, nothing else changed.
        store.recordCtime(existing.id, facts.ctime_ms);
      }
      return existing.id;
    }
    if (!this.ctx.fresh) {
      const moved = this.findMovedEntry(facts);
      if (moved) {
        // Renamed within this folder: its old name is free now, whatever appears under it next.
        if (known.get(moved.name)?.id === moved.id) known.delete(moved.name);
        seen.add(moved.id);
        // A rename changes the ctime: a file found by its inode keeps its identity, its new ctime recorded.
        const bytesMayDiffer = moved.size !== facts.size || moved.mtime_ms !== facts.mtime_ms;
        store.update(moved.id, facts, facts.kind === 'file' && bytesMayDiffer);
        counts.moved++;
        return moved.id;
      }
    }
    return undefined;
  }

  /**
   * A name we have not seen before may be an entry that moved: same inode, same kind, not yet
   * confirmed at its old place, and no longer there (else it is a hard link).
   */
  private findMovedEntry(facts: EntryFacts): ScannedEntry | undefined {
    const { store, locationId, seen, storage } = this.ctx;
    // Followed by inode, looked at again at once: where files have no inode (a bucket's objects),
    // one copied to another key is a new file there.
    const local = storage.caps.inodes ? storage.local : null;
    if (!local) return undefined;
    for (const row of store.byInode(locationId, facts.inode)) {
      // A hand-edited row's path could lead outside the location: it is never looked at.
      if (row.kind !== facts.kind || seen.has(row.id, row.parent_id) || row.rel_path === '' || relPathProblem(row.rel_path)) continue;
      let still: { ino: number } | undefined;
      try {
        still = local.statNow(row.rel_path);
      } catch {
        still = undefined;
      }
      if (still && still.ino === facts.inode) continue;
      return row;
    }
    return undefined;
  }
}

/**
 * Whether a file's ctime says its inode changed since the row was written, while its size, mtime
 * and inode did not: its bytes may differ (edited and its mtime put back), so it is identified
 * again, as git does with core.trustctime. A ctime not known on either side says nothing.
 */
function ctimeMoved(had: number | null, now: number | null | undefined): boolean {
  return had !== null && now != null && had !== now;
}

function protectEntry(store: EntryStore, row: Pick<ListedRow, 'id' | 'kind'>, seen: SeenSet): void {
  seen.add(row.id);
  if (row.kind === 'dir') protectSubtree(store, row.id, seen);
}

/** Keep a folder's rows and everything beneath them: confirmed without being listed. */
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
