/**
 * The grid's data for one library: the days (read once), and the items a page at a time, only the
 * pages the visible rows need, at most a few requests at once, kept for when the user scrolls back
 * or returns from a detail view. Pages far from the last ones wanted are let go past a bound.
 *
 * The daemon names each order of the library it serves (`version`): pages are kept while they are
 * slices of the days' order. A page of another order (the library changed) shows until it is
 * replaced, and makes the days be read again, at most every REFRESH_MIN_MS: during a scan the
 * grid follows the library every few seconds, never in a loop. Only the newest days read counts
 * (an older answer arriving late is dropped), and its end lets the pages be read again, whatever
 * events came meanwhile. A new thumbnail does not change the order: the loaded pages holding its
 * content are marked and read again (the visible ones at once, the others when next shown), at
 * most every REFRESH_MIN_MS, with no days read; a page read that was on its way when the
 * thumbnail changed is marked again when it arrives.
 */
import { get, isAbort } from './api.js';
import { Subscribable } from './subscribable.js';
import { API } from './api-paths.js';
import { reportError } from './errors.js';
import { settle } from './meta-store.js';
import type { GridDays, GridFilter, GridItem, GridPage } from './types.js';

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

/** Its version is bumped when anything shown changes: the days, a page arriving. */
export class GridStore extends Subscribable {
  days: GridDays | null = null;
  daysError: string | null = null;
  /** Bumped when pages read before were dropped or replaced by those of another order. */
  generation = 0;
  /** Where the user was: the scroll offset and the item with the focus (kept across views). */
  scrollTop = 0;
  focused = 0;
  /** Give the focus back to `focused` when the grid is shown again (it was opened from the keyboard or a click). */
  restoreFocus = false;

  private readonly pages = new Map<number, LoadedPage>();
  /** The members of each stack a loaded tile is the cover of (issue 45): what a file operation on the tile takes. */
  private readonly stackMembers = new Map<string, string[]>();
  private readonly inFlight = new Map<number, PageRead>();
  private readonly failedAt = new Map<number, number>();
  private wanted: number[] = [];
  /** The number of the newest days read: an answer to an older one is dropped. */
  private daysSeq = 0;
  private daysRequest: Promise<boolean> | null = null;
  private refreshedAt = 0;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  /** The days are to be read again (or are being read): pages of another order wait for them rather than being asked again. */
  private refreshing = false;
  /** A refresh after news of a change is on its way: unchanged days are asked once more. */
  private confirm = false;
  /** Contents whose grid thumbnail changed since their pages were last marked. */
  private readonly thumbsChanged = new Set<string>();
  private thumbsMarkedAt = 0;
  private thumbTimer: ReturnType<typeof setTimeout> | undefined;

  /** DEVICE: the grid of that device's contents only (`local`, or a device id); null, every device's. FILTER: by tag, favourite, rating, hidden too. */
  constructor(private readonly libId: string, readonly device: string | null = null, readonly filter: GridFilter = {}) {
    super();
  }


  /** Read the days once (again after `refresh`, or after a failure). */
  async loadDays(): Promise<void> {
    if (this.days !== null) return;
    await (this.daysRequest ?? this.readDays());
  }

  /**
   * The library changed (a scan went on or finished): read the days again, at most every
   * REFRESH_MIN_MS. The daemon too reads its order again at most that often, so after news of a
   * change (`confirm`) the days are asked once more after that time, changed or not.
   */
  refresh(confirm = true): void {
    this.refreshing = true;
    this.confirm ||= confirm;
    if (this.refreshTimer !== undefined) return;
    // A library mid-scan changes often; once every few seconds is enough to follow it.
    const wait = REFRESH_MIN_MS - (Date.now() - this.refreshedAt);
    if (wait > 0) {
      this.refreshTimer = setTimeout(() => { this.refreshTimer = undefined; this.startRefresh(); }, wait);
      return;
    }
    this.startRefresh();
  }

  private startRefresh(): void {
    const again = this.confirm;
    this.confirm = false;
    this.refreshedAt = Date.now();
    // After news, once more in REFRESH_MIN_MS whatever this read brought: the daemon may answer from
    // an order made before the news's last write (it reads its order at most that often), and a
    // changed answer is not a whole one. The second read confirms nothing further.
    void this.readDays().then((answered) => {
      if (answered && again) this.refresh(false);
    });
  }

