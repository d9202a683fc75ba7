import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import { heldNow, hold } from './files-clipboard.js';
import { bytes, dateTime } from './format.js';
import type { GridSelection } from './grid-selection.js';
import type { Row } from './files-rows.js';
import { navigate } from './navigation.js';
import { href } from './routes.js';

const ROW_PX = 40;
const TILE_PX = 148;
/** What a drag of the explorer's entries carries: the refs they are picked by (JSON). */
const DRAG_TYPE = 'application/x-vss-refs';

/** Entries dropped onto a folder (or pasted into one): what was dragged, where to, and whether a copy was asked (Ctrl or Alt held). */
export interface Dropped {
  refs: string[];
  to: string;
  label: string;
  copy: boolean;
}

/**
 * The rows, drawn as they come into view; the keyboard's focus kept on one of them, by what it is
 * (a new order keeps it on the same entry). Entries that can be picked can be dragged (the picked
 * ones together when one of them is), and this device's folders take a drop (ON_DROP asks first).
 * The keyboard's drag: Ctrl+X or Ctrl+C hold the picked entries (else the focused one), Ctrl+V
 * drops them into HERE, the folder shown, when it is one of this device's.
 */
export function Entries({ rows, mode, path, here, selection, onDrop, onNotice }: {
  rows: Row[]; mode: 'list' | 'grid'; path: string[]; here: { to: string; label: string } | null; selection: GridSelection;
  onDrop: (d: Dropped) => void; onNotice: (text: string) => void;
}) {
  const scroll = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  const [focusKey, setFocusKey] = useState<string | null>(null);
  const [over, setOver] = useState<string | null>(null);
  const focus = useMemo(() => Math.max(0, focusKey === null ? 0 : rows.findIndex((r) => keyOf(r) === focusKey)), [rows, focusKey]);
  useEffect(() => {
    const el = scroll.current;
    if (!el) return undefined;
    const ro = new ResizeObserver(([e]) => setWidth(Math.floor(e?.contentRect.width ?? 0)));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  // Opened from within the explorer (a folder entered, Backspace): the keys go on in the new listing.
  useEffect(() => {
    const at = document.activeElement;
    if (at === null || at === document.body || at.closest('.files-page')) scroll.current?.focus({ preventScroll: true });
  }, []);
  const cols = mode === 'grid' ? Math.max(1, Math.floor(width / TILE_PX)) : 1;
  const lines = Math.ceil(rows.length / cols);
  const virtualizer = useVirtualizer({ count: lines, getScrollElement: () => scroll.current, estimateSize: () => (mode === 'grid' ? TILE_PX : ROW_PX), overscan: 6 });
  // Sorted again: the focused entry stays in view where it went.
  useEffect(() => {
    if (focusKey !== null) virtualizer.scrollToIndex(Math.floor(focus / cols));
  }, [rows]); // eslint-disable-line react-hooks/exhaustive-deps
  const open = (r: Row) => {
    if (r.to) navigate({ view: 'files', path: r.to });
    else if (r.content) navigate({ view: 'content', uuid: r.content, q: '' });
  };
  const move = (to: number) => {
    const i = Math.max(0, Math.min(rows.length - 1, to));
    const r = rows[i];
    if (r) setFocusKey(keyOf(r));
    virtualizer.scrollToIndex(Math.floor(i / cols));
  };
  const onKey = (e: KeyboardEvent) => {
    const r = rows[focus];
    const step: Record<string, number> = { ArrowDown: cols, ArrowUp: -cols, ArrowRight: mode === 'grid' ? 1 : 0, ArrowLeft: mode === 'grid' ? -1 : 0, PageDown: cols * 10, PageUp: -cols * 10 };
    if (e.key in step && step[e.key] !== 0) move(focus + step[e.key]!);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(rows.length - 1);
    else if (e.key === 'Enter' && r) open(r);
    else if (e.key === 'Backspace' && path.length > 0) navigate({ view: 'files', path: path.slice(0, -1) });
    else if (e.key === ' ' && r?.ref) selection.toggle(r.ref, focus);
    else if ((e.ctrlKey || e.metaKey) && (e.key === 'x' || e.key === 'c')) {
      const refs = selection.size > 0 ? selection.uuids() : r?.ref ? [r.ref] : [];
      if (refs.length === 0) return;
      hold({ refs, cut: e.key === 'x' });
    } else if ((e.ctrlKey || e.metaKey) && e.key === 'v') {
      const held = heldNow();
      if (!held) return;
      if (here === null) onNotice('Paste into a folder of this device: this place takes no files.');
      else {
        // A folder pasted into itself goes nowhere; a cut is let go once its move is planned, as a file manager's is.
        const refs = held.refs.filter((x) => x !== here.to);
        if (refs.length > 0) onDrop({ refs, to: here.to, label: here.label, copy: !held.cut });
        if (held.cut) hold(null);
      }
    } else return;
    e.preventDefault();
  };
  const drag = {
    start: (e: DragEvent, r: Row) => {
      if (r.ref === null) return;
      const refs = selection.has(r.ref) ? selection.uuids() : [r.ref];
      e.dataTransfer.setData(DRAG_TYPE, JSON.stringify(refs));
      e.dataTransfer.effectAllowed = 'copyMove';
    },
    over: (e: DragEvent, r: Row) => {
      if (r.dropTo === null || !e.dataTransfer.types.includes(DRAG_TYPE)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = e.ctrlKey || e.altKey ? 'copy' : 'move';
      setOver(r.dropTo);
    },
    drop: (e: DragEvent, r: Row) => {
      setOver(null);
      if (r.dropTo === null) return;
      let refs: unknown;
      try {
        refs = JSON.parse(e.dataTransfer.getData(DRAG_TYPE));
      } catch {
        return;
      }
      e.preventDefault();
      if (!Array.isArray(refs)) return;
      // A folder dropped onto itself goes nowhere.
      const moving = refs.filter((x): x is string => typeof x === 'string' && x !== r.dropTo);
      if (moving.length > 0) onDrop({ refs: moving, to: r.dropTo, label: r.name, copy: e.ctrlKey || e.altKey });
    },
    leave: () => setOver(null),
  };
  return (
    <div ref={scroll} className={`files-scroll files-${mode}`} tabIndex={0} role="grid" aria-label="Folder" aria-rowcount={rows.length} aria-activedescendant={`files-row-${focus}`} onKeyDown={onKey}>
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((line) => (
          <div key={line.key} className="files-line" style={{ position: 'absolute', top: 0, left: 0, right: 0, height: line.size, transform: `translateY(${line.start}px)` }}>
            {rows.slice(line.index * cols, line.index * cols + cols).map((r, k) => {
              const i = line.index * cols + k;
              return (
                <Entry key={i} i={i} r={r} mode={mode} focused={i === focus} picked={r.ref !== null && selection.has(r.ref)} dropping={r.dropTo !== null && over === r.dropTo}
                  onPick={(extend) => { setFocusKey(keyOf(r)); if (r.ref && extend) selection.toggle(r.ref, i); }} onOpen={() => open(r)}
                  drag={{ onDragStart: (e) => drag.start(e, r), onDragOver: (e) => drag.over(e, r), onDrop: (e) => drag.drop(e, r), onDragLeave: drag.leave }} />
              );
            })}
          </div>
        ))}
      </div>
    </div>
  );
}

/** What keeps a row's focus through a new order: its ref, or (a device, a location) its name. */
function keyOf(r: Row): string {
  return r.ref ?? `${r.what}:${r.name}`;
}

interface DragHandlers {
  onDragStart: (e: DragEvent) => void;
  onDragOver: (e: DragEvent) => void;
  onDrop: (e: DragEvent) => void;
  onDragLeave: () => void;
}

function Entry({ i, r, mode, focused, picked, dropping, onPick, onOpen, drag }: { i: number; r: Row; mode: 'list' | 'grid'; focused: boolean; picked: boolean; dropping: boolean; onPick: (extend: boolean) => void; onOpen: () => void; drag: DragHandlers }) {
  const icon = <Icon what={r.what} />;
  return (
    <div id={`files-row-${i}`} role="row" aria-selected={picked} data-i={i} draggable={r.ref !== null} {...drag}
      className={`files-entry${focused ? ' focused' : ''}${picked ? ' picked' : ''}${r.online ? '' : ' offline'}${dropping ? ' drop-over' : ''}`}
      onClick={(e) => onPick(e.ctrlKey || e.metaKey || e.shiftKey)} onDoubleClick={onOpen}>
      <span className="files-icon" aria-hidden="true">
        {r.thumb !== null && mode === 'grid' ? <img alt="" loading="lazy" draggable={false} src={r.thumb} onError={(e) => { e.currentTarget.style.visibility = 'hidden'; }} /> : icon}
      </span>
      <span role="gridcell" className="files-name">
        {r.to || r.content ? <a href={r.to ? href({ view: 'files', path: r.to }) : href({ view: 'content', uuid: r.content!, q: '' })} draggable={false} onClick={(e) => e.stopPropagation()}>{r.name}</a> : r.name}
        {!r.online && <span className="tag"> offline</span>}
        {r.what === 'root' && <span className="tag"> not added</span>}
      </span>
      {mode === 'list' && <span role="gridcell" className="files-size">{r.size === null ? '' : bytes(r.size)}</span>}
      {mode === 'list' && <span role="gridcell" className="files-date">{r.modified === null ? '' : dateTime(r.modified)}</span>}
      {mode === 'list' && <span role="gridcell" className="files-kind">{r.kind}</span>}
    </div>
  );
}

/** What a row is, drawn (no emoji font is needed: a phone's or a server's browser may have none). */
function Icon({ what }: { what: Row['what'] }) {
  const d: Record<Row['what'], string> = {
    device: 'M3 5h18v11H3z M8 20h8 M12 16v4',
    location: 'M3 6h7l2 2h9v11H3z M3 11h18',
    folder: 'M3 6h7l2 2h9v11H3z',
    root: 'M3 6h7l2 2h9v11H3z M8 14h8',
    file: 'M6 3h8l4 4v14H6z M14 3v4h4',
    symlink: 'M6 3h8l4 4v14H6z M9 16l5-5 M10 11h4v4',
  };
  return (
    <svg viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinejoin="round" aria-hidden="true">
      <path d={d[what]} />
    </svg>
  );
}
