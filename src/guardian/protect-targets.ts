import { join } from 'node:path';
import { diskSpace } from '../core/disk-space.js';
import { UsageError, VssError } from '../core/errors.js';
import { targetOf } from '../core/address.js';
import { kindCaps } from '../storage/storages.js';
import { placeOf } from '../files/places.js';
import type { Library } from '../library/library.js';
import type { LocationRecord } from '../store/locations.js';
import type { VolumeRecord } from '../store/volumes.js';
import { PROTECT_FOLDER } from '../volumes/protect-folder.js';
import { factsAt, writeAccess } from '../storage/local-tree.js';


/** A protect never fills a drive past this share of it (percent). */
export const FILL_AT_MOST_PCT = 95;

/** Where a protect may put copies: a drive of this device, a paired device's folder, or a bucket. */
export type ProtectTarget = LocalTarget | DeviceTarget | BucketTarget;

/**
 * A bucket volume of this device (`--to NAME`): the copies go there as objects under
 * `PREFIX/vss-protect/<source location>/<path>`, each verified (the BLAKE3 of every byte sent, and
 * a read-back) before it counts. Its room is the service's to say.
 */
export interface BucketTarget {
  kind: 'bucket';
  volumeId: number;
  name: string;
  /** `s3://BUCKET/PREFIX`. */
  url: string;
  /** The folder in the bucket the copies go under. */
  dir: string;
  named: true;
}

/**
 * A folder of one of this device's locations, on one drive (the store the Guardian counts a copy
 * in). Copies land under `dir` as `<source location>/<path>`.
 */
export interface LocalTarget {
  kind: 'local';
  dir: string;
  locationId: number;
  /** The store as the Guardian keys this device's copies (guardian.ts GUARD_COPIES: `v<volume>` or `l<location>`). */
  store: string;
  drive: string | null;
  free: number;
  /** Bytes a protect may write there: the free space less what keeps the drive 5% free. */
  room: number;
  /** Named by the user (`--to`): a plan that does not fit is refused rather than cut. */
  named: boolean;
}

/**
 * A folder of a paired device's location (`--to DEVICE:/LOCATION/PATH`): the copies go there over
 * /vss/drop's place (run by ops/transfer/protect.ts), each verified and flushed by the receiver,
 * landing under `dir` as `<source location>/<path>` as on a drive. Its free space is the
 * receiver's to check: a full drive there refuses the copy with its reason.
 */
export interface DeviceTarget {
  kind: 'device';
  deviceUuid: string;
  deviceName: string;
  /** The location's uuid and name on that device. */
  location: string;
  locationName: string;
  /** The folder in that location ('' for its root). */
  dir: string;
  named: true;
}

/**
 * `DEVICE:/LOCATION[/PATH]` resolved against the paired devices, by the layer that knows them
 * (ops/transfer/protect.ts, over ops/transfer/to-device-run.ts's placeTarget): refused there as `files copy` refuses it.
 */
export type DeviceTargetResolver = (to: string) => DeviceTarget;

/**
 * `--to` as the user gave it: a folder (absolute), a drive (its name, fingerprint or id), a paired
 * device's folder (resolved by DEVICE), or nothing (drives of this device chosen).
 */
export function protectTargets(lib: Library, to: string | undefined, device?: DeviceTargetResolver): ProtectTarget[] {
  if (to === undefined) return chosenTargets(lib);
  const t = targetOf(to, '--to');
  switch (t.kind) {
    case 'device':
      if (!device) throw new UsageError(`--to ${to}: a copy to a paired device goes through the daemon's P2P node: start it (vss daemon start) and protect again`);
      return [device(t.address)];
    case 'here':
      return [folderTarget(lib, t.path)];
    case 'bucket':
      return [driveTarget(lib, t.url.replace(/\/+$/, ''))];
    case 'volume':
      return [driveTarget(lib, t.name)];
  }
}

/** `--to PATH`: a folder inside one of this device's locations (copies outside the library would not be counted). */
function folderTarget(lib: Library, dir: string): LocalTarget {
  const place = placeOf(lib, dir);
  if (!place) throw new VssError('PATH_REFUSED', `--to ${dir}: not inside a location of this device (a copy outside the library is not counted): name a folder of one, or a drive`, { path: dir });
  const there = factsAt(dir);
  if (there && there.kind !== 'dir') throw new VssError('PATH_REFUSED', `--to ${dir}: is a ${there.kind}, not a folder`, { path: dir });
  const loc = lib.store.locations.byId(place.locationId)!;
  if (loc.online !== 1) throw new VssError('UNAVAILABLE', `--to ${dir}: its drive is not mounted now`, { path: dir });
  return target(lib, loc, dir, true);
}

