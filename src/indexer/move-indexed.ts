import { posix } from 'node:path';
import type { Library } from '../library/library.js';
import type { LocalDisk } from '../storage/local-disk.js';
import { locationStorage } from '../storage/storages.js';
import type { EntryRecord, EntryStore } from '../store/entries.js';

/**
 * The index follows a rename vss itself made within location LOCATIONID (a move within one
 * drive, issue 57): the entry at FROM (a file, or a folder with everything beneath it) moved to
 * TO in one write, nothing listed or read again — a 10,000-file folder moved costs about what the
 * rename did. The folders it left and joined take their new times, and the figures it carries
 * move from the one's ancestors to the other's. False where it cannot be said so simply (FROM not
 * indexed, TO's folder not indexed yet, a row already under TO's name, either side not there
 * now): the caller lists the folders again.
 */
export function moveIndexed(lib: Library, locationId: number, from: string, to: string): boolean {
  const store = lib.store.entries;
  if (from === '' || to === '' || from === to) return false;
  const row = rowAt(store, locationId, from);
  const oldParent = row?.parent_id != null ? store.byId(row.parent_id) : undefined;
  const newParent = rowAt(store, locationId, parentOf(to));
  const name = posix.basename(to);
  if (!row || !oldParent || newParent?.kind !== 'dir' || store.child(newParent.id, name) !== undefined) return false;
  let disk: LocalDisk;
  try {
    disk = locationStorage(lib, locationId);
  } catch {
    return false;
  }
  const now = disk.statNow(to);
  const left = disk.statNow(oldParent.rel_path);
  const joined = disk.statNow(newParent.rel_path);
  if (!now || now.ino !== row.inode || !left?.isDirectory() || !joined?.isDirectory()) return false;
  const carried = row.kind === 'dir' ? { size: row.agg_size ?? 0, files: row.agg_files ?? 0, dirs: (row.agg_dirs ?? 0) + 1 } : { size: row.kind === 'file' ? row.size : 0, files: row.kind === 'file' ? 1 : 0, dirs: 0 };
  lib.store.transaction(() => {
    store.moveTree(row.id, { parent_id: newParent.id, name, rel_path: to, mtime_ms: now.mtimeMs, ctime_ms: now.ctimeMs });
    for (const [dir, st] of [[oldParent, left], [newParent, joined]] as const) {
      store.update(dir.id, { parent_id: dir.parent_id, name: dir.name, rel_path: dir.rel_path, kind: dir.kind, size: dir.size, link_target: dir.link_target, inode: st.ino, mtime_ms: st.mtimeMs, ctime_ms: st.ctimeMs }, false);
    }
    shiftFigures(store, oldParent, carried, -1);
    shiftFigures(store, store.byId(newParent.id)!, carried, 1);
  });
  return true;
}

/** What a moved row carries in its folders' figures. */
interface Figures {
  size: number;
  files: number;
  dirs: number;
}

/** FROM and every folder above it gain (SIGN 1) or lose (-1) FIGURES. */
function shiftFigures(store: EntryStore, from: EntryRecord, f: Figures, sign: 1 | -1): void {
  for (let at: EntryRecord | undefined = from; at; at = at.parent_id !== null ? store.byId(at.parent_id) : undefined) {
    if (at.agg_size === null || at.agg_files === null || at.agg_dirs === null) continue;
    store.setFigures(at.id, at.agg_size + sign * f.size, at.agg_files + sign * f.files, at.agg_dirs + sign * f.dirs);
  }
}

function parentOf(rel: string): string {
  const d = posix.dirname(rel);
  return d === '.' ? '' : d;
}

/** The row at REL in location LOCATIONID (its root: ''), found from the root a name at a time. */
function rowAt(store: EntryStore, locationId: number, rel: string): EntryRecord | undefined {
  const root = store.rootOf(locationId);
  let id: number | undefined = root;
  if (rel !== '') {
    for (const name of rel.split('/')) {
      if (id === undefined) return undefined;
      id = store.child(id, name)?.id;
    }
  }
  return id === undefined ? undefined : store.byId(id);
}
