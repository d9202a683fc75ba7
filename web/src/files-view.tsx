import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { get } from './api.js';
import { API } from './api-paths.js';
import { bytes, dateTime } from './format.js';
import { GridSelection } from './grid-selection.js';
import { useLibrary } from './library-context.js';
import { navigate } from './navigation.js';
import { Page } from './page.js';
import { href } from './routes.js';
import { SelectionBar } from './selection-bar.js';
import type { LsItem } from './types.js';
import { useLoad } from './use-load.js';

/** What one row of the explorer is: a device, a location, a folder or a file. */
interface Row {
  name: string;
  /** Where opening it goes (a folder's path parts); null: a file, opened by its content. */
  to: string[] | null;
  what: 'device' | 'location' | 'folder' | 'file' | 'symlink';
  size: number | null;
  modified: number | null;
  kind: string;
  content: string | null;
  online: boolean;
}

type SortKey = 'name' | 'size' | 'date' | 'kind';
const SORTS: ReadonlyArray<[SortKey, string]> = [['name', 'Name'], ['size', 'Size'], ['date', 'Modified'], ['kind', 'Kind']];
const ROW_PX = 40;
const TILE_PX = 148;
const MODE_KEY = 'vss.files.mode';

/**
 * `#/files[/DEVICE[/LOCATION[/FOLDER…]]]` (issue 59): the library's folders as a file explorer —
 * devices, their locations, the folders and files in them, as each device last said (an offline
 * device's listing readable, marked offline). List or grid, sorted by name, size, date or kind
 * (folders first), virtualised so a folder of 10,000 entries draws only what is on screen. The
 * keyboard: arrows move, Enter opens, Backspace goes up, Space picks; picked files take the grid's
 * actions (tag, album, copy, move, delete, send).
 */
export function FilesView({ path }: { path: string[] }) {
  const lib = useLibrary();
  const address = addressOf(path);
  const [loaded, reload] = useLoad((signal) => get<LsItem[]>(API.ls(lib.id, address), signal), [lib.id, address]);
  const [sort, setSort] = useState<{ key: SortKey; up: boolean }>({ key: 'name', up: true });
  const [mode, setMode] = useState<'list' | 'grid'>(() => (localStorage.getItem(MODE_KEY) === 'grid' ? 'grid' : 'list'));
  const selection = useMemo(() => new GridSelection(), []);
  useEffect(() => selection.clear(), [address, selection]);
  const rows = useMemo(() => (loaded.state === 'ready' ? sorted(rowsOf(path, loaded.value), sort) : []), [loaded, path, sort]);
  const crumbs = useCrumbs(path, loaded.state === 'ready' ? loaded.value : []);
  const setModeKept = (m: 'list' | 'grid') => {
    localStorage.setItem(MODE_KEY, m);
    setMode(m);
  };
  return (
    <Page label="Files" className="files-page">
      <nav className="files-crumbs" aria-label="Where">
        {crumbs.map((c, i) => (
          <span key={i}>{i > 0 && <span className="crumb-sep" aria-hidden="true"> › </span>}
            {i === crumbs.length - 1 ? <strong aria-current="page">{c.label}</strong> : <a href={href({ view: 'files', path: c.path })}>{c.label}</a>}
          </span>
        ))}
      </nav>
      <div className="files-bar">
        <span className="files-sort" role="group" aria-label="Sort by">
          {SORTS.map(([key, label]) => (
            <button key={key} type="button" aria-pressed={sort.key === key} onClick={() => setSort((s) => ({ key, up: s.key === key ? !s.up : true }))}>
              {label}{sort.key === key ? (sort.up ? ' ↑' : ' ↓') : ''}
            </button>
          ))}
        </span>
        <span className="files-mode" role="group" aria-label="Show as">
          <button type="button" aria-pressed={mode === 'list'} onClick={() => setModeKept('list')}>List</button>
          <button type="button" aria-pressed={mode === 'grid'} onClick={() => setModeKept('grid')}>Grid</button>
        </span>
        {rows.length > 0 && <span className="files-count">{rows.length} {rows.length === 1 ? 'entry' : 'entries'}</span>}
      </div>
      {loaded.state === 'loading' && <p className="muted">Reading…</p>}
      {loaded.state === 'error' && <p role="alert">{loaded.message}</p>}
      {loaded.state === 'ready' && rows.length === 0 && <p className="muted">{path.length === 0 ? 'No device has a location yet: add a folder on the Locations page.' : 'This folder is empty.'}</p>}
      {rows.length > 0 && <Entries key={`${address ?? ''}|${mode}`} rows={rows} mode={mode} path={path} libId={lib.id} selection={selection} />}
      <SelectionBar libId={lib.id} selection={selection} reload={reload} showsHidden />
    </Page>
  );
}

