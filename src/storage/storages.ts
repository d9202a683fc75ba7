import { VssError } from '../core/errors.js';
import { PathRefusedError, type ConfinedRoot } from '../library/confine.js';
import type { Library } from '../library/library.js';
import type { LocationRecord } from '../store/locations.js';
import { BucketStorage, BUCKET_CAPS } from './bucket/bucket-storage.js';
import { bucketLocationSpec } from './bucket/bucket-url.js';
import { DISK_CAPS, LocalDisk } from './local-disk.js';
import type { LocationStorage, StorageCaps, StorageKind } from './port.js';

/** One storage per trusted root, kept as long as the root is (a location's checks are cached there). */
const byRoot = new WeakMap<ConfinedRoot, LocalDisk>();

/** The storage of ROOT (a location of this device, or a folder the user named). */
export function storageAt(root: ConfinedRoot): LocalDisk {
  let s = byRoot.get(root);
  if (!s) byRoot.set(root, (s = new LocalDisk(root)));
  return s;
}

/**
 * Every kind of storage, one line each: what it can do, and how a location of it is opened. A new
 * kind (a network share, an encrypted bucket) is its `LocationStorage` in a file of this folder,
 * its name in `LocationKind` (wire/locations.ts) and its line here; nothing that reaches a
 * location's files changes.
 */
const KINDS: { readonly [K in StorageKind]: { readonly caps: StorageCaps; open(lib: Library, row: LocationRecord): LocationStorage } } = {
  disk: { caps: DISK_CAPS, open: (lib, row) => storageAt(lib.roots.location(row.id)) },
  bucket: { caps: BUCKET_CAPS, open: (lib, row) => bucketStorageOf(lib, row) },
};

/** What a kind of storage cannot do: a kind this vss does not know (a newer one's, or a damaged row) is used for nothing. */
const NO_CAPS: StorageCaps = { rename: false, localPath: false, inodes: false, threadedWalk: false, writable: false, watch: 'poll' };

/** What a location of KIND's storage can do, asked of its row without opening it (a row of a kind this vss does not know: nothing). */
export function kindCaps(kind: string): StorageCaps {
  return Object.hasOwn(KINDS, kind) ? KINDS[kind as StorageKind].caps : NO_CAPS;
}

/**
 * Location ID's storage, built by the kind recorded with it (`locations.kind`): a disk's (a drive
 * followed to where it is mounted now; kept with its root), a bucket's (a client of its own, made
 * at its first request). The caller closes it. Refused as `lib.roots.location` refuses, and for a
 * location of another device or of a kind this vss does not know.
 */
export function storageOf(lib: Library, id: number): LocationStorage {
  const row = lib.store.locations.byId(id);
  if (!row) throw new PathRefusedError(`location ${id}`, 'no such location');
  if (row.device_id !== lib.deviceId) throw new PathRefusedError(String(row.path), `location ${id} (${String(row.path)}) belongs to another device`);
  if (!Object.hasOwn(KINDS, row.kind)) throw new VssError('LOCATION_INVALID', `location ${id} is of a kind this vss does not know (${String(row.kind).slice(0, 40)}): update vss`, { path: row.path });
  return KINDS[row.kind].open(lib, row);
}

/**
 * Location ID's storage where it is a folder on a disk here, with the disk's own fast paths (a
 * synchronous lstat, a listing at once): for the work that only a disk's location takes (a scrub,
 * a repair, a copy's source here). Refused (PathRefusedError) as `lib.roots.location` refuses,
 * and for a location of another kind.
 */
export function locationStorage(lib: Library, id: number): LocalDisk {
  const root = lib.roots.location(id);
  const kind = lib.store.locations.byId(id)?.kind;
  if (kind !== undefined && kind !== 'disk') throw new PathRefusedError(root.root, `is a ${kind} location, not a folder on a disk here`);
  return storageAt(root);
}

/** The storage of ROW, a location in a bucket: on its bucket volume, under the volume's prefix and its own. The caller closes it. */
export function bucketStorageOf(lib: Library, row: LocationRecord): BucketStorage {
  const b = row.volume_id === null ? undefined : lib.store.buckets.byVolume(row.volume_id);
  if (!b) throw new VssError('NOT_FOUND', `location ${row.id} (${row.path}) lies in a bucket this library does not know how to reach: add it again (vss location add ${row.path})`, { path: row.path });
  return new BucketStorage(bucketLocationSpec(b, row));
}
