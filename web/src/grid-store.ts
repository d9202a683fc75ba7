/**
 * The grid's data for one library: the days (read once), and the items a page at a time, only the
 * pages the visible rows need, at most a few requests at once, kept for when the user scrolls back
 * or returns from a detail view. Pages far from the last ones wanted are let go past a bound.
 *
 * The daemon names each order of the library it serves (`version`): pages are kept while they are
 * slices of the days' order. A page of another order (the library changed) shows until it is
 * replaced, and makes the days be read again, at most every REFRESH_MIN_MS: during a scan the
 * grid follows the library every few seconds, never in a loop. A new thumbnail does not change
 * the order: the pages holding its content are read again (the visible ones at once, the others
 * when next shown), on the same schedule.
 */
import { get, isAbort } from './api.js';
import { API } from './api-paths.js';
import { reportError } from './errors.js';
import type { GridDays, GridItem, GridPage } from './types.js';

export const PAGE_SIZE = 240;
const MAX_IN_FLIGHT = 3;
/** Pages kept (240 items each): about 100k items. */
const MAX_PAGES = 400;
/** A page that failed is not asked for again sooner than this. */
const RETRY_MS = 5000;
const REFRESH_MIN_MS = 2000;

interface LoadedPage {
  items: GridItem[];
  /** The order it is a slice of. */
  version: number;
  /** Shown until read again: the days moved, or a thumbnail of it changed. */
  stale: boolean;
}

export class GridStore {
  days: GridDays | null = null;
  daysError: string | null = null;
  /** Bumped when anything shown changes: the days, a page arriving. */
  version = 0;
  /** Bumped when pages read before were dropped or replaced by those of another order. */
  generation = 0;
  /** Where the user was: the scroll offset and the item with the focus (kept across views). */
  scrollTop = 0;
  focused = 0;
  /** Give the focus back to `focused` when the grid is shown again (it was opened from the keyboard or a click). */
  restoreFocus = false;

  private readonly pages = new Map<number, LoadedPage>();
  private readonly inFlight = new Map<number, AbortController>();
  private readonly failedAt = new Map<number, number>();
  private wanted: number[] = [];
  private daysRequest: Promise<void> | null = null;
  private readonly listeners = new Set<() => void>();
  private refreshedAt = 0;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  /** The days are being read again (or will be): pages of another order wait for them rather than being asked again. */
  private refreshing = false;
  /** A refresh after news of a change is on its way: unchanged days are asked once more. */
  private confirm = false;
  /** Contents whose grid thumbnail changed since the last refresh. */
  private readonly thumbsChanged = new Set<string>();

  constructor(private readonly libId: string) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getVersion = (): number => this.version;

  private changed(): void {
    this.version++;
    for (const l of this.listeners) l();
  }

  /** Read the days once (again after `refresh`). */
  loadDays(): Promise<void> {
    this.daysRequest ??= get<GridDays>(API.gridDays(this.libId)).then(
      (days) => {
        performance.mark('vss:grid-days');
        this.days = days; this.daysError = null; this.changed();
      },
      (err: unknown) => {
        this.daysRequest = null;
        this.daysError = err instanceof Error ? err.message : String(err);
        reportError(err);
        this.changed();
      },
    );
    return this.daysRequest;
  }

  /**
   * The library changed (a scan went on or finished): read the days again, at most every
   * REFRESH_MIN_MS. The daemon too reads its order again at most that often, so when the days come
   * back unchanged after news of a change (`confirm`), they are asked once more after that time.
   */
  refresh(confirm = true): void {
    this.refreshing = true;
    this.confirm ||= confirm;
    // A library mid-scan changes often; once every few seconds is enough to follow it.
    const now = Date.now();
    if (now - this.refreshedAt < REFRESH_MIN_MS) {
      this.refreshTimer ??= setTimeout(() => { this.refreshTimer = undefined; this.refresh(false); }, REFRESH_MIN_MS - (now - this.refreshedAt));
      return;
    }
    const again = this.confirm;
    this.confirm = false;
    this.refreshedAt = now;
    this.daysRequest = null;
    get<GridDays>(API.gridDays(this.libId)).then(
      (days) => {
        if (!this.newDays(days) && again) this.refresh(false);
      },
      (err: unknown) => reportError(err),
    ).finally(() => {
      if (this.refreshTimer !== undefined) return;
      this.refreshing = false;
      this.markThumbs();
      this.pump();
    });
  }

  /** The grid thumbnail of content UUID was made (or is gone): its page is read again with the next refresh. */
  thumbChanged(uuid: string): void {
    this.thumbsChanged.add(uuid);
    this.refresh(false);
  }