/** The rows, drawn as they come into view; the keyboard's focus kept on one of them. */
function Entries({ rows, mode, path, libId, selection }: { rows: Row[]; mode: 'list' | 'grid'; path: string[]; libId: string; selection: GridSelection }) {
  const scroll = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  const [focus, setFocus] = useState(0);
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
  const open = (r: Row) => {
    if (r.to) navigate({ view: 'files', path: r.to });
    else if (r.content) navigate({ view: 'content', uuid: r.content, q: '' });
  };
  const move = (to: number) => {
    const i = Math.max(0, Math.min(rows.length - 1, to));
    setFocus(i);
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
    else if (e.key === ' ' && r?.content) selection.toggle(r.content, focus);
    else return;
    e.preventDefault();
  };
  return (
    <div ref={scroll} className={`files-scroll files-${mode}`} tabIndex={0} role="grid" aria-label="Folder" aria-rowcount={rows.length} aria-activedescendant={`files-row-${focus}`} onKeyDown={onKey}>
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((line) => (
          <div key={line.key} className="files-line" style={{ position: 'absolute', top: 0, left: 0, right: 0, height: line.size, transform: `translateY(${line.start}px)` }}>
            {rows.slice(line.index * cols, line.index * cols + cols).map((r, k) => {
              const i = line.index * cols + k;
              return <Entry key={i} i={i} r={r} mode={mode} libId={libId} focused={i === focus} picked={r.content !== null && selection.has(r.content)}
                onPick={(extend) => { setFocus(i); if (r.content && extend) selection.toggle(r.content, i); }} onOpen={() => open(r)} />;
            })}
          </div>
        ))}
      </div>
    </div>
  );
}

function Entry({ i, r, mode, libId, focused, picked, onPick, onOpen }: { i: number; r: Row; mode: 'list' | 'grid'; libId: string; focused: boolean; picked: boolean; onPick: (extend: boolean) => void; onOpen: () => void }) {
  const thumb = r.content !== null && (r.kind === 'image' || r.kind === 'video');
  const icon = <Icon what={r.what} />;
  return (
    <div id={`files-row-${i}`} role="row" aria-selected={picked} data-i={i} className={`files-entry${focused ? ' focused' : ''}${picked ? ' picked' : ''}${r.online ? '' : ' offline'}`}
      onClick={(e) => onPick(e.ctrlKey || e.metaKey || e.shiftKey)} onDoubleClick={onOpen}>
      <span className="files-icon" aria-hidden="true">
        {thumb && mode === 'grid' ? <img alt="" loading="lazy" src={API.sidecar(libId, r.content!, 'thumb', 'grid@1x')} onError={(e) => { e.currentTarget.style.visibility = 'hidden'; }} /> : icon}
      </span>
      <span role="gridcell" className="files-name">
        {r.to || r.content ? <a href={r.to ? href({ view: 'files', path: r.to }) : href({ view: 'content', uuid: r.content!, q: '' })} onClick={(e) => e.stopPropagation()}>{r.name}</a> : r.name}
        {!r.online && <span className="tag"> offline</span>}
      </span>
      {mode === 'list' && <span role="gridcell" className="files-size">{r.size === null ? '' : bytes(r.size)}</span>}
      {mode === 'list' && <span role="gridcell" className="files-date">{r.modified === null ? '' : dateTime(r.modified)}</span>}
      {mode === 'list' && <span role="gridcell" className="files-kind">{r.kind}</span>}
    </div>
  );
}

