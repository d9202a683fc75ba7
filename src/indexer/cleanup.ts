import type { Stores } from '../store/stores.js';
import type { SeenSet } from './seen-set.js';

const PAGE = 5000;

/**
 * After a complete walk, every entry the walk did not confirm is gone from disk: remove it.
 * Files go first so they are counted one by one; then folders and links (a folder's removal
 * takes anything left beneath it). Paged by id so memory stays flat.
 */
export function removeUnseen(store: Stores, locationId: number, seen: SeenSet): { files: number; rows: number } {
  // The usual case, a first scan or an unchanged tree: every row was confirmed, nothing to page through.
  if (store.entries.count(locationId) === seen.size) return { files: 0, rows: 0 };
  const files = removePass(store, locationId, seen, true);
  const others = removePass(store, locationId, seen, false);
  return { files, rows: files + others };
}

function removePass(store: Stores, locationId: number, seen: SeenSet, files: boolean): number {
  let lastId = 0;
  let removed = 0;
  for (;;) {
    const rows = store.entries.idPage(locationId, files, lastId, PAGE);
    if (rows.length === 0) break;
    lastId = rows[rows.length - 1]!.id;
    const gone = rows.filter((r) => !seen.has(r.id, r.parent_id)).map((r) => r.id);
    if (gone.length === 0) continue;
    store.transaction(() => {
      for (const id of gone) if (store.entries.delete(id)) removed++;
    });
  }
  return removed;
}
