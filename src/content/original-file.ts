import { locationOnline } from '../volumes/location-online.js';
import { VssError } from '../core/errors.js';
import { PathRefusedError } from '../library/confine.js';
import type { Library } from '../library/library.js';
import { UUID_RE } from '../sidecars/address.js';
import { factsOf } from '../storage/local-disk.js';
import type { LocationStorage, NodeFacts } from '../storage/port.js';
import { storageAt } from '../storage/storages.js';

/** A content's own file on this device, checked just now; or why there is none (the daemon answers 404 with it). */
export type OriginalFileAnswer =
  | {
    state: 'ready';
    /** The copy's location's storage, and the copy's path in it: what a peer is served from. */
    storage: LocationStorage;
    rel: string;
    /** Its local path, for what reads a file by its path (the daemon's ranges, a send). */
    path: string;
    /** What it is now, checked unchanged since it was identified. */
    facts: NodeFacts;
    size: number;
    mime: string;
    cas_id: string;
    cas_version: number;
  }
  | { state: 'unavailable'; reason: string; offline: boolean };

/** How many copies are looked at before giving up (a content copied thousands of times is still answered quickly). */
const MAX_COPIES = 32;

/** A copy of a content on this device, checked just now (see verifiedCopies). */
export type VerifiedCopy = Extract<OriginalFileAnswer, { state: 'ready' }> & { location_id: number };

/** The copies found (at most as many as asked), and why others were not, as originalFile says it. */
export interface CopiesHere {
  copies: VerifiedCopy[];
  /** Set when none was found: why (the daemon answers 404 with it). */
  unavailable: { reason: string; offline: boolean } | null;
}

/**
 * A copy of this content to serve: an indexed file in a location this device's user added, reached
 * through no symlink, and unchanged since it was identified (the indexer's own test: same inode,
 * size and mtime), so its bytes are the content its cas_id names. A copy changed since is skipped
 * until a rescan (or the location watcher) identifies it again.
 */
export function originalFile(lib: Library, contentUuid: string): OriginalFileAnswer {
  const found = verifiedCopies(lib, contentUuid, 1);
  return found.copies[0] ?? { state: 'unavailable', ...found.unavailable! };
}

/**
 * Up to MAX of the content's copies on this device that pass originalFile's checks: what a file
 * operation that names a content acts on. An unplugged drive's location is judged by its volume,
 * so another drive mounted at its old place (a second camera card of the same label) is never
 * taken for it, and a file changed since it was identified is not the content any more.
 */
export function verifiedCopies(lib: Library, contentUuid: string, max = MAX_COPIES): CopiesHere {
  if (!UUID_RE.test(contentUuid)) throw new VssError('USAGE', `invalid content uuid ${JSON.stringify(contentUuid)}`);
  const content = lib.store.contents.byUuid(contentUuid);
  if (!content) return { copies: [], unavailable: { reason: 'no such content in this library', offline: false } };
  const rows = lib.store.entries.filesOfContent(content.id, lib.deviceId, Math.max(max, MAX_COPIES));
  const copies: VerifiedCopy[] = [];
  let why: string | undefined;
  let offline = false;
  for (const c of rows) {
    if (copies.length >= max) break;
    let root = lib.roots.tryLocation(c.location_id);
    if (root instanceof PathRefusedError) {
      why ??= `no copy vss may read: ${root.message}`;
      continue;
    }
    // Judged by its volume (its path following its drive): an unplugged drive leaves an empty mount point.
    if (locationOnline(lib, c.location_id)?.online === false) { offline = true; continue; }
    root = lib.roots.tryLocation(c.location_id);
    if (root instanceof PathRefusedError) continue;
    const storage = storageAt(root);
    if (!storage.statNow('')) {
      offline = true;
      continue;
    }
    let path: string;
    try {
      path = root.regularFile(c.rel_path);
    } catch (err) {
      if (!(err instanceof PathRefusedError)) throw err;
      why ??= `no copy vss may read: ${err.message}`;
      continue;
    }
    const st = storage.statNow(c.rel_path);
    if (!st) continue;
    if (st.size === content.size && st.ino === c.inode && st.mtimeMs === c.mtime_ms) {
      copies.push({ state: 'ready', storage, rel: c.rel_path, path, facts: factsOf(st), size: st.size, mime: content.mime, cas_id: content.cas_id, cas_version: content.cas_version, location_id: c.location_id });
      continue;
    }
    why ??= 'its copies changed since they were indexed (a rescan identifies them again)';
  }
  if (copies.length > 0) return { copies, unavailable: null };
  if (why) return { copies, unavailable: { reason: why, offline: false } };
  if (offline) return { copies, unavailable: { reason: 'the location holding it is not reachable now (an unplugged drive?)', offline: true } };
  return { copies, unavailable: { reason: 'no file with this content is on this device now (moved or deleted since indexing?)', offline: false } };
}
