import type { Db } from '../db/connection.js';

export interface LocationTotals {
  files: number;
  dirs: number;
  bytes: number;
}

interface DirNode {
  id: number;
  parentId: number | null;
  depth: number;
  size: number;
  files: number;
  dirs: number;
}

/**
 * Sizes and counts of every folder, rolled up from the files beneath it. Memory is one small
 * record per folder (not per file); only folders whose figures changed are written.
 */
export function aggregateDirectories(db: Db, locationId: number): LocationTotals {
  const dirs = new Map<number, DirNode>();
  const dirRows = db
    .prepare("SELECT id, parent_id, rel_path, agg_size, agg_files, agg_dirs FROM entries WHERE location_id = ? AND kind = 'dir'")
    .all(locationId) as Array<{ id: number; parent_id: number | null; rel_path: string; agg_size: number | null; agg_files: number | null; agg_dirs: number | null }>;
  for (const r of dirRows) {
    dirs.set(r.id, { id: r.id, parentId: r.parent_id, depth: r.rel_path === '' ? 0 : countSlashes(r.rel_path) + 1, size: 0, files: 0, dirs: 0 });
  }
  const direct = db
        // `+location_id`: read the (parent_id, name) index in order, so the grouping needs no sort of every file.
    .prepare("SELECT parent_id AS id, SUM(size) AS size, COUNT(*) AS files FROM entries WHERE +location_id = ? AND kind = 'file' GROUP BY parent_id")
    .all(locationId) as Array<{ id: number; size: number; files: number }>;
  for (const d of direct) {
    const node = dirs.get(d.id);
    if (node) { node.size += d.size; node.files += d.files; }
  }
  const byDepth = [...dirs.values()].sort((a, b) => b.depth - a.depth);
  let root: DirNode | undefined;
  for (const node of byDepth) {
    if (node.parentId === null) { root = node; continue; }
    const parent = dirs.get(node.parentId);
    if (!parent) continue;
    parent.size += node.size;
    parent.files += node.files;
    parent.dirs += node.dirs + 1;
  }
  const update = db.prepare('UPDATE entries SET agg_size = ?, agg_files = ?, agg_dirs = ? WHERE id = ?');
  db.transaction(() => {
    for (const r of dirRows) {
      const n = dirs.get(r.id)!;
      if (r.agg_size !== n.size || r.agg_files !== n.files || r.agg_dirs !== n.dirs) update.run(n.size, n.files, n.dirs, n.id);
    }
  })();
  return { files: root?.files ?? 0, dirs: root?.dirs ?? 0, bytes: root?.size ?? 0 };
}

function countSlashes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 47) n++;
  return n;
}
