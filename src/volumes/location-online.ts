import { statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Library } from '../library/library.js';
import { relPathProblem } from '../core/address.js';
import type { LocationRecord } from '../store/locations.js';
import type { VolumeRecord } from '../store/volumes.js';
import { mountedVolumes, readMountTable, volumeHolding, type MountedVolume } from './detect.js';

/**
 * Why a location is offline, as facts a page or a command words for a person (`offline-reason.ts`):
 * its drive is not mounted, its folder is not where it was, its bucket does not answer (or is not
 * recorded), or its folder moved somewhere this device's user never added.
 */
export type OfflineWhy =
  | { kind: 'unplugged'; volume: Pick<VolumeRecord, 'id' | 'name' | 'mount_point' | 'fs'> | null }
  | { kind: 'missing'; path: string }
  | { kind: 'bucket-silent'; detail: string }
  | { kind: 'bucket-unknown' }
  /** PATH: where its folder is now (its drive mounted elsewhere), a folder this device's user never added. */
  | { kind: 'not-added'; path: string };

/** Where a location is now: online at PATH, or offline and why (REASON for a log or an error, WHY for a person). */
export type LocationPlace =
  | { online: true; path: string; volumeId: number | null; moved: boolean }
  | { online: false; path: string; volumeId: number | null; reason: string; why: OfflineWhy };

/** This device's mounted volumes, each with its row (recorded, or brought up to date, as seen now). */
export interface MountedNow {
  volumes: MountedVolume[];
  rows: Map<string, VolumeRecord>;
}

/** The last look per library: a job asking where its source is does not write the volumes' rows again while nothing was mounted or unmounted. */
const lastLook = new WeakMap<Library, { table: string; at: number; now: MountedNow }>();
/** Sizes (free space) recorded at most this often when the mount table is unchanged. */
const REFRESH_MS = 5000;

/**
 * Read the mount table and record each volume seen (new ones get a row; known ones their mount
 * point and sizes). With the table unchanged since a look less than 5 s ago, that look is the
 * answer (FRESH: always look again, as `volumes list` does for its free space).
 */
export function mountedNow(lib: Library, table = readMountTable(), opts: { fresh?: boolean } = {}): MountedNow {
  const last = lastLook.get(lib);
  if (!opts.fresh && last && last.table === table && Date.now() - last.at < REFRESH_MS) return last.now;
  const volumes = mountedVolumes(table);
  const rows = new Map<string, VolumeRecord>();
  const at = Date.now();
  lib.store.transaction(() => {
    for (const v of volumes) {
      rows.set(v.fingerprint, lib.store.volumes.seen(lib.deviceId, {
        fingerprint: v.fingerprint, mount_point: v.mountPoint, fs: v.fs, capacity: v.capacity, free: v.free,
        removable: v.removable ? 1 : 0, read_only: v.readOnly ? 1 : 0,
      }, at));
    }
  });
  const now = { volumes, rows };
  lastLook.set(lib, { table, at, now });
  return now;
}

/**
 * Where location ROW is now, judged from the mount table and its volume's fingerprint, never from
 * whether its folder exists alone: an unplugged drive leaves its mount point behind, empty, and a
 * scan of that would remove every entry. A location whose volume is mounted elsewhere now is at
 * the same place relative to the volume's root. Pure: `settleLocation` records what it finds.
 */
export function placeOf(lib: Library, row: Pick<LocationRecord, 'id' | 'path' | 'volume_id' | 'volume_path'>, now: MountedNow): LocationPlace {
  // A path on its volume that could step outside it (a crafted library) is not followed.
  if (row.volume_id !== null && row.volume_path !== null && (row.volume_path === '' || relPathProblem(row.volume_path) === undefined)) {
    const vol = lib.store.volumes.byId(row.volume_id, lib.deviceId);
    if (vol?.fs === 's3') return bucketPlace(lib, row, vol);
    const mounted = vol ? now.volumes.find((v) => v.fingerprint === vol.fingerprint) : undefined;
    if (!vol || !mounted) {
      return { online: false, path: row.path, volumeId: row.volume_id, reason: `its folder ${row.path} is not reachable now: its volume ${vol ? volumeName(vol) : row.volume_id} is not mounted (an unplugged drive?)`, why: { kind: 'unplugged', volume: vol ?? null } };
    }
    const path = row.volume_path === '' ? mounted.mountPoint : join(mounted.mountPoint, ...row.volume_path.split('/'));
    if (!isDir(path)) return { online: false, path, volumeId: row.volume_id, reason: `its folder ${path} is not reachable now (not found on volume ${volumeName(vol)})`, why: { kind: 'missing', path } };
    return { online: true, path, volumeId: row.volume_id, moved: path !== row.path };
  }
  // Not placed on a volume yet (added before volumes, or on a system without a mount reader).
  if (!isDir(row.path)) return { online: false, path: row.path, volumeId: null, reason: `its folder ${row.path} is not reachable now`, why: { kind: 'missing', path: row.path } };
  return { online: true, path: row.path, volumeId: null, moved: false };
}