  /**
   * Read the days; whether they were taken (false: failed, or a newer read was asked meanwhile).
   * The newest read's end, whatever it brought, lets stale pages be read again.
   */
  private readDays(): Promise<boolean> {
    const seq = ++this.daysSeq;
    const request = get<GridDays>(API.gridDays(this.libId, this.device, this.filter)).then(
      (days) => {
        if (seq !== this.daysSeq) return false;
        this.newDays(days);
        return true;
      },
      (err: unknown) => {
        if (seq !== this.daysSeq) return false;
        if (this.days === null) {
          this.daysError = err instanceof Error ? err.message : String(err);
          this.changed();
        }
        reportError(err);
        return false;
      },
    ).finally(() => {
      if (seq !== this.daysSeq) return;
      this.daysRequest = null;
      this.refreshing = false;
      this.pump();
    });
    this.daysRequest = request;
    return request;
  }

  /** The grid thumbnail of content UUID was made (or is gone): the pages showing it are read again, soon. */
  thumbChanged(uuid: string): void {
    this.thumbsChanged.add(uuid);
    // A read on its way may have been answered before the thumbnail was there.
    for (const f of this.inFlight.values()) f.thumbsChanged.add(uuid);
    this.scheduleThumbs();
  }

  /** Marks the pages of the changed thumbnails, at most every REFRESH_MIN_MS (however many come), and reads the visible ones. */
  private scheduleThumbs(): void {
    if (this.thumbTimer !== undefined || this.thumbsChanged.size === 0) return;
    const wait = Math.max(0, REFRESH_MIN_MS - (Date.now() - this.thumbsMarkedAt));
    this.thumbTimer = setTimeout(() => {
      this.thumbTimer = undefined;
      this.thumbsMarkedAt = Date.now();
      this.markThumbs();
      this.pump();
    }, wait);
  }

  /** Pages holding a content whose thumbnail changed are to be read again. */
  private markThumbs(): void {
    for (const page of this.pages.values()) {
      if (!page.stale && page.items.some((it) => this.thumbsChanged.has(it.content_uuid))) page.stale = true;
    }
    this.thumbsChanged.clear();
  }

