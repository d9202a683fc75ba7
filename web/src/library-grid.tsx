import { gridSource, openViewer } from './viewer.js';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore, type FocusEvent, type KeyboardEvent, type MouseEvent, type RefObject } from 'react';
import { reportError } from './errors.js';
import { DayRow, ThumbRow } from './grid-row.js';
import { buildLayout, gridSizes, KEY_MOVES, moveFrom, rowHeight, rowLength, rowOfItem, type GridLayout } from './grid-layout.js';
import { focusedUuid, keepInView, noteView, userScrolled, type Pin } from './grid-pin.js';
import { GridScrubber } from './grid-scrubber.js';
import { useGridGestures } from './grid-gestures.js';
import { selectionOf, type GridSelection } from './grid-selection.js';
import type { GridStore } from './grid-store.js';
import { metaOverride, setUserMeta } from './meta-store.js';
import { useMay } from './may.js';
import { mayActOnSelection } from './selection-bar.js';
import type { GridDays } from './types.js';

const PADDING = 12;

/**
 * The library grid, virtualized: only the rows on screen (and a few beyond) are in the page.
 * Row heights are known from the width alone (square cells, fixed header height), so nothing is
 * measured while scrolling. The keyboard moves one focus through the items (arrow keys, Page
 * Up/Down, Home/End; Tab reaches one item, the one last focused), and the grid keeps its place
 * and focus when the user comes back from a detail view.
 */
/** Where a tap on a photo opens the viewer rather than its page. */
const VIEWER_FIRST = '(max-width: 640px), (pointer: coarse)';

