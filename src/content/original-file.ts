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

/**
 * A copy of this content to serve: an indexed file in a location this device's user added, reached
 * through no symlink, and unchanged since it was identified (the indexer's own test: same inode,
 * size and mtime), so its bytes are the content its cas_id names. A copy changed since is skipped
 * until a rescan (or the location watcher) identifies it again.
 */
export function originalFile(lib: Library, contentUuid: string): OriginalFileAnswer {
  if (!UUID_RE.test(contentUuid)) throw new VssError('USAGE', `invalid content uuid ${JSON.stringify(contentUuid)}`);
  const content = lib.store.contents.byUuid(contentUuid);
  if (!content) return { state: 'unavailable', reason: 'no such content in this library', offline: false };
  const copies = lib.store.entries.filesOfContent(content.id, lib.deviceId, MAX_COPIES);
  let why: string | undefined;
  let offline = false;
  for (const c of copies) {
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
      return { state: 'ready', storage, rel: c.rel_path, path, facts: factsOf(st), size: st.size, mime: content.mime, cas_id: content.cas_id, cas_version: content.cas_version };
    }
    why ??= 'its copies changed since they were indexed (a rescan identifies them again)';
  }
  if (why) return { state: 'unavailable', reason: why, offline: false };
  if (offline) return { state: 'unavailable', reason: 'the location holding it is not reachable now (an unplugged drive?)', offline: true };
  return { state: 'unavailable', reason: 'no file with this content is on this device now (moved or deleted since indexing?)', offline: false };
}