  /** Pages holding a content whose thumbnail changed are to be read again. */
  private markThumbs(): void {
    if (this.thumbsChanged.size === 0) return;
    for (const page of this.pages.values()) {
      if (!page.stale && page.items.some((it) => this.thumbsChanged.has(it.content_uuid))) page.stale = true;
    }
    this.thumbsChanged.clear();
  }

  /** Take the days read again; whether they are another order than before. */
  private newDays(days: GridDays): boolean {
    const old = this.days;
    this.days = days;
    this.daysError = null;
    this.daysRequest = Promise.resolve();
    if (old && old.version === days.version && sameDays(old, days)) return false;
    if (!old || !sameDays(old, days)) {
      // The days moved: what was loaded is at other places now. It shows until read again (no flash
      // of placeholders, the focused tile stays in the page); answers on their way are of the old order.
      for (const c of this.inFlight.values()) c.abort();
      this.inFlight.clear();
      for (const page of this.pages.values()) page.stale = true;
      this.failedAt.clear();
      this.generation++;
    }
    // Same days in another order (a rename, a reorder within a day): the pages show until they are read again, no flash of placeholders.
    this.changed();
    return true;
  }

  item(index: number): GridItem | undefined {
    return this.pages.get(Math.floor(index / PAGE_SIZE))?.items[index % PAGE_SIZE];
  }

  /** How many of the N items from FIRST are loaded. */
  loaded(first: number, n: number): number {
    let count = 0;
    for (let i = first; i < first + n; i++) if (this.item(i)) count++;
    return count;
  }

  /** The items FIRST..LAST (inclusive) are on screen: load their pages, the middle ones first; forget older wishes. */
  want(first: number, last: number): void {
    if (last < first) return;
    const a = Math.floor(first / PAGE_SIZE);
    const b = Math.floor(last / PAGE_SIZE);
    const middle = (a + b) / 2;
    const pages: number[] = [];
    for (let p = a; p <= b; p++) pages.push(p);
    pages.sort((x, y) => Math.abs(x - middle) - Math.abs(y - middle));
    this.wanted = pages;
    this.pump();
  }

  /** Whether page P needs reading: not loaded, or (once the days are current) stale or of another order. */
  private needs(p: number): boolean {
    const page = this.pages.get(p);
    if (!page) return true;
    return !this.refreshing && this.days !== null && (page.stale || page.version !== this.days.version);
  }

  private pump(): void {
    const now = Date.now();
    for (const p of this.wanted) {
      if (this.inFlight.size >= MAX_IN_FLIGHT) return;
      if (this.inFlight.has(p) || !this.needs(p)) continue;
      if (now - (this.failedAt.get(p) ?? 0) < RETRY_MS) continue;
      this.fetchPage(p);
    }
  }

  private fetchPage(p: number): void {
    const abort = new AbortController();
    this.inFlight.set(p, abort);
    get<GridPage>(API.grid(this.libId, p * PAGE_SIZE, PAGE_SIZE), abort.signal).then(
      (page) => {
        if (this.pages.size === 0) performance.mark('vss:grid-first-page');
        const before = this.pages.get(p);
        // Shown in place of the one read before: rows must draw again.
        if (before) this.generation++;
        this.pages.set(p, { items: page.items, version: page.version, stale: false });
        this.failedAt.delete(p);
        this.evict();
        // A slice of another order than the days': the library changed since they were read.
        if (this.days && (page.version !== this.days.version || page.total !== this.days.total)) this.refresh(false);
      },
      (err: unknown) => {
        if (isAbort(err)) return;
        this.failedAt.set(p, Date.now());
        reportError(err);
      },
    ).finally(() => {
      if (this.inFlight.get(p) === abort) this.inFlight.delete(p);
      if (!abort.signal.aborted) {
        this.changed();
        this.pump();
      }
    });
  }

  private evict(): void {
    if (this.pages.size <= MAX_PAGES) return;
    const keep = new Set(this.wanted);
    const centre = this.wanted[0] ?? 0;
    const far = [...this.pages.keys()].filter((p) => !keep.has(p)).sort((x, y) => Math.abs(y - centre) - Math.abs(x - centre));
    for (const p of far.slice(0, this.pages.size - MAX_PAGES)) this.pages.delete(p);
  }
}

function sameDays(a: GridDays, b: GridDays): boolean {
  if (a.total !== b.total || a.days.length !== b.days.length) return false;
  return a.days.every((d, i) => d.day === b.days[i]!.day && d.count === b.days[i]!.count);
}

const stores = new Map<string, GridStore>();

/** The grid store of a library, one per library for the life of the page. */
export function gridStore(libId: string): GridStore {
  let s = stores.get(libId);
  if (!s) {
    s = new GridStore(libId);
    stores.set(libId, s);
  }
  return s;
}
