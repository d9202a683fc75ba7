import { useEffect, useMemo, useState } from 'react';
import { get } from './api.js';
import { API } from './api-paths.js';
import { useHeld } from './files-clipboard.js';
import { Entries, type Dropped } from './files-entries.js';
import { browsedRows, deviceRows, lsRows, placeOf, rootRows, sorted, type Row, type SortKey } from './files-rows.js';
import { GridSelection } from './grid-selection.js';
import { useLibrary } from './library-context.js';
import { useMay } from './may.js';
import { Page } from './page.js';
import { href } from './routes.js';
import { SelectionBar } from './selection-bar.js';
import { SelectionFileActions } from './selection-file-actions.js';
import type { BrowseRoots, FolderListing, LsItem } from './types.js';
import { useLoad } from './use-load.js';

const SORTS: ReadonlyArray<[SortKey, string]> = [['name', 'Name'], ['size', 'Size'], ['date', 'Modified'], ['kind', 'Kind']];
const MODE_KEY = 'vss.files.mode';

/** What one address of the explorer lists: its rows, the device's name, a note (roots a device would not give), and the folder itself where things can be put in it. */
interface Listed {
  rows: Row[];
  device: string | null;
  note: string | null;
  here?: { to: string; label: string } | null;
}

/**
 * `#/files[/DEVICE[/LOCATION[/FOLDER…]]]` (issue 59): the library's folders as a file explorer —
 * devices, their locations, the folders and files in them, as each device last said (an offline
 * device's listing readable, marked offline) — and beside a device's locations the folders in no
 * location it lets this one browse (`#/files/DEVICE/~/PATH…`; this machine's user's only), read
 * now, their photos' tiles made on demand. List or grid, sorted by name, size, date or kind
 * (folders first), virtualised so a folder of 10,000 entries draws only what is on screen. The
 * keyboard: arrows move, Enter opens, Backspace goes up, Space picks; picked entries (folders
 * too, here) take the grid's actions (tag, album, copy, move, delete, send), and entries dragged
 * onto a folder of this device are moved there (copied with Ctrl or Alt), planned and asked first;
 * Ctrl+X or Ctrl+C then Ctrl+V in a folder of this device do the same from the keyboard.
 */
