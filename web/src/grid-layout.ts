/**
 * The grid's rows. A day with more contents than a row holds gets a header row and rows of its
 * own; days that fit in a row share rows, side by side, each under its own heading (as photo
 * apps do: a library of many small days is not a column of single thumbnails). 100k contents are
 * about 25k rows, built in a few milliseconds on a resize; an item's row is a binary search.
 */
import type { GridDay } from './types.js';

/** A run of one day's items in a row, from column COL. */
export interface Segment {
  day: number;
  first: number;
  len: number;
  col: number;
}

export type Row =
  /** The heading of a day that has rows of its own. */
  | { type: 'header'; day: number; first: number }
  /** Items: one segment of a big day (no heading), or small days side by side (a heading each). */
  | { type: 'items'; headings: boolean; segs: Segment[]; first: number };

export interface GridLayout {
  cols: number;
  rows: Row[];
  /** First item of each row (a header row has its day's first item), for the binary search. */
  first: Int32Array;
  items: number;
}

export function buildLayout(days: readonly GridDay[], cols: number): GridLayout {
  const rows: Row[] = [];
  let item = 0;
  let shared: Extract<Row, { type: 'items' }> | null = null;
  let used = 0;
  days.forEach((d, di) => {
    if (d.count <= 0) return;
    if (d.count <= cols) {
      if (!shared || used + d.count > cols) {
        shared = { type: 'items', headings: true, segs: [], first: item };
        rows.push(shared);
        used = 0;
      }
      shared.segs.push({ day: di, first: item, len: d.count, col: used });
      used += d.count;
      item += d.count;
      return;
    }
    shared = null;
    rows.push({ type: 'header', day: di, first: item });
    for (let left = d.count; left > 0; left -= cols) {
      const len = Math.min(cols, left);
      rows.push({ type: 'items', headings: false, segs: [{ day: di, first: item, len, col: 0 }], first: item });
      item += len;
    }
  });
  const first = new Int32Array(rows.length);
  rows.forEach((r, i) => { first[i] = r.first; });
  return { cols, rows, first, items: item };
}

/** The row holding ITEM: the last row starting at or before it (a header shares its first item with the row after it). */
export function rowOfItem(layout: GridLayout, item: number): number {
  let lo = 0;
  let hi = layout.rows.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (layout.first[mid]! <= item) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Items in row R (0 for a header row). */
export function rowLength(row: Row): number {
  if (row.type === 'header') return 0;
  const last = row.segs[row.segs.length - 1]!;
  return last.first + last.len - row.first;
}

function columnOf(row: Row, item: number): number {
  if (row.type === 'header') return 0;
  const seg = row.segs.find((s) => item >= s.first && item < s.first + s.len) ?? row.segs[0]!;
  return seg.col + (item - seg.first);
}

/** The item of ROW nearest to column COL. */
function atColumn(row: Extract<Row, { type: 'items' }>, col: number): number {
  let best = row.first;
  let bestDist = Infinity;
  for (const s of row.segs) {
    const c = Math.min(Math.max(col, s.col), s.col + s.len - 1);
    const dist = Math.abs(c - col);
    if (dist < bestDist) { bestDist = dist; best = s.first + (c - s.col); }
  }
  return best;
}

export type Move = 'left' | 'right' | 'up' | 'down' | 'pageUp' | 'pageDown' | 'home' | 'end';

/** Where a key moves the focus from ITEM: up and down keep the column as well as the rows allow, across headings. */
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
      const start = rowOfItem(layout, item);
      const col = columnOf(layout.rows[start]!, item);
      let r = start;
      while (times > 0) {
        let next = r + step;
        while (next >= 0 && next < layout.rows.length && layout.rows[next]!.type === 'header') next += step;
        if (next < 0 || next >= layout.rows.length) break;
        r = next;
        times--;
      }
      const row = layout.rows[r]!;
      return r === start || row.type === 'header' ? item : atColumn(row, col);
    }
  }
}

export const KEY_MOVES: Readonly<Record<string, Move>> = {
  ArrowLeft: 'left', ArrowRight: 'right', ArrowUp: 'up', ArrowDown: 'down',
  PageUp: 'pageUp', PageDown: 'pageDown', Home: 'home', End: 'end',
};

export interface GridSizes {
  cols: number;
  cell: number;
  gap: number;
  /** A header row of a day with rows of its own. */
  header: number;
  /** The heading above a run of a small day, in a shared row. */
  heading: number;
}

/** Sizes at a width: columns so that cells stay near a comfortable size, which grows with the window; COLUMNSDELTA more (a pinch). */
export function gridSizes(width: number, columnsDelta = 0): GridSizes {
  const small = width < 600;
  const gap = small ? 4 : 8;
  const target = small ? 110 : width < 1100 ? 150 : 180;
  // A pinch adds or takes columns (grid-gestures.ts): one at the fewest, cells of 40 px at the most.
  const cols = Math.min(Math.max(1, Math.floor((width + gap) / (40 + gap))), Math.max(1, Math.max(2, Math.floor((width + gap) / (target + gap))) + columnsDelta));
  const cell = Math.max(40, Math.floor((width - gap * (cols - 1)) / cols));
  return { cols, cell, gap, header: small ? 44 : 52, heading: small ? 40 : 44 };
}

/** A row's height: fixed for its type at a width, so nothing is measured while scrolling. */
export function rowHeight(row: Row, s: GridSizes): number {
  if (row.type === 'header') return s.header;
  return s.cell + s.gap + (row.headings ? s.heading : 0);
}