  /** Take the days read again. */
  private newDays(read: GridDays): void {
    const old = this.days;
    // The devices as drawn stay the same object while nothing of them changed (the tiles' rows are drawn again only when one did).
    const days = old && sameDevices(old, read) ? { ...read, devices: old.devices } : read;
    this.days = days;
    this.daysError = null;
    if (!old) performance.mark('vss:grid-days');
    if (old && old.version === days.version && sameDays(old, days)) {
      // The same order; a device came online or went offline: its tiles say so.
      if (old.devices !== days.devices) this.changed();
      return;
    }
    if (!old || !sameDays(old, days)) {
      // The days moved: what was loaded is at other places now. It shows until read again (no flash
      // of placeholders, the focused tile stays in the page); answers on their way are of the old order.
      for (const f of this.inFlight.values()) f.abort.abort();
      this.inFlight.clear();
      for (const page of this.pages.values()) page.stale = true;
      this.failedAt.clear();
      this.generation++;
    }
    // Same days in another order (a rename, a reorder within a day): the pages show until they are read again, no flash of placeholders.
    this.changed();
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

  private noteStacks(items: readonly GridItem[]): void {
    for (const it of items) {
      if (it.stack) this.stackMembers.set(it.content_uuid, it.stack.members);
      else this.stackMembers.delete(it.content_uuid);
    }
  }

  /** UUIDS with the members of the stacks among them (a stack's tile stands for every photo in it), each once. */
  withStacks(uuids: readonly string[]): string[] {
    const out = new Set<string>();
    for (const u of uuids) {
      out.add(u);
      for (const m of this.stackMembers.get(u) ?? []) out.add(m);
    }
    return [...out];
  }

  /**
   * The contents of items FIRST..LAST (inclusive), in order: a range or a day picked for a bulk
   * action may reach past the pages read, which are read now (and kept, as if scrolled to).
   */
  async uuidsIn(first: number, last: number): Promise<string[]> {
    const missing: number[] = [];
    for (let p = Math.floor(first / PAGE_SIZE); p <= Math.floor(last / PAGE_SIZE); p++) {
      const page = this.pages.get(p);
      if (!page || page.stale) missing.push(p);
    }
    for (let at = 0; at < missing.length; at += MAX_IN_FLIGHT) {
      await Promise.all(missing.slice(at, at + MAX_IN_FLIGHT).map(async (p) => {
        const page = await get<GridPage>(API.grid(this.libId, p * PAGE_SIZE, PAGE_SIZE, this.device, this.filter));
        this.pages.set(p, { items: page.items, version: page.version, stale: false });
        this.noteStacks(page.items);
      }));
    }
    if (missing.length > 0) {
      this.generation++;
      this.changed();
    }
    const out: string[] = [];
    for (let i = first; i <= last; i++) {
      const item = this.item(i);
      if (item) out.push(item.content_uuid);
    }
    return out;
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

  /**
   * Where content UUID is: in a page read since the order last moved (`fresh`), else in a stale
   * one, which may hold it at its old place.
   */
  find(uuid: string): { index: number; fresh: boolean } | undefined {
    let old: { index: number; fresh: boolean } | undefined;
    for (const [p, page] of this.pages) {
      if (!page.stale) {
        const i = page.items.findIndex((it) => it.content_uuid === uuid);
        if (i >= 0) return { index: p * PAGE_SIZE + i, fresh: true };
      } else if (!old) {
        const i = page.items.findIndex((it) => it.content_uuid === uuid);
        if (i >= 0) old = { index: p * PAGE_SIZE + i, fresh: false };
      }
    }
    return old;
  }

  /**
   * Whether page P needs reading: not loaded, or (the days known) stale, or of another order than
   * the days once they are read again (until then it would only be of another order again).
   */
  private needs(p: number): boolean {
    const page = this.pages.get(p);
    if (!page) return true;
    if (this.days === null) return false;
    return page.stale || (!this.refreshing && page.version !== this.days.version);
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
    const read: PageRead = { abort: new AbortController(), thumbsChanged: new Set() };
    this.inFlight.set(p, read);
    const sentAt = Date.now();
    get<GridPage>(API.grid(this.libId, p * PAGE_SIZE, PAGE_SIZE, this.device, this.filter), read.abort.signal).then(
      (page) => {
        // What the user set on these tiles is in this page when it was asked for after the daemon took it.
        settle(page.items.map((it) => it.content_uuid), sentAt);
        if (this.pages.size === 0) performance.mark('vss:grid-first-page');
        const before = this.pages.get(p);
        // Shown in place of the one read before: rows must draw again.
        if (before) this.generation++;
        this.pages.set(p, { items: page.items, version: page.version, stale: false });
        this.noteStacks(page.items);
        this.failedAt.delete(p);
        this.evict();
        // Thumbnails made while it was read: it is marked again with the next ones (not at once: a page of busy thumbnails is not read in a loop).
        const again = page.items.filter((it) => read.thumbsChanged.has(it.content_uuid));
        if (again.length > 0) {
          for (const it of again) this.thumbsChanged.add(it.content_uuid);
          this.scheduleThumbs();
        }
        // A slice of another order than the days': the library changed since they were read.
        if (this.days && (page.version !== this.days.version || page.total !== this.days.total)) this.refresh(false);
      },
      (err: unknown) => {
        if (isAbort(err)) return;
        this.failedAt.set(p, Date.now());
        reportError(err);
      },
    ).finally(() => {
      if (this.inFlight.get(p) === read) this.inFlight.delete(p);
      if (!read.abort.signal.aborted) {
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

/** A page read on its way. */
interface PageRead {
  abort: AbortController;
  /** Contents whose thumbnail changed since it was asked for. */
  thumbsChanged: Set<string>;
}

function sameDevices(a: GridDays, b: GridDays): boolean {
  if (a.devices.length !== b.devices.length) return false;
  return a.devices.every((d, i) => {
    const e = b.devices[i]!;
    return d.device_id === e.device_id && d.name === e.name && d.online === e.online && d.local === e.local;
  });
}

function sameDays(a: GridDays, b: GridDays): boolean {
  if (a.total !== b.total || a.days.length !== b.days.length) return false;
  return a.days.every((d, i) => d.day === b.days[i]!.day && d.count === b.days[i]!.count);
}

const stores = new Map<string, GridStore>();

/** Grids of other filters kept (with their place and pages) for when the user comes back to them. */
const MAX_STORES = 12;

/** The grid store of a library (of one device's contents in it, with DEVICE; narrowed by FILTER), one each for the life of the page. */
export function gridStore(libId: string, device: string | null = null, filter: GridFilter = {}): GridStore {
  const f = filterKey(filter);
  const key = device === null && f === '' ? libId : `${libId}|${device ?? ''}|${f}`;
  let s = stores.get(key);
  if (s) stores.delete(key);
  else s = new GridStore(libId, device, filter);
  // Last used last: the one let go is the one least lately shown.
  stores.set(key, s);
  if (stores.size > MAX_STORES) stores.delete(stores.keys().next().value!);
  return s;
}

/** FILTER as a key: its fields that narrow anything, in one order. */
export function filterKey(filter: GridFilter): string {
  return [filter.tag ? `tag=${filter.tag}` : '', filter.favorite ? 'fav' : '', filter.rating ? `rating=${filter.rating}` : '', filter.hidden ? 'hidden' : '', filter.person ? `person=${filter.person}` : '',
    filter.album ? `album=${filter.album}` : '', filter.kinds ? `kinds=${filter.kinds}` : '', filter.risk ? 'risk' : ''].filter((x) => x !== '').join('&');
}
