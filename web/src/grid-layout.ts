/**
 * The grid's rows: each day a header row, then rows of COLS thumbnails. Rows are typed arrays
 * (100k contents are about 25k rows), so building them on a resize costs a few milliseconds and
 * finding an item's row is a binary search.
 */
import type { GridDay } from './types.js';

export interface GridLayout {
  cols: number;
  rows: number;
  /** First item (global index) of each row; a header row has its day's first item. */
  first: Int32Array;
  /** Items in each row; 0 for a day header. */
  len: Int32Array;
  /** Index into the days of each row. */
  day: Int32Array;
  items: number;
}

export function buildLayout(days: readonly GridDay[], cols: number): GridLayout {
  let rows = 0;
  for (const d of days) if (d.count > 0) rows += 1 + Math.ceil(d.count / cols);
  const first = new Int32Array(rows);
  const len = new Int32Array(rows);
  const day = new Int32Array(rows);
  let r = 0;
  let item = 0;
  days.forEach((d, di) => {
    if (d.count <= 0) return;
    first[r] = item; len[r] = 0; day[r] = di; r++;
    for (let left = d.count; left > 0; left -= cols) {
      first[r] = item; len[r] = Math.min(cols, left); day[r] = di; r++;
      item += Math.min(cols, left);
    }
  });
  return { cols, rows, first, len, day, items: item };
}

/** The row holding ITEM: the last row starting at or before it (a day's header shares its first item with its first row, and comes before it). */
export function rowOfItem(layout: GridLayout, item: number): number {
  let lo = 0;
  let hi = layout.rows - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (layout.first[mid]! <= item) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export type Move = 'left' | 'right' | 'up' | 'down' | 'pageUp' | 'pageDown' | 'home' | 'end';

/** Where a key moves the focus from ITEM: up and down keep the column across day headers, as far as the row is long. */
export function moveFrom(layout: GridLayout, item: number, move: Move, pageRows: number): number {
  const last = layout.items - 1;
  if (last < 0) return 0;
  switch (move) {
    case 'left': return Math.max(0, item - 1);
    case 'right': return Math.min(last, item + 1);
    case 'home': return 0;
    case 'end': return last;
    default: {
      const step = move === 'up' || move === 'pageUp' ? -1 : 1;
      let times = move === 'up' || move === 'down' ? 1 : Math.max(1, pageRows);
      const row = rowOfItem(layout, item);
      const col = item - layout.first[row]!;
      let r = row;
      while (times > 0) {
        let next = r + step;
        while (next >= 0 && next < layout.rows && layout.len[next] === 0) next += step;
        if (next < 0 || next >= layout.rows) break;
        r = next;
        times--;
      }
      return layout.first[r]! + Math.min(col, layout.len[r]! - 1);
    }
  }
}

export const KEY_MOVES: Readonly<Record<string, Move>> = {
  ArrowLeft: 'left', ArrowRight: 'right', ArrowUp: 'up', ArrowDown: 'down',
  PageUp: 'pageUp', PageDown: 'pageDown', Home: 'home', End: 'end',
};

/** Sizes at a width: columns so that cells stay near a comfortable size, which grows with the window. */
export function gridSizes(width: number): { cols: number; cell: number; gap: number; header: number } {
  const small = width < 600;
  const gap = small ? 4 : 8;
  const target = small ? 110 : width < 1100 ? 150 : 180;
  const cols = Math.max(2, Math.floor((width + gap) / (target + gap)));
  const cell = Math.max(40, Math.floor((width - gap * (cols - 1)) / cols));
  return { cols, cell, gap, header: small ? 44 : 52 };
}
