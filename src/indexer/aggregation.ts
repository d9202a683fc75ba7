import type { Stores } from '../store/stores.js';

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
export function aggregateDirectories(store: Stores, locationId: number): LocationTotals {
  const dirs = new Map<number, DirNode>();
  const dirRows = store.entries.folders(locationId);
  for (const r of dirRows) {
    dirs.set(r.id, { id: r.id, parentId: r.parent_id, depth: r.rel_path === '' ? 0 : countSlashes(r.rel_path) + 1, size: 0, files: 0, dirs: 0 });
  }
  for (const d of store.entries.directFiles(locationId)) {
    const node = dirs.get(d.parent_id);
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
  store.transaction(() => {
    for (const r of dirRows) {
      const n = dirs.get(r.id)!;
      if (r.agg_size !== n.size || r.agg_files !== n.files || r.agg_dirs !== n.dirs) store.entries.setFigures(n.id, n.size, n.files, n.dirs);
    }
  });
  return { files: root?.files ?? 0, dirs: root?.dirs ?? 0, bytes: root?.size ?? 0 };
}

function countSlashes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 47) n++;
  return n;
}
