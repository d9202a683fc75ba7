import type { GridDay } from '../wire/browse.js';
import type { BrowseStore } from '../store/browse.js';

export type { GridDay };

/** The browse order: content ids, and the days as runs of it. */
export interface GridOrder {
  /** grid_version.n when this was read: the order's identity (pages of one version are slices of one order). */
  version: number;
  ids: Int32Array;
  days: GridDay[];
}

export interface GridOrderOptions {
  /** While changes keep coming, the order is read again at most this often; between, the last one is served. */
  minRebuildMs?: number;
  now?: () => number;
}

/** A scan bumps the version with every file: reading the order again once every two seconds is enough to follow it. */
export const GRID_REBUILD_MIN_MS = 2000;

/**
 * The web UI's grid order (migration 009): contents by capture day, newest first, then capture
 * instant, newest first, then the file name, then id. Undated contents (no capture time in the
 * file: documents, screenshots without EXIF) come last, by name: their mtime is when they were
 * copied, not taken, and would scatter them among real days. A Live Photo's movie is its
 * still's sidecar, not an item of its own.
 *
 * The order is read once into memory (4 bytes a content) and kept until grid_version moves,
 * so a page at any offset is a slice, not an OFFSET scan. Reading it blocks the daemon (tens of
 * milliseconds at 100k contents, bench/grid-bench.ts), and during a scan every file moves the
 * version: so it is read again at most every GRID_REBUILD_MIN_MS, and the answers say which
 * order (`version`) they are slices of.
 */
export class GridOrderCache {
  private order: GridOrder | undefined;
  private builtAt = 0;
  private readonly minRebuildMs: number;
  private readonly now: () => number;

  constructor(private readonly store: BrowseStore, options: GridOrderOptions = {}) {
    this.minRebuildMs = options.minRebuildMs ?? GRID_REBUILD_MIN_MS;
    this.now = options.now ?? Date.now;
  }

  /** The current order; read again when something moved since and the last read is old enough. */
  current(): GridOrder {
    if (this.order !== undefined && this.now() - this.builtAt < this.minRebuildMs) return this.order;
    if (this.order?.version !== this.store.version()) {
      // One snapshot: the rows and the tied contents' names are of the same moment.
      this.order = this.store.inSnapshot(() => readOrder(this.store));
      this.builtAt = this.now();
    }
    return this.order;
  }
}

/**
 * One snapshot of the order's rows (store/browse.ts), made into the order: the contents with a
 * file copy that are not shown through another, by day, and the first names only of the contents
 * that tie on their instant (a burst, or the undated ones), the only ones the name orders.
 */
function readOrder(store: BrowseStore): GridOrder {
  const { version, ids: all, instants, dayRuns, withFile, hidden: hiddenIds } = store.orderSnapshot();
  const hidden = new Set(hiddenIds);
  let maxId = 0;
  for (const id of all) if (id > maxId) maxId = id;
  const shown = new Uint8Array(maxId + 1);
  for (const id of withFile) {
    if (id <= maxId && !hidden.has(id)) shown[id] = 1;
  }

  const ids = new Int32Array(all.length);
  const days: GridDay[] = [];
  /** [start, end) of ids that tie on day and instant. */
  const ties: Array<[number, number]> = [];
  let n = 0;
  let at = 0;
  for (const [day, count] of dayRuns) {
    const dayStart = n;
    let tieStart = n;
    for (const end = Math.min(at + count, all.length); at < end; at++) {
      if (at > 0 && n > dayStart && instants[at] !== instants[at - 1]) {
        if (n - tieStart > 1) ties.push([tieStart, n]);
        tieStart = n;
      }
      const id = all[at]!;
      if (shown[id] === 1) ids[n++] = id;
    }
    if (n - tieStart > 1) ties.push([tieStart, n]);
    if (n > dayStart) days.push({ day, count: n - dayStart });
  }
  if (ties.length > 0) sortTies(store, ids, ties);
  return { version, ids: ids.slice(0, n), days };
}

/** Order each run of ids that tie on their instant by first name, then id. */
function sortTies(store: BrowseStore, ids: Int32Array, ties: Array<[number, number]>): void {
  const names = firstNames(store, ids, ties);
  const byName = (a: number, b: number) => {
    const x = names.get(a) ?? '';
    const y = names.get(b) ?? '';
    return x < y ? -1 : x > y ? 1 : a - b;
  };
  for (const [start, end] of ties) ids.subarray(start, end).sort(byName);
}

/** The first copy's name of each tied content: of those alone when they are few, else of all in one pass. */
function firstNames(store: BrowseStore, ids: Int32Array, ties: Array<[number, number]>): Map<number, string> {
  const tied: number[] = [];
  for (const [start, end] of ties) for (let i = start; i < end; i++) tied.push(ids[i]!);
  // Looking one up by the content index costs about two rows of the whole table's pass.
  const rows = store.fileNames(tied.length * 2 < ids.length ? tied : 'all');
  const names = new Map<number, string>();
  // In id order: the first row of a content is its first copy.
  for (const [id, name] of rows) if (!names.has(id)) names.set(id, name);
  return names;
}
