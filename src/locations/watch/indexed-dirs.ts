import type { EntryStore } from '../../store/entries.js';

export interface IndexedDir {
  /** Relative to the location, '/'-separated; '' is the location itself. */
  rel: string;
  /** As recorded when its parent was last listed (the location's own row: when it was added). */
  mtimeMs: number | null;
  inode: number | null;
}

/**
 * The indexed folders at and beneath `rel` (or beneath its nearest indexed ancestor, when `rel`
 * itself is not indexed any more): what a watcher of that part of the location should watch.
 */
export function indexedDirsUnder(entries: EntryStore, locationId: number, rel: string): { top: string; dirs: IndexedDir[] } {
  const rootId = entries.rootOf(locationId);
  if (rootId === undefined) return { top: '', dirs: [] };
  const names = rel === '' ? [] : rel.split('/');
  let id = rootId;
  let depth = 0;
  for (; depth < names.length; depth++) {
    const child = entries.childDir(id, names[depth]!);
    if (child === undefined) break;
    id = child;
  }
  const dirs = entries.foldersBeneath(id).map((d) => ({ rel: d.rel_path, mtimeMs: d.mtime_ms, inode: d.inode }));
  return { top: names.slice(0, depth).join('/'), dirs };
}
