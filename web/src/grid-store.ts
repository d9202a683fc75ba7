/**
 * The grid's data for one library: the days (read once), and the items a page at a time, only the
 * pages the visible rows need, at most a few requests at once, kept for when the user scrolls back
 * or returns from a detail view. Pages far from the last ones wanted are let go past a bound.
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

export class GridStore {
  days: GridDays | null = null;
  daysError: string | null = null;
  /** Bumped when anything shown changes: the days, a page arriving. */
  version = 0;
  /** Bumped when the pages read before were dropped for new ones. */
  generation = 0;
  /** Where the user was: the scroll offset and the item with the focus (kept across views). */
  scrollTop = 0;
  focused = 0;
  /** Give the focus back to `focused` when the grid is shown again (it was opened from the keyboard or a click). */
  restoreFocus = false;

  private readonly pages = new Map<number, GridItem[]>();
  private readonly inFlight = new Map<number, AbortController>();
  private readonly failedAt = new Map<number, number>();
  private wanted: number[] = [];
  private daysRequest: Promise<void> | null = null;
  private readonly listeners = new Set<() => void>();
  private refreshedAt = 0;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

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
      (days) => { this.days = days; this.daysError = null; this.changed(); },
      (err: unknown) => {
        this.daysRequest = null;
        this.daysError = err instanceof Error ? err.message : String(err);
        reportError(err);
        this.changed();
      },
    );
    return this.daysRequest;
  }

  /** The library changed (a scan finished): read the days again, then drop the pages read before. */
  refresh(): void {
    // A library mid-scan changes often; once every few seconds is enough to follow it.
    const now = Date.now();
    if (now - this.refreshedAt < REFRESH_MIN_MS) {
      this.refreshTimer ??= setTimeout(() => { this.refreshTimer = undefined; this.refresh(); }, REFRESH_MIN_MS - (now - this.refreshedAt));
      return;
    }
    this.refreshedAt = now;
    this.daysRequest = null;
    get<GridDays>(API.gridDays(this.libId)).then(
      (days) => {
        for (const c of this.inFlight.values()) c.abort();
        this.inFlight.clear();
        this.pages.clear();
        this.failedAt.clear();
        this.days = days;
        this.generation++;
        this.daysRequest = Promise.resolve();
        this.changed();
        this.pump();
      },
      (err: unknown) => reportError(err),
    );
  }

  item(index: number): GridItem | undefined {
    return this.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
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

  private pump(): void {
    const now = Date.now();
    for (const p of this.wanted) {
      if (this.inFlight.size >= MAX_IN_FLIGHT) return;
      if (this.pages.has(p) || this.inFlight.has(p)) continue;
      if (now - (this.failedAt.get(p) ?? 0) < RETRY_MS) continue;
      this.fetchPage(p);
    }
  }

  private fetchPage(p: number): void {
    const abort = new AbortController();
    this.inFlight.set(p, abort);
    get<GridPage>(API.grid(this.libId, p * PAGE_SIZE, PAGE_SIZE), abort.signal).then(
      (page) => {
        this.pages.set(p, page.items);
        this.failedAt.delete(p);
        this.evict();
        // The library grew or shrank since the days were read: read them again.
        if (this.days && page.total !== this.days.total) this.refresh();
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
