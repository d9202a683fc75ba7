import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore, type FocusEvent, type KeyboardEvent, type MouseEvent, type RefObject } from 'react';
import { DayRow, ThumbRow } from './grid-row.js';
import { buildLayout, gridSizes, KEY_MOVES, moveFrom, rowHeight, rowLength, rowOfItem } from './grid-layout.js';
import type { GridStore } from './grid-store.js';
import type { GridDays } from './types.js';

const PADDING = 12;

/**
 * The library grid, virtualized: only the rows on screen (and a few beyond) are in the page.
 * Row heights are known from the width alone (square cells, fixed header height), so nothing is
 * measured while scrolling. The keyboard moves one focus through the items (arrow keys, Page
 * Up/Down, Home/End; Tab reaches one item, the one last focused), and the grid keeps its place
 * and focus when the user comes back from a detail view.
 */
export function LibraryGrid({ store, days, libId, scrollRef }: { store: GridStore; days: GridDays; libId: string; scrollRef: RefObject<HTMLElement | null> }) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useSyncExternalStore(store.subscribe, store.getVersion);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    setWidth(el.clientWidth);
    const ro = new ResizeObserver((entries) => {
      const w = entries[0]?.contentRect.width;
      if (w !== undefined) setWidth(Math.floor(w));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const sizes = gridSizes(width);
  const layout = useMemo(() => buildLayout(days.days, sizes.cols), [days, sizes.cols]);
  /** The first item on screen: what stays in view when the column count changes. */
  const anchor = useRef(store.focused);

  const virtualizer = useVirtualizer({
    count: width > 0 ? layout.rows.length : 0,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => rowHeight(layout.rows[i]!, sizes),
    overscan: 2,
    paddingStart: PADDING,
    paddingEnd: PADDING,
    initialOffset: () => store.scrollTop,
    onChange: (v) => {
      store.scrollTop = v.scrollOffset ?? 0;
      const first = v.getVirtualItems().find((it) => (it.start ?? 0) >= (v.scrollOffset ?? 0));
      if (first) anchor.current = layout.first[first.index] ?? 0;
    },
  });

  // New sizes: every row's height is known again, and the item that was on top stays on top.
  const lastCols = useRef(sizes.cols);
  useLayoutEffect(() => {
    virtualizer.measure();
    if (lastCols.current !== sizes.cols && layout.rows.length > 0) {
      lastCols.current = sizes.cols;
      virtualizer.scrollToIndex(Math.max(0, rowOfItem(layout, anchor.current) - 1), { align: 'start' });
    }
  }, [layout, sizes.cell, sizes.gap, sizes.header, sizes.heading, sizes.cols, virtualizer]);

  const rows = virtualizer.getVirtualItems();
  const firstRow = rows[0]?.index;
  const lastRow = rows[rows.length - 1]?.index;
  useEffect(() => {
    if (firstRow === undefined || lastRow === undefined) return;
    store.want(layout.first[firstRow]!, layout.first[lastRow]! + Math.max(1, rowLength(layout.rows[lastRow]!)) - 1);
  }, [firstRow, lastRow, layout, store]);

  // The keyboard's focus: one item, moved by the keys, given to the element once its row is drawn.
  const [focus, setFocus] = useState(() => Math.min(store.focused, Math.max(0, layout.items - 1)));
  const pendingFocus = useRef<number | null>(store.restoreFocus ? store.focused : null);
  useEffect(() => { store.restoreFocus = false; }, [store]);
  useLayoutEffect(() => {
    const want = pendingFocus.current;
    if (want === null) return;
    const el = box.current?.querySelector<HTMLElement>(`[data-i="${want}"]`);
    if (el) {
      el.focus({ preventScroll: true });
      pendingFocus.current = null;
    }
  });

  // The library changes under the user (a scan, new thumbnails): the tile with the focus keeps it
  // (even when its row is drawn anew), and the first tile on screen stays where it was, unless the
  // grid is at its top (where the newest arrive, in view).
  // Only when what is drawn moves (a new generation): pages arriving while the user scrolls are left alone.
  const held = useRef<HeldView | null>(null);
  const drawnGeneration = useRef(store.generation);
  useEffect(() => store.subscribe(() => {
    // Before React draws the change; the first note stands until then.
    if (held.current || store.generation === drawnGeneration.current || !box.current || !scrollRef.current) return;
    held.current = noteView(box.current, scrollRef.current);
  }), [store, scrollRef]);
  useLayoutEffect(() => {
    drawnGeneration.current = store.generation;
    const h = held.current;
    held.current = null;
    const el = box.current;
    const main = scrollRef.current;
    if (!h || !el || !main) return;
    const tile = (uuid: string) => el.querySelector<HTMLElement>(`[data-uuid="${CSS.escape(uuid)}"]`);
    const anchor = h.anchor && tile(h.anchor.uuid);
    if (anchor && h.anchor) {
      const moved = anchor.getBoundingClientRect().top - main.getBoundingClientRect().top - h.anchor.top;
      if (Math.abs(moved) >= 1) main.scrollTop += moved;
    }
    if (h.focused === null) return;
    const active = document.activeElement;
    let now = active instanceof HTMLElement && el.contains(active) ? active : null;
    if (!now && (active === null || active === document.body)) {
      now = tile(h.focused);
      now?.focus({ preventScroll: true });
    }
    const i = Number(now?.dataset.i);
    if (Number.isInteger(i) && i !== store.focused) {
      store.focused = i;
      setFocus(i);
    }
  });

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const move = KEY_MOVES[e.key];
    if (!move || e.altKey || e.ctrlKey || e.metaKey || !(e.target as HTMLElement).matches('[data-i]')) return;
    e.preventDefault();
    const viewport = scrollRef.current?.clientHeight ?? 600;
    const next = moveFrom(layout, focus, move, Math.max(1, Math.floor(viewport / (sizes.cell + sizes.gap)) - 1));
    setFocus(next);
    store.focused = next;
    pendingFocus.current = next;
    virtualizer.scrollToIndex(rowOfItem(layout, next), { align: 'auto' });
  };
  const onFocus = (e: FocusEvent<HTMLDivElement>) => {
    const i = Number((e.target as HTMLElement).dataset.i);
    if (Number.isInteger(i) && i !== focus) {
      setFocus(i);
      store.focused = i;
    }
  };
  const onClick = (e: MouseEvent<HTMLDivElement>) => {
    const link = (e.target as HTMLElement).closest<HTMLElement>('[data-i]');
    if (!link) return;
    store.focused = Number(link.dataset.i);
    store.restoreFocus = true;
  };

  // Tab reaches the focused item when it is drawn; else the first item on screen (so Tab never skips the grid).
  const focusRow = layout.items > 0 ? rowOfItem(layout, focus) : -1;
  const focusDrawn = firstRow !== undefined && lastRow !== undefined && focusRow >= firstRow && focusRow <= lastRow;
  let tabbable = focus;
  if (!focusDrawn && firstRow !== undefined) {
    const r = rows.find((v) => layout.rows[v.index]!.type === 'items');
    tabbable = r ? layout.first[r.index]! : focus;
  }

  return (
    <div
      ref={box}
      className="grid"
      style={{ height: virtualizer.getTotalSize() }}
      onKeyDown={onKeyDown}
      onFocus={onFocus}
      onClick={onClick}
    >
      {rows.map((v) => {
        const row = layout.rows[v.index]!;
        if (row.type === 'header') return <DayRow key={v.key} day={days.days[row.day]!} top={v.start} height={v.size} />;
        const len = rowLength(row);
        return (
          <ThumbRow
            key={v.key}
            row={row}
            days={days.days}
            store={store}
            libId={libId}
            cell={sizes.cell}
            gap={sizes.gap}
            heading={sizes.heading}
            top={v.start}
            height={v.size}
            tabbable={tabbable >= row.first && tabbable < row.first + len ? tabbable : -1}
            loaded={store.loaded(row.first, len)}
            generation={store.generation}
          />
        );
      })}
    </div>
  );
}

/** What the user has in the grid before it changes: the focused tile, and the first tile on screen and how far down the screen it is. */
interface HeldView {
  focused: string | null;
  anchor: { uuid: string; top: number } | null;
}

function noteView(grid: HTMLElement, scroller: HTMLElement): HeldView {
  const active = document.activeElement;
  const focused = active instanceof HTMLElement && grid.contains(active) ? active.dataset.uuid ?? null : null;
  if (scroller.scrollTop <= 0) return { focused, anchor: null };
  const top = scroller.getBoundingClientRect().top;
  // Rows are in the page in their order: the first tile reaching below the top edge.
  for (const t of grid.querySelectorAll<HTMLElement>('[data-uuid]')) {
    const r = t.getBoundingClientRect();
    if (r.bottom > top && t.dataset.uuid) return { focused, anchor: { uuid: t.dataset.uuid, top: r.top - top } };
  }
  return { focused, anchor: null };
}