export function LibraryGrid({ store, days, libId, scrollRef }: { store: GridStore; days: GridDays; libId: string; scrollRef: RefObject<HTMLElement | null> }) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useSyncExternalStore(store.subscribe, store.getVersion);
  const selection = selectionOf(store);
  const picks = useSyncExternalStore(selection.subscribe, selection.getVersion);
  const may = useMay();
  // Nothing is picked where nothing could be done to it (a browser that may only view).
  const mayPick = mayActOnSelection(may);
  /** Each day's first item. */
  const dayStarts = useMemo(() => {
    const starts: number[] = [];
    let n = 0;
    for (const d of days.days) {
      starts.push(n);
      n += d.count;
    }
    return starts;
  }, [days]);

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

  const gestures = useGridGestures(box, (i) => pick(i, false));
  const sizes = gridSizes(width, gestures.columnsDelta);
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
  // (even when its row is drawn anew), and the first tile on screen stays where it was on screen,
  // unless the grid is at its top (where the newest arrive, in view). The tile is followed by its
  // content, not by its element: it is found in the store's pages read since the change (until
  // they come, at the place the days say it moved to), and the view scrolls to its row.
  // Only when what is drawn moves (a new generation): pages arriving while the user scrolls are left alone.
  const pin = useRef<Pin | null>(null);
  const heldFocus = useRef<string | null>(null);
  const drawnGeneration = useRef(store.generation);
  const drawnDays = useRef(days);
  useEffect(() => store.subscribe(() => {
    // Before React draws the change; the first note stands until then.
    const el = box.current;
    const main = scrollRef.current;
    if (store.generation === drawnGeneration.current || !el || !main) return;
    heldFocus.current ??= focusedUuid(el);
    if (!pin.current || userScrolled(pin.current, main)) pin.current = noteView(el, main, drawnDays.current);
  }), [store, scrollRef]);
  useLayoutEffect(() => {
    drawnGeneration.current = store.generation;
    drawnDays.current = days;
    const el = box.current;
    const main = scrollRef.current;
    if (!el || !main) return;
    const p = pin.current;
    if (p) {
      // The user scrolled since: where they are now is what they want.
      if (userScrolled(p, main)) pin.current = null;
      else if (keepInView(p, el, main, store, days, layout, (row) => virtualizer.measurementsCache[row]?.start)) pin.current = null;
    }
    const uuid = heldFocus.current;
    heldFocus.current = null;
    if (uuid === null) return;
    const active = document.activeElement;
    let now = active instanceof HTMLElement && el.contains(active) ? active : null;
    // Never taken from elsewhere (the search box, a dialog): only given back when it fell to the page.
    if (!now && (active === null || active === document.body)) {
      const at = store.find(uuid);
      const tile = at ? el.querySelector<HTMLElement>(`[data-i="${at.index}"]`) : null;
      now = tile?.dataset.uuid === uuid ? tile : null;
      now?.focus({ preventScroll: true });
    }
    const i = Number(now?.dataset.i);
    if (Number.isInteger(i) && i !== store.focused) {
      store.focused = i;
      setFocus(i);
    }
  });

  // Escape clears the selection before it goes back (the app's Escape looks at defaultPrevented).
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key !== 'Escape' || selection.size === 0 || e.defaultPrevented) return;
      const t = e.target as HTMLElement | null;
      if (t?.closest('input:not([type="checkbox"]), textarea, select')) return;
      e.preventDefault();
      selection.clear();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [selection]);

  /** Pick or unpick item I; with RANGE, every item from the anchor to it, as the anchor is (picked or not). */
  const pick = (i: number, range: boolean) => {
    const item = store.item(i);
    if (!item || !mayPick) return;
    const from = selection.anchor;
    if (!range || from === null || from === i) {
      selection.toggle(item.content_uuid, i);
      return;
    }
    const anchorItem = store.item(from);
    const on = anchorItem ? selection.has(anchorItem.content_uuid) : true;
    store.uuidsIn(Math.min(from, i), Math.max(from, i)).then((uuids) => selection.set(uuids, on), reportError);
  };
  const pickDay = (d: number) => {
    const first = dayStarts[d];
    const day = days.days[d];
    if (first === undefined || !day) return;
    store.uuidsIn(first, first + day.count - 1).then((uuids) => selection.set(uuids, !selection.hasAll(uuids)), reportError);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === ' ' && !e.altKey && !e.ctrlKey && !e.metaKey && (e.target as HTMLElement).matches('a[data-i]')) {
      e.preventDefault();
      pick(Number((e.target as HTMLElement).dataset.i), e.shiftKey);
      return;
    }
    if (may('metaSet') && userMetaKey(e, store, libId)) return;
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
    const target = e.target as HTMLElement;
    const day = target.closest<HTMLElement>('[data-pick-day]');
    if (day) {
      pickDay(Number(day.dataset.pickDay));
      return;
    }
    const tick = target.closest<HTMLInputElement>('input[data-pick]');
    if (tick) {
      pick(Number(tick.dataset.pick), e.shiftKey);
      return;
    }
    const link = target.closest<HTMLElement>('[data-i]');
    if (!link) return;
    // The end of a long press picked it already; with something picked, a tap picks too.
    if (gestures.swallowClick()) {
      e.preventDefault();
      return;
    }
    if (selection.size > 0 && matchMedia(VIEWER_FIRST).matches) {
      e.preventDefault();
      pick(Number(link.dataset.i), false);
      return;
    }
    // Ctrl/Cmd-click picks instead of opening; Shift-click picks a range once something is picked.
    if (e.ctrlKey || e.metaKey || (e.shiftKey && selection.size > 0)) {
      e.preventDefault();
      pick(Number(link.dataset.i), e.shiftKey);
      return;
    }
    store.focused = Number(link.dataset.i);
    store.restoreFocus = true;
    // On a phone (a narrow screen, or a touch one) a tap opens the full-screen viewer; a desktop opens the content's page.
    if (matchMedia(VIEWER_FIRST).matches) {
      e.preventDefault();
      openViewer(libId, gridSource(store), Number(link.dataset.i), may);
    }
  };

  // Tab reaches the focused item when it is drawn; else the first item on screen (so Tab never skips the grid).
  const focusRow = layout.items > 0 ? rowOfItem(layout, focus) : -1;
  const focusDrawn = firstRow !== undefined && lastRow !== undefined && focusRow >= firstRow && focusRow <= lastRow;
  let tabbable = focus;
  if (!focusDrawn && firstRow !== undefined) {
    const r = rows.find((v) => layout.rows[v.index]!.type === 'items');
    tabbable = r ? layout.first[r.index]! : focus;
  }

  // The day at the top of the screen (the scrubber's current year), and a jump to a day's heading.
  const offset = virtualizer.scrollOffset ?? 0;
  const topRow = rows.find((v) => v.end > offset) ?? rows[0];
  const topDay = topRow ? dayOfRow(layout, topRow.index) : 0;
  const jump = (d: number) => {
    const first = dayStarts[d];
    if (first === undefined || layout.items === 0) return;
    let r = rowOfItem(layout, first);
    // A day with rows of its own: its header row shares its first item with the row after it.
    if (r > 0 && layout.rows[r - 1]!.type === 'header' && layout.first[r - 1] === first) r--;
    virtualizer.scrollToIndex(r, { align: 'start' });
    store.focused = first;
    setFocus(first);
  };
  const jumpNow = useRef(jump);
  jumpNow.current = jump;
  const onJump = useCallback((d: number) => jumpNow.current(d), []);

  return (
    <>
    <div
      ref={box}
      className={`grid with-scrubber${selection.size > 0 ? ' picking' : ''}`}
      style={{ height: virtualizer.getTotalSize() }}
      onKeyDown={onKeyDown}
      onFocus={onFocus}
      onClick={onClick}
    >
      {rows.map((v) => {
        const row = layout.rows[v.index]!;
        if (row.type === 'header') return <DayRow key={v.key} day={days.days[row.day]!} index={row.day} picked={dayPicked(store, selection, dayStarts[row.day]!, days.days[row.day]!.count)} mayPick={mayPick} top={v.start} height={v.size} />;
        const len = rowLength(row);
        return (
          <ThumbRow
            key={v.key}
            row={row}
            days={days.days}
            store={store}
            libId={libId}
            devices={days.devices}
            cell={sizes.cell}
            gap={sizes.gap}
            heading={sizes.heading}
            top={v.start}
            height={v.size}
            tabbable={tabbable >= row.first && tabbable < row.first + len ? tabbable : -1}
            loaded={store.loaded(row.first, len)}
            generation={store.generation}
            selection={mayPick ? selection : null}
            picks={picks}
          />
        );
      })}
    </div>
    <GridScrubber days={days.days} currentYear={days.days[topDay]?.day?.slice(0, 4) ?? null} onJump={onJump} />
    </>
  );
}