/** The `ls` address of PATH: nothing (every device's locations), `DEVICE:` (its locations), `DEVICE:/LOCATION/FOLDER…`. */
function addressOf(path: string[]): string | undefined {
  if (path.length === 0) return undefined;
  const [device, ...rest] = path;
  return rest.length === 0 ? `${device}:` : `${device}:/${rest.join('/')}`;
}

/** ITEMS as the rows at PATH: at the top, one per device (its locations' listing grouped); below, each entry. */
function rowsOf(path: string[], items: readonly LsItem[]): Row[] {
  if (path.length === 0) {
    const devices = new Map<string, Row>();
    for (const it of items) {
      const d = devices.get(it.device_id);
      if (d) {
        d.size = (d.size ?? 0) + it.size;
        d.online ||= it.online;
      } else devices.set(it.device_id, { name: it.device, to: [it.device_id], what: 'device', size: it.size, modified: null, kind: 'device', content: null, online: it.online });
    }
    return [...devices.values()];
  }
  return items.map((it) => {
    const folder = it.kind === 'dir';
    return {
      name: it.name, to: folder ? [...path, it.name] : null, what: folder ? (path.length === 1 ? 'location' : 'folder') : it.kind === 'symlink' ? 'symlink' : 'file',
      size: it.size, modified: it.modified, kind: folder ? (path.length === 1 ? 'location' : 'folder') : it.content_kind ?? (it.kind === 'symlink' ? 'symlink' : 'file'),
      content: it.content_uuid, online: it.online,
    };
  });
}

/** ROWS in the order asked, folders (and devices, locations) before files. */
function sorted(rows: Row[], sort: { key: SortKey; up: boolean }): Row[] {
  const by: Record<SortKey, (a: Row, b: Row) => number> = {
    name: (a, b) => a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' }),
    size: (a, b) => (a.size ?? 0) - (b.size ?? 0),
    date: (a, b) => (a.modified ?? 0) - (b.modified ?? 0),
    kind: (a, b) => a.kind.localeCompare(b.kind),
  };
  const cmp = by[sort.key];
  return [...rows].sort((a, b) => Number(b.to !== null) - Number(a.to !== null) || (sort.up ? 1 : -1) * (cmp(a, b) || by.name(a, b)));
}

/** The breadcrumbs of PATH: Files, then the device by its name, then each folder. */
function useCrumbs(path: string[], items: readonly LsItem[]): Array<{ label: string; path: string[] }> {
  const deviceName = items[0]?.device ?? path[0] ?? '';
  return [{ label: 'Files', path: [] }, ...path.map((p, i) => ({ label: i === 0 ? deviceName : p, path: path.slice(0, i + 1) }))];
}

/** What a row is, drawn (no emoji font is needed: a phone's or a server's browser may have none). */
function Icon({ what }: { what: Row['what'] }) {
  const d: Record<Row['what'], string> = {
    device: 'M3 5h18v11H3z M8 20h8 M12 16v4',
    location: 'M3 6h7l2 2h9v11H3z M3 11h18',
    folder: 'M3 6h7l2 2h9v11H3z',
    file: 'M6 3h8l4 4v14H6z M14 3v4h4',
    symlink: 'M6 3h8l4 4v14H6z M9 16l5-5 M10 11h4v4',
  };
  return (
    <svg viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinejoin="round" aria-hidden="true">
      <path d={d[what]} />
    </svg>
  );
}
