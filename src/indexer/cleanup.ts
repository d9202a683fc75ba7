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

/**
 * Content identities no entry refers to any more — except those holding a converted sidecar (a
 * Live Photo movie moved into the library): that file is the only copy, and the content may come
 * back (a still moved between locations, a location removed and added again), finding it ready.
 */
export function removeOrphanContents(db: Db): number {
  return db
    .prepare(
      `DELETE FROM content_identities WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.content_id = content_identities.id)
       AND NOT EXISTS (SELECT 1 FROM sidecars s WHERE s.content_uuid = content_identities.uuid AND s.source = 'converted' AND s.status = 'ready')`,
    )
    .run().changes;
}