export function FilesView({ path }: { path: string[] }) {
  const lib = useLibrary();
  const may = useMay();
  const mayRoots = may('browseRoots');
  const key = path.join('/');
  const [loaded, reload] = useLoad((signal) => listAt(lib.id, path, mayRoots, signal), [lib.id, key, mayRoots]);
  const [sort, setSort] = useState<{ key: SortKey; up: boolean }>({ key: 'name', up: true });
  const [mode, setMode] = useState<'list' | 'grid'>(() => (localStorage.getItem(MODE_KEY) === 'grid' ? 'grid' : 'list'));
  const [dropped, setDropped] = useState<Dropped | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const held = useHeld();
  const selection = useMemo(() => new GridSelection(), []);
  useEffect(() => { selection.clear(); setDropped(null); setNotice(null); }, [key, selection]);
  const rows = useMemo(() => (loaded.state === 'ready' ? sorted(loaded.value.rows, sort) : []), [loaded, sort]);
  const folders = useMemo(() => new Set(rows.filter((r) => r.to !== null && r.ref !== null).map((r) => r.ref!)), [rows]);
  const here = loaded.state === 'ready' ? loaded.value.here ?? null : null;
  const crumbs = crumbsOf(path, loaded.state === 'ready' ? loaded.value.device : null);
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
          {SORTS.map(([k, label]) => (
            <button key={k} type="button" aria-pressed={sort.key === k} onClick={() => setSort((s) => ({ key: k, up: s.key === k ? !s.up : true }))}>
              {label}{sort.key === k ? (sort.up ? ' ↑' : ' ↓') : ''}
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
      {loaded.state === 'ready' && loaded.value.note !== null && <p className="muted small">{loaded.value.note}</p>}
      {loaded.state === 'ready' && rows.length === 0 && <p className="muted">{path.length === 0 ? 'No device has a location yet: add a folder on the Locations page.' : 'This folder is empty.'}</p>}
      {dropped !== null && (
        <div className="files-drop" role="region" aria-label="Dropped">
          <SelectionFileActions key={`${dropped.to}|${dropped.copy}`} libId={lib.id} action={dropped.copy ? 'copy' : 'move'} contents={() => dropped.refs}
            preset={{ to: dropped.to, label: dropped.label }} close={() => setDropped(null)} changed={reload} />
        </div>
      )}
      <p className="muted small files-held" role="status">
        {notice ?? (held === null ? '' : `${held.refs.length} ${held.refs.length === 1 ? 'entry' : 'entries'} held to ${held.cut ? 'move' : 'copy'}: Ctrl+V in a folder of this device puts ${held.refs.length === 1 ? 'it' : 'them'} there`)}
      </p>
      {(rows.length > 0 || here !== null) && (
        <Entries key={`${key}|${mode}`} rows={rows} mode={mode} path={path} here={here} selection={selection} onDrop={(d) => { setNotice(null); setDropped(d); }} onNotice={setNotice} />
      )}
      <SelectionBar libId={lib.id} selection={selection} reload={reload} showsHidden albums={(refs) => !refs.some((r) => folders.has(r))} />
    </Page>
  );
}

/** The rows at PATH, read from the daemon. */
async function listAt(libId: string, path: string[], mayRoots: boolean, signal: AbortSignal): Promise<Listed> {
  const place = placeOf(path);
  switch (place.at) {
    case 'top':
      return { rows: deviceRows(await get<LsItem[]>(API.ls(libId), signal)), device: null, note: null };
    case 'device': {
      const items = await get<LsItem[]>(API.ls(libId, `${place.device}:`), signal);
      let roots: BrowseRoots | null = null;
      let note: string | null = null;
      if (mayRoots) {
        // Its folders in no location are asked of it now: an offline device still shows its locations.
        try {
          roots = await rootsOf(libId, place.device, signal, true);
        } catch (err) {
          if (signal.aborted) throw err;
          note = `Its folders in no location cannot be listed now: ${err instanceof Error ? err.message : String(err)}`;
        }
      }
      return { rows: [...lsRows(path, items, libId), ...(roots ? rootRows(place.device, roots) : [])], device: items[0]?.device ?? roots?.device ?? null, note };
    }
    case 'folder': {
      const items = await get<LsItem[]>(API.ls(libId, place.address), signal);
      return { rows: lsRows(path, items, libId), device: items[0]?.device ?? null, note: null, here: await folderHere(libId, path, items, signal) };
    }
    case 'roots': {
      const roots = await rootsOf(libId, place.device, signal, true);
      return { rows: rootRows(place.device, roots), device: roots.device, note: roots.roots.length === 0 ? 'This device lets no folder outside its locations be browsed (vss device browsable add PATH there).' : null };
    }
    case 'browsed': {
      const roots = await rootsOf(libId, place.device, signal);
      const listing = await get<FolderListing>(API.browseFolder(libId, roots.here ? place.abs : `${place.device}:${place.abs}`), signal);
      return {
        rows: browsedRows(path, place.abs, roots.here, listing, libId), device: roots.device, note: listing.truncated ? 'Only the first entries are shown: the folder holds more.' : null,
        here: roots.here ? { to: place.abs, label: path.at(-1)! } : null,
      };
    }
  }
}

/** A device's browsable roots as last asked, by library and device: a walk down a folder not added asks once, not at every step. */
const rootsAsked = new Map<string, { at: number; roots: BrowseRoots }>();
const ROOTS_FRESH_MS = 60_000;

/** DEVICE's browsable roots: as asked within the last minute, else (or FRESH: the roots' own listing) asked now. */
async function rootsOf(libId: string, device: string, signal: AbortSignal, fresh = false): Promise<BrowseRoots> {
  const key = `${libId}\0${device}`;
  const kept = rootsAsked.get(key);
  if (!fresh && kept && Date.now() - kept.at < ROOTS_FRESH_MS) return kept.roots;
  const roots = await get<BrowseRoots>(API.browseRoots(libId, device), signal);
  rootsAsked.set(key, { at: Date.now(), roots });
  return roots;
}

/**
 * The folder at PATH (a location's, listed as ITEMS) as a place things can be put, when it is on
 * this device (its entries carry their paths): the parent of any of them, or for an empty folder
 * its location's path (asked of the device's listing) and the rest of PATH.
 */
async function folderHere(libId: string, path: string[], items: readonly LsItem[], signal: AbortSignal): Promise<{ to: string; label: string } | null> {
  const label = path.at(-1)!;
  const known = items.find((it) => it.path !== undefined)?.path;
  if (known !== undefined) return { to: known.slice(0, known.lastIndexOf('/')) || '/', label };
  if (items.length > 0) return null;
  const locations = await get<LsItem[]>(API.ls(libId, `${path[0]}:`), signal);
  const root = locations.find((l) => l.name === path[1] && l.path !== undefined && l.online)?.path;
  return root === undefined ? null : { to: [root, ...path.slice(2)].join('/'), label };
}

/** The breadcrumbs of PATH: Files, then the device by its name, then each folder (a folder in no location by its path). */
function crumbsOf(path: string[], deviceName: string | null): Array<{ label: string; path: string[] }> {
  return [{ label: 'Files', path: [] }, ...path.map((p, i) => ({ label: i === 0 ? deviceName ?? p : p === '~' ? 'not added' : p, path: path.slice(0, i + 1) }))];
}
