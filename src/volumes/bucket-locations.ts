import { randomUUID } from 'node:crypto';
import { VssError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import type { BucketVolume } from '../store/buckets.js';
import type { LocationRecord } from '../store/locations.js';
import type { BucketStorage } from '../storage/bucket/bucket-storage.js';
import { inodeOf } from '../storage/bucket/bucket-url.js';
import { bucketStorageOf } from '../storage/storages.js';
import { bucketUrl, parseBucketUrl } from '../core/address.js';
import type { AddBucketOptions } from './buckets.js';

/**
 * A location in a bucket (issue 30, item 7): a `locations` row on a bucket volume, its key prefix
 * below the volume's kept as `volume_path`. It is indexed like a folder through the storage port
 * (storage/bucket/bucket-storage.ts), read only, and offline while the bucket does not answer.
 */


/** The bucket volume location ROW lies on, when it lies on one. */
export function bucketOfLocation(lib: Library, row: Pick<LocationRecord, 'volume_id'>): BucketVolume | undefined {
  return row.volume_id === null ? undefined : lib.store.buckets.byVolume(row.volume_id);
}

/** The storage of bucket location ID (closed by the caller), or undefined when it is not one of this device's bucket locations. */
export async function openBucketLocation(lib: Library, id: number): Promise<BucketStorage | undefined> {
  const row = lib.store.locations.ofDeviceById(id, lib.deviceId);
  if (row?.kind !== 'bucket' || !bucketOfLocation(lib, row)) return undefined;
  return bucketStorageOf(lib, row);
}

/**
 * Ask the bucket of location ID whether it answers now (kept, as a drive's mount is): undefined
 * when it does or the location is not a bucket's, else why not.
 */
export async function probeBucketLocation(lib: Library, id: number): Promise<string | undefined> {
  const row = lib.store.locations.ofDeviceById(id, lib.deviceId);
  const b = row?.kind === 'bucket' ? bucketOfLocation(lib, row) : undefined;
  if (!b) return undefined;
  const { probeBucket } = await import('./buckets.js');
  return probeBucket(lib, b);
}

/** A bucket asked this recently is not asked again by a listing (a page that lists locations every few seconds must not wait on a bucket each time). */
const PROBE_FRESH_MS = 15_000;
const probedAt = new WeakMap<Library, Map<number, number>>();

/** Ask every bucket holding a location of this device whether it answers now, unless asked a moment ago (a listing of locations shows each online or not as it is). */
export async function probeBucketLocations(lib: Library, now = Date.now()): Promise<void> {
  const volumes = new Set(lib.store.locations.ofDevice(lib.deviceId).filter((l) => l.kind === 'bucket' && l.volume_id !== null).map((l) => l.volume_id!));
  if (volumes.size === 0) return;
  let asked = probedAt.get(lib);
  if (!asked) probedAt.set(lib, (asked = new Map()));
  const due = [...volumes].filter((v) => now - (asked.get(v) ?? 0) >= PROBE_FRESH_MS);
  if (due.length === 0) return;
  const { probeBucket } = await import('./buckets.js');
  await Promise.all(due.map(async (v) => {
    const b = lib.store.buckets.byVolume(v);
    if (!b) return;
    await probeBucket(lib, b);
    asked.set(v, Date.now());
  }));
}

/** What `vss location add s3://…` takes besides a folder's options: how to reach a bucket not added as a volume yet. */
export type BucketLocationOptions = Omit<AddBucketOptions, 'name'>;

/**
 * Record `s3://BUCKET/PREFIX` as a location of this device: on the bucket volume already holding
 * that prefix (matched by bucket and endpoint), or on one added for it now (with OPTS, once it
 * answered). Nothing is granted on the disk: vss only reads a bucket location.
 */
export async function addBucketLocation(lib: Library, url: string, loc: { name?: string; mode: LocationRecord['index_mode']; ignore: string[]; generation: string | null }, opts: BucketLocationOptions = {}): Promise<number> {
  const where = parseBucketUrl(url);
  const endpoint = opts.endpoint?.trim() || null;
  const holding = lib.store.buckets.ofDevice(lib.deviceId).find((b) => b.bucket === where.bucket && b.endpoint === endpoint && (b.prefix === '' || where.prefix === b.prefix || where.prefix.startsWith(`${b.prefix}/`)));
  const { addBucket, probeBucket } = await import('./buckets.js');
  const vol = holding ?? await addBucket(lib, url, opts);
  if (vol.key_id !== null) throw new VssError('USAGE', `${vol.name ?? vol.mount_point} is encrypted: its objects have keyed names, no folder to index; what vss put there is read back by content (vss content get, vss guardian repair)`, { path: url });
  const sub = vol.prefix === '' ? where.prefix : where.prefix.slice(vol.prefix.length).replace(/^\//, '');
  const path = bucketUrl(where);
  for (const other of lib.store.locations.ofDevice(lib.deviceId)) {
    if (other.path === path) throw new VssError('LOCATION_CONFLICT', `already location ${other.id} of this library`, { path });
    if (other.kind === 'bucket' && (other.path.startsWith(`${path}/`) || path.startsWith(`${other.path}/`) || (where.prefix === '' && other.path.startsWith(`${bucketUrl({ bucket: where.bucket, prefix: '' })}/`)))) {
      throw new VssError('LOCATION_CONFLICT', `overlaps location ${other.id} (${other.path}); locations may not nest`, { path });
    }
  }
  const why = await probeBucket(lib, vol);
  if (why !== undefined) throw new VssError('UNAVAILABLE', `${why}: nothing was added`, { path });
  const now = Date.now();
  const { store } = lib;
  return store.transaction(() => {
    const id = store.locations.insert({
      uuid: randomUUID(), device_id: lib.deviceId, name: loc.name ?? (where.prefix.split('/').pop() || where.bucket), path, kind: 'bucket',
      index_mode: loc.mode, ignore_rules: JSON.stringify(loc.ignore), generation: loc.generation,
    }, now);
    store.locations.setVolume(id, vol.volume_id, sub);
    store.entries.insertRoot(id, where.prefix.split('/').pop() || where.bucket, inodeOf(''), 0, now);
    return id;
  });
}
