import { wholeBlake3Of } from '../content/whole-blake3.js';
import { childLog } from '../core/log.js';
import type { Library } from '../library/library.js';
import { locationStorage } from '../storage/storages.js';
import { unchanged } from './rot-judge.js';

const log = childLog('guardian');

/**
 * The file at REL of location LOCATIONID, read whole by a copy (a protect's upload or offer),
 * hashed to FOUND and not to its content's whole BLAKE3 while its size, time and inode are still
 * what the index says: rot, recorded as a scrub records it (listed, counted, told as
 * `guardian:rot`, its `verified_at` cleared) so the next protect leaves it out of its plan and
 * `guardian repair` can mend it. Whether it was recorded: a file whose facts changed is an edit
 * (the indexer's business), and a content with no whole BLAKE3 known has nothing to hold it to.
 */
export function recordRotFound(lib: Library, locationId: number, rel: string, found: string, now = Date.now()): boolean {
  const at = lib.store.entries.fileAt(locationId, rel);
  const entry = at ? lib.store.entries.byId(at.id) : undefined;
  const content = at?.content_uuid ? lib.store.contents.byUuid(at.content_uuid) : undefined;
  if (!entry || !content) return false;
  const expected = wholeBlake3Of(lib, content);
  if (expected === null || expected === found) return false;
  let st;
  try {
    st = locationStorage(lib, locationId).statNow(rel);
  } catch {
    return false;
  }
  if (!st?.isFile() || !unchanged({ size: entry.size, mtimeMs: entry.mtime_ms, inode: entry.inode }, { size: st.size, mtimeMs: st.mtimeMs, inode: st.ino })) return false;
  recordRot(lib, { location_id: locationId, rel_path: rel, entry_id: entry.id, content_id: content.id, size: entry.size }, expected, found, 'a copy that read it', now);
  return true;
}

/** A file of this device found rotten: where it is, its row, its content's row, its size. */
export interface RottenFile {
  location_id: number | null;
  rel_path: string;
  entry_id: number | null;
  content_id: number | null;
  size: number;
}

/**
 * FILE's bytes found to hash to FOUND, not EXPECTED, while its size, time and inode stayed (the
 * caller checked): recorded as a scrub records rot (listed, counted, told as `guardian:rot`, its
 * `verified_at` cleared), logged with BY, who found it.
 */
export function recordRot(lib: Library, file: RottenFile, expected: string, found: string, by: string, now = Date.now()): void {
  const { location_id: locationId, rel_path: rel, entry_id: entryId, content_id: contentId, size } = file;
  if (entryId === null || contentId === null || locationId === null) return;
  lib.store.transaction(() => {
    lib.store.rot.put({ entry_id: entryId, content_id: contentId, size, expected, found, found_at: now });
    lib.store.entries.forgetVerified([entryId]);
  });
  log.warn({ location: locationId, path: rel, entry: entryId, expected, found }, `rot: a file's bytes changed while its size and time did not (found by ${by})`);
  lib.events.emit('guardian:rot', { locationId, entryId, path: rel, contentId, size });
}