/**
 * A location in a bucket is where it was added, online while its bucket answered when last asked
 * (a scan, a volume listing or a read asks again): a bucket that stopped answering is offline, as
 * an unplugged drive is, and nothing of it is removed.
 */
function bucketPlace(lib: Library, row: Pick<LocationRecord, 'path' | 'volume_id'>, vol: VolumeRecord): LocationPlace {
  const reach = lib.store.buckets.byVolume(vol.id);
  if (!reach) return { online: false, path: row.path, volumeId: vol.id, reason: `its bucket volume ${volumeName(vol)} is not recorded`, why: { kind: 'bucket-unknown' } };
  if (reach.unreachable !== null) return { online: false, path: row.path, volumeId: vol.id, reason: `its bucket does not answer: ${reach.unreachable}`, why: { kind: 'bucket-silent', detail: reach.unreachable } };
  return { online: true, path: row.path, volumeId: vol.id, moved: false };
}

/** What settling a location changed. */
export interface Settled {
  place: LocationPlace;
  /** It went online or offline. */
  flipped: boolean;
  /** Its folder is now at another path (its drive mounted elsewhere). */
  movedFrom?: string;
}

/**
 * Bring location ROW's record in line with where it is now: its volume recorded the first time its
 * folder is seen on one, its online flag, and its path (and this device's grant for it) following
 * its drive to a new mount point.
 */
export function settleLocation(lib: Library, row: LocationRecord, now: MountedNow): Settled {
  const place = placeOf(lib, row, now);
  let movedFrom: string | undefined;
  if (place.online && place.moved && !lib.grants?.has(lib.config.id, row.uuid, row.path)) {
    // Only a folder this device's user added follows its drive: a library's rows alone never
    // earn a grant for another folder.
    const flipped = row.online !== 0 && lib.store.locations.setOnline(row.id, false);
    return { place: { online: false, path: row.path, volumeId: place.volumeId, reason: `its folder ${row.path} was not added on this device`, why: { kind: 'not-added', path: place.path } }, flipped };
  }
  if (place.online) {
    if (place.moved) {
      // Granted first, as when it was added: a crash between leaves a grant nothing uses.
      lib.grants?.grant(lib.config.id, row.uuid, place.path);
      lib.store.locations.setPath(row.id, place.path);
      movedFrom = row.path;
    }
    if (row.volume_id === null) {
      const vol = volumeHolding(now.volumes, place.path);
      const rec = vol && now.rows.get(vol.fingerprint);
      if (vol && rec) lib.store.locations.setVolume(row.id, rec.id, relative(vol.mountPoint, place.path).split(sep).join('/'));
    }
  }
  // Written only when it changed: a job asking where its source is must not take the write lock.
  const flipped = row.online !== (place.online ? 1 : 0) && lib.store.locations.setOnline(row.id, place.online);
  return { place, flipped, ...(movedFrom !== undefined ? { movedFrom } : {}) };
}

/**
 * Settle every location of this device now (the mount table read once); the ones that changed
 * come back, and `volume:*`/`locations:changed` events are the caller's to emit.
 */
export function settleLocations(lib: Library, table?: string): { now: MountedNow; changed: Array<{ id: number } & Settled> } {
  const now = mountedNow(lib, table);
  const changed: Array<{ id: number } & Settled> = [];
  for (const row of lib.store.locations.ofDevice(lib.deviceId)) {
    const s = settleLocation(lib, row, now);
    if (s.flipped || s.movedFrom !== undefined) changed.push({ id: row.id, ...s });
  }
  return { now, changed };
}

/**
 * Is location ID online now, and where is its folder (for the file operations and the jobs that
 * read a location's files): read from the mount table at call time, and recorded (its path
 * follows its drive). Undefined for a location that is not this device's.
 */
export function locationOnline(lib: Library, id: number): LocationPlace | undefined {
  const row = lib.store.locations.ofDeviceById(id, lib.deviceId);
  if (!row) return undefined;
  const s = settleLocation(lib, row, mountedNow(lib));
  if (s.flipped || s.movedFrom !== undefined) {
    lib.events.emit('locations:changed', { locationId: id, change: s.place.online ? 'online' : 'offline' });
  }
  return s.place;
}

export function volumeName(v: Pick<VolumeRecord, 'id' | 'name' | 'mount_point'>): string {
  return v.name ? `"${v.name}"` : `${v.id} (last at ${v.mount_point})`;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
