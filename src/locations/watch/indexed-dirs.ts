import type { Db } from '../../db/connection.js';

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
export function indexedDirsUnder(db: Db, locationId: number, rel: string): { top: string; dirs: IndexedDir[] } {
  const root = db.prepare('SELECT id FROM entries WHERE location_id = ? AND parent_id IS NULL').get(locationId) as { id: number } | undefined;
  if (!root) return { top: '', dirs: [] };
  const child = db.prepare("SELECT id FROM entries WHERE parent_id = ? AND name = ? AND kind = 'dir'");
  const names = rel === '' ? [] : rel.split('/');
  let id = root.id;
  let depth = 0;
  for (; depth < names.length; depth++) {
    const row = child.get(id, names[depth]) as { id: number } | undefined;
    if (!row) break;
    id = row.id;
  }
  const dirs = db
    .prepare(
      `WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL SELECT e.id FROM entries e JOIN sub ON e.parent_id = sub.id WHERE e.kind = 'dir')
       SELECT e.rel_path AS rel, e.mtime_ms AS mtimeMs, e.inode FROM entries e JOIN sub ON sub.id = e.id`,
    )
    .all(id) as IndexedDir[];
  return { top: names.slice(0, depth).join('/'), dirs };
}

/** Whether `rel` is `top` or lies beneath it. */
export function isUnder(rel: string, top: string): boolean {
  return top === '' || rel === top || rel.startsWith(top + '/');
}

export function parentOf(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}
