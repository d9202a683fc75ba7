import { API } from './api-paths.js';
import type { BrowseRoots, FolderListing, LsItem } from './types.js';

/**
 * The explorer's rows (issue 59), made from what the daemon lists: its devices, their locations
 * and folders (`ls`), and the folders in no location a device lets this one browse (`browse-roots`,
 * `browse-folder`). One shape for all of them, so the list, the grid, the keys, the pick and the
 * drop read one thing.
 */
export interface Row {
  name: string;
  /** Where opening it goes (a folder's path parts); null: a file, opened by its content. */
  to: string[] | null;
  what: 'device' | 'location' | 'folder' | 'root' | 'file' | 'symlink';
  size: number | null;
  modified: number | null;
  kind: string;
  content: string | null;
  online: boolean;
  /** What a pick of it names to the daemon (a path here, a content elsewhere); null: it cannot be picked. */
  ref: string | null;
  /** A folder of this device things can be dropped into (its path); null: none. */
  dropTo: string | null;
  /** Its tile's picture in the grid, where it has one. */
  thumb: string | null;
}

/** The part of an explorer address that says "the folders in no location" of its device: `#/files/DEVICE/~/PATH…`. */
export const NOT_ADDED = '~';

export type Place =
  | { at: 'top' }
  | { at: 'device'; device: string }
  | { at: 'folder'; device: string; address: string }
  | { at: 'roots'; device: string }
  | { at: 'browsed'; device: string; abs: string };

/** Where PATH (the explorer's address parts) is. */
export function placeOf(path: readonly string[]): Place {
  const [device, second, ...rest] = path;
  if (device === undefined) return { at: 'top' };
  if (second === undefined) return { at: 'device', device };
  if (second === NOT_ADDED) return rest.length === 0 ? { at: 'roots', device } : { at: 'browsed', device, abs: `/${rest.join('/')}` };
  return { at: 'folder', device, address: `${device}:/${[second, ...rest].join('/')}` };
}

/** The rows at the top: one per device, its locations' listing grouped. */
export function deviceRows(items: readonly LsItem[]): Row[] {
  const devices = new Map<string, Row>();
  for (const it of items) {
    const d = devices.get(it.device_id);
    if (d) {
      d.size = (d.size ?? 0) + it.size;
      d.online ||= it.online;
    } else devices.set(it.device_id, { name: it.device, to: [it.device_id], what: 'device', size: it.size, modified: null, kind: 'device', content: null, online: it.online, ref: null, dropTo: null, thumb: null });
  }
  return [...devices.values()];
}

/** A device's or a location's folder, as `ls` lists it; this device's entries picked by their paths. */
export function lsRows(path: readonly string[], items: readonly LsItem[], libId: string): Row[] {
  return items.map((it) => {
    const folder = it.kind === 'dir';
    const what: Row['what'] = folder ? (path.length === 1 ? 'location' : 'folder') : it.kind === 'symlink' ? 'symlink' : 'file';
    return {
      name: it.name, to: folder ? [...path, it.name] : null, what,
      size: it.size, modified: it.modified, kind: folder ? what : it.content_kind ?? (it.kind === 'symlink' ? 'symlink' : 'file'),
      content: it.content_uuid, online: it.online,
      // Here, a pick names the entry itself (a folder too); on another device, a file's content.
      ref: it.path !== undefined && what !== 'location' ? it.path : folder ? null : it.content_uuid,
      dropTo: folder && it.path !== undefined && it.online ? it.path : null,
      thumb: it.content_uuid !== null && (it.content_kind === 'image' || it.content_kind === 'video') ? API.sidecar(libId, it.content_uuid, 'thumb', 'grid@1x') : null,
    };
  });
}

/** The folders in no location a device lets this one browse, beside its locations. */
export function rootRows(device: string, roots: BrowseRoots): Row[] {
  return roots.roots.map((r) => ({
    name: r, to: [device, NOT_ADDED, ...r.split('/').filter((p) => p !== '')], what: 'root', size: null, modified: null, kind: 'not added',
    content: null, online: true, ref: roots.here ? r : null, dropTo: roots.here ? r : null, thumb: null,
  }));
}

/** A browsed folder's entries: here, each picked by its path and a picture made on demand; there, read only. */
export function browsedRows(path: readonly string[], abs: string, here: boolean, listing: FolderListing, libId: string): Row[] {
  return listing.entries.filter((e) => e.type !== 'other').map((e) => {
    const at = abs === '/' ? `/${e.name}` : `${abs}/${e.name}`;
    const folder = e.type === 'dir';
    const known = e.content_uuid !== null && e.in_library === true ? e.content_uuid : null;
    return {
      name: e.name, to: folder ? [...path, e.name] : null, what: folder ? 'folder' : e.type === 'symlink' ? 'symlink' : 'file',
      size: folder ? null : e.size, modified: e.modified === null ? null : Date.parse(e.modified), kind: folder ? 'folder' : e.kind ?? e.type,
      content: known, online: true, ref: here && e.type !== 'symlink' ? at : null, dropTo: here && folder ? at : null,
      thumb: here && e.type === 'file' && (e.kind === 'image' || e.kind === 'video') ? API.browseThumb(libId, at) : null,
    };
  });
}

export type SortKey = 'name' | 'size' | 'date' | 'kind';

/** ROWS in the order asked, folders (and devices, locations, roots) before files. */
export function sorted(rows: Row[], sort: { key: SortKey; up: boolean }): Row[] {
  const by: Record<SortKey, (a: Row, b: Row) => number> = {
    name: (a, b) => a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' }),
    size: (a, b) => (a.size ?? 0) - (b.size ?? 0),
    date: (a, b) => (a.modified ?? 0) - (b.modified ?? 0),
    kind: (a, b) => a.kind.localeCompare(b.kind),
  };
  const cmp = by[sort.key];
  return [...rows].sort((a, b) => Number(b.to !== null) - Number(a.to !== null) || (sort.up ? 1 : -1) * (cmp(a, b) || by.name(a, b)));
}