/** The day shown at the top of row R (a shared row's first day: its days are side by side). */
function dayOfRow(layout: GridLayout, r: number): number {
  const row = layout.rows[r]!;
  return row.type === 'header' ? row.day : row.segs[0]!.day;
}

/** Whether every item of a day (COUNT from FIRST) is loaded and picked. */
function dayPicked(store: GridStore, selection: GridSelection, first: number, count: number): boolean {
  if (selection.size < count) return false;
  for (let i = first; i < first + count; i++) {
    const item = store.item(i);
    if (!item || !selection.has(item.content_uuid)) return false;
  }
  return true;
}

/**
 * On a focused tile, `f` toggles the favourite and `0`–`5` set the rating (0 clears it): the
 * buttons beside the tile do the same from Tab. Whether the key was one of those.
 */
function userMetaKey(e: KeyboardEvent<HTMLDivElement>, store: GridStore, libId: string): boolean {
  const target = e.target as HTMLElement;
  if (e.altKey || e.ctrlKey || e.metaKey || !(e.key === 'f' || /^[0-5]$/.test(e.key)) || !target.matches('[data-i]')) return false;
  const item = store.item(Number(target.dataset.i));
  if (!item) return false;
  e.preventDefault();
  const now = metaOverride(item.content_uuid) ?? item;
  void setUserMeta(libId, item.content_uuid, now, e.key === 'f' ? { favorite: !now.favorite } : { rating: Number(e.key) });
  return true;
}
