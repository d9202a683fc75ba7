import { basename, dirname, relative, sep } from 'node:path';
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
 * to it). Each file this run copied and verified (KNOWN, with its facts once in place) and each
 * folder it made (MADE) is written from what the run knows of it (indexer/landed.ts): a folder
 * it made holds nothing else, so it is not listed, nor its files looked at again, each linked by
 * its BLAKE3. The other folders it wrote into and took from are listed again as the watcher
 * would list them (a new folder walked whole; a file moved between two listed folders keeps its
 * content by its inode), so an entry is added, moved or removed through the entries store
 * (library sync numbering holds). Destinations first, so a content moved across locations is
 * found linked before its old entry leaves; contents no file holds any more are released once at
 * the end.
 */
export async function reindexAfter(lib: Library, op: FileOp, items: readonly FileOpItemRecord[], known?: ReadonlyMap<string, KnownBytes>, made?: ReadonlySet<string>): Promise<void> {
  const into = new Map<number, Set<string>>();
  const from = new Map<number, Set<string>>();
  const landed = new Map<number, { files: Array<{ rel: string; known: Required<KnownBytes> }>; madeFolders: Set<string> }>();
  const places = new Map<string, ReturnType<typeof placeOf>>();
  const placeOfDir = (dir: string) => {
    let place = places.get(dir);
    if (!places.has(dir)) places.set(dir, (place = placeOf(lib, dir)));
    return place;
  };
  const add = (to: Map<number, Set<string>>, path: string) => {
    const place = placeOfDir(dirname(path));
    if (!place) return;
    let set = to.get(place.locationId);
    if (!set) to.set(place.locationId, (set = new Set()));
    set.add(place.rel);
  };
  const landedIn = (path: string) => {
    const place = placeOfDir(dirname(path));
    if (!place) return undefined;
    let l = landed.get(place.locationId);
    if (!l) landed.set(place.locationId, (l = { files: [], madeFolders: new Set() }));
    return { l, rel: place.rel === '' ? basename(path) : `${place.rel}/${basename(path)}` };
  };
  for (const it of items) {
    if (it.state !== 'done') continue;
    if (it.final !== null) {
      const k = it.kind !== 'dir' ? known?.get(it.final) : undefined;
      const at = (k?.ctimeMs !== undefined || (it.kind === 'dir' && made?.has(it.final))) ? landedIn(it.final) : undefined;
      if (at && k?.ctimeMs !== undefined) at.l.files.push({ rel: at.rel, known: { ...k, ctimeMs: k.ctimeMs } });
      else if (at) at.l.madeFolders.add(at.rel);
      // A folder the run did not make may hold what others put there: listed, as the watcher would.
      if (!at || !made?.has(dirname(it.final))) add(into, it.final);
    }
    if (op !== 'copy' && (it.kind !== 'dir' || it.dst === null)) add(from, it.src);
  }
  if (into.size + from.size + landed.size === 0) return;
  for (const [loc, dirs] of into) {
    for (const d of from.get(loc) ?? []) dirs.add(d);
    from.delete(loc);
  }
  for (const loc of landed.keys()) if (!into.has(loc) && !from.has(loc)) into.set(loc, new Set());
  for (const [loc, dirs] of [...into, ...from]) {
    const only: ChangedDir[] | undefined = dirs.size > MAX_FOLDERS ? undefined : [...dirs].map((rel) => ({ rel, subtree: false }));
    const here = landed.get(loc);
    await scanLocation(lib, loc, undefined, { ...(only ? { only } : {}), removeOrphans: false, ...(known ? { known } : {}), ...(here ? { landed: here } : {}) });
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
