import { dirname, relative, sep } from 'node:path';
import type { ChangedDir } from '../indexer/discover-dirs.js';
import type { KnownBytes } from '../indexer/identification.js';
import { releaseOrphanContents } from '../indexer/release-orphans.js';
import type { Library } from '../library/library.js';
import { scanLocation } from '../locations/locations.js';
import type { FileOpItemRecord } from '../store/file-op-items.js';
import type { FileOp } from './file-op.js';
import { placeOf } from './places.js';
import { factsAt } from '../storage/local-tree.js';

/** Past this many changed folders in one location, it is listed whole (one walk beats thousands of listings). */
const MAX_FOLDERS = 1000;

/**
 * Bring the index in line with what a file operation did, at once (not when the watcher gets
 * to it): the folders it wrote into and took from are listed again as the watcher would list
 * them (a new folder walked whole; a file moved between two listed folders keeps its content by
 * its inode), so an entry is added, moved or removed through the entries store (library sync
 * numbering holds); a file this run copied and verified (KNOWN) is linked by its BLAKE3, not read
 * again. Destinations first, so a content moved across locations is found linked before its old
 * entry leaves; contents no file holds any more are released once at the end.
 */
export async function reindexAfter(lib: Library, op: FileOp, items: readonly FileOpItemRecord[], known?: ReadonlyMap<string, KnownBytes>): Promise<void> {
  const into = new Map<number, Set<string>>();
  const from = new Map<number, Set<string>>();
  const places = new Map<string, ReturnType<typeof placeOf>>();
  const add = (to: Map<number, Set<string>>, path: string) => {
    const dir = dirname(path);
    let place = places.get(dir);
    if (!places.has(dir)) places.set(dir, (place = placeOf(lib, dir)));
    if (!place) return;
    let set = to.get(place.locationId);
    if (!set) to.set(place.locationId, (set = new Set()));
    set.add(place.rel);
  };
  for (const it of items) {
    if (it.state !== 'done') continue;
    if (it.final !== null) add(into, it.kind === 'dir' ? it.final : it.final);
    if (op !== 'copy' && (it.kind !== 'dir' || it.dst === null)) add(from, it.src);
  }
  if (into.size + from.size === 0) return;
  for (const [loc, dirs] of into) {
    for (const d of from.get(loc) ?? []) dirs.add(d);
    from.delete(loc);
  }
  for (const [loc, dirs] of [...into, ...from]) {
    const only: ChangedDir[] | undefined = dirs.size > MAX_FOLDERS ? undefined : [...dirs].map((rel) => ({ rel, subtree: false }));
    await scanLocation(lib, loc, undefined, { ...(only ? { only } : {}), removeOrphans: false, ...(known ? { known } : {}) });
  }
  releaseOrphanContents(lib);
}

/**
 * The index of the location in line with FILES at once (as a transfer's are, above):
 * their folders and those above them listed again, each file linked by the BLAKE3 it was
 * verified against rather than read again.
 */
export async function indexLanded(lib: Library, locationId: number, root: string, files: ReadonlyArray<{ path: string; blake3: string }>): Promise<void> {
  const known = new Map<string, KnownBytes>();
  const dirs = new Set<string>();
  for (const f of files) {
    const st = factsAt(f.path);
    if (st?.kind !== 'file') continue;
    known.set(f.path, { blake3: f.blake3, size: st.size, mtimeMs: st.mtimeMs, inode: st.inode, ctimeMs: st.ctimeMs });
    // Every folder up to the root: one made for this copy is found by its parent's listing.
    for (let rel = relative(root, dirname(f.path)).split(sep).join('/'); ; rel = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '') {
      dirs.add(rel);
      if (rel === '') break;
    }
  }
  await scanLocation(lib, locationId, undefined, { only: [...dirs].map((rel) => ({ rel, subtree: false })), removeOrphans: false, known });
}
