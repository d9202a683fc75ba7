import type { GridLayout } from './grid-layout.js';
import { rowOfItem } from './grid-layout.js';
import type { GridStore } from './grid-store.js';
import type { GridDays } from './types.js';

/*
 * The tile a person is looking at while the library changes under the grid (a scan, new
 * thumbnails): noted before the change is drawn, and kept where it was on screen after it
 * (library-grid.tsx), found by its content in the pages read since.
 */

/** The first tile on screen before the library changed, followed until it is found again in the pages read since. */
export interface Pin {
  uuid: string;
  /** Its place (in the order of DAYS) and day, to tell where it went before its page is read again. */
  index: number;
  day: string | null;
  days: GridDays;
  /** How far down the screen its top was, and how far below its row's top. */
  top: number;
  inRow: number;
  /** The scroll offset it was last put at (null: not yet): another one means the user scrolled. */
  scrolledTo: number | null;
}

/** Whether the view was scrolled (by the user) since the pin was last kept in view. */
export function userScrolled(p: Pin, scroller: HTMLElement): boolean {
  return p.scrolledTo !== null && Math.abs(scroller.scrollTop - p.scrolledTo) > 2;
}

export function focusedUuid(grid: HTMLElement): string | null {
  const active = document.activeElement;
  return active instanceof HTMLElement && grid.contains(active) ? active.dataset.uuid ?? null : null;
}

export function noteView(grid: HTMLElement, scroller: HTMLElement, days: GridDays): Pin | null {
  if (scroller.scrollTop <= 0) return null;
  const top = scroller.getBoundingClientRect().top;
  // Rows are in the page in their order. The first whole tile on screen is the one pinned, the
  // one a person is looking at: days share rows, so a change above can flow a half-hidden row's
  // tiles onto other rows than the next one's. A tile cut by the top edge only when none is whole.
  let cut: HTMLElement | null = null;
  for (const t of grid.querySelectorAll<HTMLElement>('[data-uuid]')) {
    const r = t.getBoundingClientRect();
    if (r.bottom <= top || !t.dataset.uuid || !Number.isInteger(Number(t.dataset.i))) continue;
    if (r.top >= top - 1) return pinOf(t, top, days);
    cut ??= t;
  }
  return cut && pinOf(cut, top, days);
}

function pinOf(t: HTMLElement, top: number, days: GridDays): Pin {
  const r = t.getBoundingClientRect();
  const index = Number(t.dataset.i);
  const row = t.closest('.grid-row')?.getBoundingClientRect().top ?? r.top;
  return { uuid: t.dataset.uuid!, index, day: dayOf(days, index), days, top: r.top - top, inRow: r.top - row, scrolledTo: null };
}

/**
 * Scroll so that the pinned tile is where it was on screen; whether it was found for sure (in a
 * page read since the change) and the pin can go.
 */
export function keepInView(p: Pin, grid: HTMLElement, scroller: HTMLElement, store: GridStore, days: GridDays, layout: GridLayout, rowStart: (row: number) => number | undefined): boolean {
  const at = store.find(p.uuid);
  const index = at?.fresh ? at.index : movedTo(p, days) ?? at?.index;
  if (index === undefined) return at?.fresh ?? false;
  // Its page was read in the new order before the days were (the days are read again when a page
  // says they are behind): the pin waits for them, rather than going with the view never moved.
  if (index >= layout.items) return false;
  const tile = grid.querySelector<HTMLElement>(`[data-i="${index}"]`);
  const viewTop = scroller.getBoundingClientRect().top;
  let target: number | undefined;
  if (tile && tile.dataset.uuid === p.uuid) {
    target = scroller.scrollTop + tile.getBoundingClientRect().top - viewTop - p.top;
  } else {
    const start = rowStart(rowOfItem(layout, index));
    if (start !== undefined) target = grid.getBoundingClientRect().top - viewTop + scroller.scrollTop + start + p.inRow - p.top;
  }
  if (target !== undefined && Math.abs(target - scroller.scrollTop) >= 1) scroller.scrollTop = target;
  p.index = index;
  p.days = days;
  p.scrolledTo = scroller.scrollTop;
  return at?.fresh ?? false;
}

/** The day holding item INDEX, as drawn. */
function dayOf(days: GridDays, index: number): string | null {
  let n = 0;
  for (const d of days.days) {
    n += d.count;
    if (index < n) return d.day;
  }
  return null;
}

/** Where the pinned tile is in the order of DAYS, by the days alone: moved by what came (or went) in the days before its own. */
function movedTo(p: Pin, days: GridDays): number | undefined {
  if (p.days === days) return p.index;
  const before = (d: GridDays) => {
    let n = 0;
    for (const x of d.days) {
      if (x.day === p.day) return n;
      n += x.count;
    }
    return undefined;
  };
  const was = before(p.days);
  const now = before(days);
  return was === undefined || now === undefined ? undefined : p.index + now - was;
}
