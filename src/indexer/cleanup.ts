import type { Db } from '../db/connection.js';
import type { SeenSet } from './seen-set.js';

const PAGE = 5000;

/**
 * After a complete walk, every entry the walk did not confirm is gone from disk: remove it.
 * Paged by id so memory stays flat however large the location. Returns the files removed.
 */
export function removeUnseen(db: Db, locationId: number, seen: SeenSet): number {
  const page = db.prepare('SELECT id, kind FROM entries WHERE location_id = ? AND id > ? ORDER BY id LIMIT ?');
  const del = db.prepare('DELETE FROM entries WHERE id = ?');
  let lastId = 0;
  let removedFiles = 0;
  for (;;) {
    const rows = page.all(locationId, lastId, PAGE) as Array<{ id: number; kind: string }>;
    if (rows.length === 0) break;
    lastId = rows[rows.length - 1]!.id;
    const gone = rows.filter((r) => !seen.has(r.id));
    if (gone.length === 0) continue;
    db.transaction(() => {
      for (const r of gone) {
        // A folder's removal already took its children with it (ON DELETE CASCADE).
        if (del.run(r.id).changes > 0 && r.kind === 'file') removedFiles++;
      }
    })();
  }
  return removedFiles;
}

/** Content identities no entry refers to any more. */
export function removeOrphanContents(db: Db): number {
  return db
    .prepare('DELETE FROM content_identities WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.content_id = content_identities.id)')
    .run().changes;
}