/** `--to VOLUME`: a tracked drive of this device, by name, fingerprint or id; the copies go into a location on it. */
function driveTarget(lib: Library, ref: string): LocalTarget | BucketTarget {
  const vols = lib.store.volumes.ofDevice(lib.deviceId);
  const vol = vols.find((v) => v.name === ref) ?? vols.find((v) => v.fingerprint === ref || v.fingerprint === ref.toLowerCase())
    ?? (/^\d{1,15}$/.test(ref) ? vols.find((v) => v.id === Number(ref)) : undefined) ?? vols.find((v) => v.fs === 's3' && v.mount_point === ref);
  if (!vol) throw new VssError('NOT_FOUND', `--to ${ref}: no drive or bucket of that name, fingerprint or id on this device (vss volumes list), and not an absolute folder`);
  if (vol.fs === 's3') return bucketTarget(lib, vol);
  const locs = lib.store.locations.ofDevice(lib.deviceId).filter((l) => l.volume_id === vol.id);
  const shown = driveName(vol);
  if (locs.length === 0) {
    const where = vol.mount_point ? `${vol.mount_point}/…` : 'a folder on it';
    throw new VssError('NOT_FOUND', `--to ${ref}: the drive "${shown}" holds no location of this library: add one (vss location add ${where}), then protect to it`);
  }
  const online = locs.find((l) => l.online === 1);
  if (!online) throw new VssError('UNAVAILABLE', `--to ${ref}: the drive "${shown}" is not mounted now`);
  return target(lib, online, join(online.path, PROTECT_FOLDER), true);
}

/** A bucket volume as a target: it must be one this library knows how to reach (added by `volumes add`). */
function bucketTarget(lib: Library, vol: VolumeRecord): BucketTarget {
  const b = lib.store.buckets.byVolume(vol.id);
  if (!b) throw new VssError('NOT_FOUND', `--to ${vol.name ?? vol.id}: volume ${vol.id} is a bucket this library does not know how to reach: add it again (vss volumes add ${vol.mount_point})`);
  return { kind: 'bucket', volumeId: vol.id, name: vol.name ?? vol.mount_point, url: vol.mount_point, dir: PROTECT_FOLDER, named: true };
}

/** No `--to`: each drive of this device with an online location on it that can be written, its first location's `vss-protect/`. */
function chosenTargets(lib: Library): LocalTarget[] {
  const out: LocalTarget[] = [];
  const seen = new Set<string>();
  for (const loc of lib.store.locations.ofDevice(lib.deviceId)) {
    // A location vss only reads (a bucket's) takes no copies: copies into a bucket go by --to BUCKET.
    if (loc.online !== 1 || !kindCaps(loc.kind).writable || seen.has(storeOf(loc))) continue;
    seen.add(storeOf(loc));
    if (factsAt(loc.path)?.kind !== 'dir' || writeAccess(loc.path) !== 'ok') continue;
    out.push(target(lib, loc, join(loc.path, PROTECT_FOLDER), false));
  }
  return out;
}

function target(lib: Library, loc: LocationRecord, dir: string, named: boolean): LocalTarget {
  if (named) {
    // Recorded online, but its folder gone since (a drive unplugged, a folder deleted): said as
    // such, not as the failed look's errno (chosenTargets skips such a one). Landing checks the
    // drive again (run/here-places.ts).
    if (factsAt(loc.path)?.kind !== 'dir') throw new VssError('UNAVAILABLE', `${dir}: its location's folder ${loc.path} is not there now (an unplugged drive?)`, { path: dir });
    const access = writeAccess(loc.path);
    if (access !== 'ok') throw new VssError('IO', `${dir}: ${access === 'read-only' ? 'its drive is read-only' : 'may not be written by this user'}`, { path: dir });
  }
  const space = diskSpace(dir);
  const vol = loc.volume_id !== null ? lib.store.volumes.byId(loc.volume_id, lib.deviceId) : undefined;
  return {
    kind: 'local', dir, locationId: loc.id, store: storeOf(loc), drive: vol ? driveName(vol) : null,
    free: space.freeBytes, room: roomOn(space.freeBytes, space.totalBytes), named,
  };
}

/** What may be written on a drive of TOTAL bytes with FREE free, and leave it at most 95% full. */
export function roomOn(free: number, total: number): number {
  return Math.max(0, free - Math.ceil((total * (100 - FILL_AT_MOST_PCT)) / 100));
}

function storeOf(loc: LocationRecord): string {
  return loc.volume_id !== null ? `v${loc.volume_id}` : `l${loc.id}`;
}

function driveName(v: VolumeRecord): string {
  return v.name ?? v.fingerprint;
}
