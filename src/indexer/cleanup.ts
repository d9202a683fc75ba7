import type { Db } from '../db/connection.js';
import type { SeenSet } from './seen-set.js';

const PAGE = 5000;

/**
 * After a complete walk, every entry the walk did not confirm is gone from disk: remove it.
 * Files go first so they are counted one by one; then folders and links (a folder's removal
 * takes anything left beneath it). Paged by id so memory stays flat.
 */
export function removeUnseen(db: Db, locationId: number, seen: SeenSet): { files: number; rows: number } {
  // The usual case, a first scan or an unchanged tree: every row was confirmed, nothing to page through.
  const rows = (db.prepare('SELECT COUNT(*) AS n FROM entries WHERE location_id = ?').get(locationId) as { n: number }).n;
  if (rows === seen.size) return { files: 0, rows: 0 };
  const files = removePass(db, locationId, seen, "kind = 'file'");
  const others = removePass(db, locationId, seen, "kind <> 'file'");
  return { files, rows: files + others };
}

function removePass(db: Db, locationId: number, seen: SeenSet, kindFilter: string): number {
  const page = db.prepare(`SELECT id FROM entries WHERE id > ? AND +location_id = ? AND ${kindFilter} ORDER BY id LIMIT ?`);
  const del = db.prepare('DELETE FROM entries WHERE id = ?');
  let lastId = 0;
  let removed = 0;
  for (;;) {
    const ids = (page.all(lastId, locationId, PAGE) as Array<{ id: number }>).map((r) => r.id);
    if (ids.length === 0) break;
    lastId = ids[ids.length - 1]!;
    const gone = ids.filter((id) => !seen.has(id));
    if (gone.length === 0) continue;
    db.transaction(() => {
      for (const id of gone) removed += del.run(id).changes;
    })();
  }
  return removed;
}
