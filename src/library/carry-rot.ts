/**
 * Rot carried across a library restore (restore.ts; DESIGN §19): a file found rotten is an
 * observation of the disk now, whatever the snapshot knows of it. The snapshot may have no row for
 * the file (made before it was indexed), no row for its content, or a row that says other facts
 * (the file replaced since by a copy of the same content): each is brought in line with the
 * database that found the rot — the content's identity, the file's row with the facts the scan
 * saw (and the folders down to it), linked to that content — and the rot recorded on it. The next
 * scan then finds the file as it was indexed and leaves it linked: a rotten copy of the content it
 * was, not a new content of the rotten bytes (the safety model's seed 3). A file edited since
 * the rot was found is an edit at that scan, as it would have been without the restore.
 */
import type { ContentIdentity } from '../store/contents.js';
import type { EntryFacts } from '../store/entries.js';
import type { Stores } from '../store/stores.js';

/** A file or folder on the way to a rotten file, as the last scan saw it. */
type PathRow = Pick<EntryFacts, 'name' | 'kind' | 'size' | 'inode' | 'mtime_ms' | 'link_target'> & { ctime_ms: number | null };

/** A file found rotten, as the database that found it knows it: where, what it should hold, and the rot. */
export interface CarriedRot {
  location_uuid: string;
  rel_path: string;
  /** The folders from the location's root down to the file, then the file. */
  path: PathRow[];
  /** The content it is a rotten copy of, and its whole BLAKE3 where a read learnt it. */
  content: ContentIdentity & { blake3: string | null };
  size: number;
  expected: string;
  found: string;
  found_at: number;
}

/** The rotten files of STORE (LIMIT of them), with what it takes to record them in another copy of the database. */
export function rotOf(store: Stores, limit: number): CarriedRot[] {
  const out: CarriedRot[] = [];
  for (const r of store.rot.list(limit)) {
    const path = rowsTo(store, r.location_id, r.rel_path);
    const c = store.contents.byId(r.content_id);
    if (!path || !c) continue;
    out.push({
      location_uuid: r.location_uuid, rel_path: r.rel_path, path,
      content: { uuid: c.uuid, cas_id: c.cas_id, cas_version: c.cas_version, kind: c.kind, mime: c.mime, size: c.size, blake3: store.contents.blake3Of(c.id) ?? null },
      size: r.size, expected: r.expected, found: r.found, found_at: r.found_at,
    });
  }
  return out;
}

/** The rows from the root of location LOCATIONID down to REL (the root left out), or undefined where one is missing. */
function rowsTo(store: Stores, locationId: number, rel: string): PathRow[] | undefined {
  let at = store.entries.rootOf(locationId);
  const rows: PathRow[] = [];
  for (const name of rel.split('/')) {
    const child = at === undefined ? undefined : store.entries.child(at, name);
    const row = child ? store.entries.byId(child.id) : undefined;
    if (!row || row.inode === null || row.mtime_ms === null) return undefined;
    rows.push({ name, kind: row.kind, size: row.size, inode: row.inode, mtime_ms: row.mtime_ms, ctime_ms: row.ctime_ms, link_target: row.link_target });
    at = row.id;
  }
  return rows;
}

/**
 * ROT recorded in STORE (a database restored, of this device DEVICEID), in the caller's
 * transaction, on the same path of the same location: how many were. A location the snapshot does
 * not know is not scanned after the restore, so rot in it has no file to stay on.
 */
export function carryRot(store: Stores, deviceId: number, rot: readonly CarriedRot[], now = Date.now()): number {
  const locations = new Map(store.locations.ofDevice(deviceId).map((l) => [l.uuid, l.id]));
  let carried = 0;
  for (const r of rot) {
    const locationId = locations.get(r.location_uuid);
    const entryId = locationId === undefined ? undefined : placeFile(store, locationId, r.path, now);
    if (entryId === undefined) continue;
    const contentId = store.contents.upsert(r.content, now);
    if (r.content.blake3 !== null) store.contents.learnBlake3(contentId, r.content.blake3);
    const file = r.path[r.path.length - 1]!;
    const at = store.entries.byId(entryId)!;
    if (at.content_id !== contentId) {
      store.entries.linkContent({ id: entryId, name: file.name, rel_path: r.rel_path, size: file.size, inode: file.inode, mtime_ms: file.mtime_ms, ctime_ms: file.ctime_ms, content_id: at.content_id }, contentId, now);
    }
    store.rot.put({ entry_id: entryId, content_id: contentId, size: r.size, expected: r.expected, found: r.found, found_at: r.found_at });
    store.entries.forgetVerified([entryId]);
    carried++;
  }
  return carried;
}

/**
 * The rows of PATH in location LOCATIONID made to say what PATH says: a folder the snapshot lacks
 * added (its listing, unknown here, is read by the next scan), a row of another kind replaced, the
 * file's facts written (its content dropped where they differ). The file's row id.
 */
function placeFile(store: Stores, locationId: number, path: readonly PathRow[], now: number): number | undefined {
  let parent = store.entries.rootOf(locationId);
  let rel = '';
  for (const [i, p] of path.entries()) {
    if (parent === undefined) return undefined;
    rel = rel === '' ? p.name : `${rel}/${p.name}`;
    const facts: EntryFacts = { parent_id: parent, name: p.name, rel_path: rel, kind: p.kind, size: p.size, inode: p.inode, mtime_ms: p.mtime_ms, ctime_ms: p.ctime_ms, link_target: p.link_target };
    const had = store.entries.child(parent, p.name);
    if (had && had.kind !== p.kind) store.entries.delete(had.id);
    if (!had || had.kind !== p.kind) {
      parent = store.entries.insert(locationId, facts, now);
      continue;
    }
    if (i === path.length - 1 && !sameFacts(store, had.id, p)) store.entries.update(had.id, facts, true, now);
    parent = had.id;
  }
  return parent;
}

/** Whether row ID says what P says of the file. */
function sameFacts(store: Stores, id: number, p: PathRow): boolean {
  const row = store.entries.byId(id)!;
  return row.size === p.size && row.inode === p.inode && row.mtime_ms === p.mtime_ms && row.ctime_ms === p.ctime_ms;
}
