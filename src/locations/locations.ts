import { realpathSync, statSync } from 'node:fs';
import { basename, resolve, sep } from 'node:path';
import { randomUUID } from 'node:crypto';
import { VssError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import type { IndexOptions } from '../indexer/indexer.js';
import type { LocationRecord } from '../store/locations.js';
import { parsePolicy } from '../jobs/policy.js';
import { releaseOrphanContents } from '../indexer/release-orphans.js';
import { IgnoreRules } from '../storage/ignore-rules.js';
import type { IndexMode, IndexResult } from '../indexer/types.js';
import type { DeviceLocations, LocationInfo } from '../wire/locations.js';
import { serializeScan } from './watch/scan-lock.js';
import { PROTECT_FOLDER } from '../volumes/protect-folder.js';
import { addBucketLocation, probeBucketLocation, type BucketLocationOptions } from '../volumes/bucket-locations.js';
import { placeKind } from '../core/address.js';
import { locationOnline, mountedNow, settleLocation, type MountedNow } from '../volumes/location-online.js';
import { driveOf, type LocationDrive } from '../volumes/location-drive.js';

export type { DeviceLocations, LocationInfo };

export interface AddLocationOptions {
  name?: string;
  mode?: IndexMode;
  ignore?: string[];
  /** A generation policy spec for this location (see jobs/policy.ts); default: the library's. */
  generation?: string;
}

const MAX_RULES = 1000;

/** Register a folder of this device as a location of the library. Indexing is a separate step. */
export function addLocation(lib: Library, path: string, opts: AddLocationOptions = {}): LocationInfo {
  if (placeKind(path) === 'bucket') throw new VssError('USAGE', `${path.slice(0, 100)} is a bucket: it is added as a location by \`vss location add s3://BUCKET/PREFIX\``);
  const abs = resolveLocationDir(path);
  if (abs === lib.root || abs.startsWith(lib.root + sep)) {
    throw new VssError('LOCATION_INVALID', 'a location cannot lie inside the library folder', { path: abs });
  }
  for (const other of listLocations(lib)) {
    if (other.path === abs) throw new VssError('LOCATION_CONFLICT', `already location ${other.id} of this library`, { path: abs });
    if (abs.startsWith(other.path + sep) || other.path.startsWith(abs + sep)) {
      throw new VssError('LOCATION_CONFLICT', `overlaps location ${other.id} (${other.path}); locations may not nest`, { path: abs });
    }
  }
  const rules = checkedRules(opts);
  const st = statSync(abs);
  const now = Date.now();
  if (!lib.grants) throw new VssError('PATH_REFUSED', 'this library was opened without the device\'s data dir, so it cannot be given a folder', { path: abs });
  // Granted first: a crash before the row leaves a grant nothing uses; the other order, a location vss refuses.
  const uuid = randomUUID();
  lib.grants.grant(lib.config.id, uuid, abs);
  const { store } = lib;
  const id = store.transaction(() => {
    const locationId = store.locations.insert({
      uuid, device_id: lib.deviceId, name: opts.name ?? (basename(abs) || abs), path: abs, kind: 'disk', index_mode: opts.mode ?? 'content',
      ignore_rules: JSON.stringify(rules), generation: opts.generation ?? null,
    }, now);
    store.entries.insertRoot(locationId, basename(abs) || abs, st.ino, st.mtimeMs, now);
    return locationId;
  });
  // Its volume, so it can follow its drive to another mount point.
  settleLocation(lib, store.locations.byId(id)!, mountedNow(lib));
  return getLocation(lib, id);
}

/**
 * Register `s3://BUCKET/PREFIX` as a location of this device, read only, on the bucket volume
 * holding it (added now with BUCKET's options when none does). Indexing is a separate step.
 */
export async function addBucketAsLocation(lib: Library, url: string, opts: AddLocationOptions = {}, bucket: BucketLocationOptions = {}): Promise<LocationInfo> {
  const rules = checkedRules(opts);
  const id = await addBucketLocation(lib, url, { ...(opts.name !== undefined ? { name: opts.name } : {}), mode: opts.mode ?? 'content', ignore: rules, generation: opts.generation ?? null }, bucket);
  settleLocation(lib, lib.store.locations.byId(id)!, mountedNow(lib));
  return getLocation(lib, id);
}

/** A new location's ignore rules, refused before anything is written when too many or malformed; its generation policy checked too. */
function checkedRules(opts: AddLocationOptions): string[] {
  const rules = opts.ignore ?? [];
  if (rules.length > MAX_RULES) throw new VssError('USAGE', `at most ${MAX_RULES} ignore rules per location`);
  new IgnoreRules(rules);
  if (opts.generation !== undefined) parsePolicy(opts.generation);
  return rules;
}

/** This device's locations, each judged online or offline now (the mount table read at call time), with its drive. */
export function listLocations(lib: Library): LocationInfo[] {
  const now = mountedNow(lib);
  return lib.store.locations.ofDevice(lib.deviceId).map((row) => settled(lib, row, now));
}

/** This device's location ID, judged online or offline now, with its drive. */
export function getLocation(lib: Library, id: number): LocationInfo {
  const row = lib.store.locations.ofDeviceById(id, lib.deviceId);
  if (!row) throw new VssError('NOT_FOUND', `no location with id ${id} on this device`);
  return settled(lib, row, mountedNow(lib));
}

/** ROW brought in line with where it is now (a change told as `locations:changed`), as shown. */
function settled(lib: Library, row: LocationRecord, now: MountedNow): LocationInfo {
  const s = settleLocation(lib, row, now);
  if (s.flipped || s.movedFrom !== undefined) lib.events.emit('locations:changed', { locationId: row.id, change: s.place.online ? 'online' : 'offline' });
  const fresh = s.flipped || s.movedFrom !== undefined || row.volume_id === null ? lib.store.locations.byId(row.id) ?? row : row;
  return toInfo(fresh, driveOf(lib, fresh, s.place, now));
}

/**
 * The other devices of the library (paired ones, as they last named themselves) and their
 * locations as each owner last said; CONNECTED: the devices connected now.
 */
export function otherDevicesLocations(lib: Library, connected: ReadonlySet<string>): DeviceLocations[] {
  return lib.store.devices.all()
    .filter((d) => d.uuid !== lib.device.uuid)
    .map((d) => ({
      device_id: d.uuid, name: d.name, connected: connected.has(d.uuid), last_heard: d.last_seen_at ? new Date(d.last_seen_at).toISOString() : null,
      locations: lib.store.peerLocations.ofDevice(d.uuid).map((l) => ({
        id: l.location_id, uuid: l.uuid, name: l.name, path: l.path, mode: l.index_mode, files: l.files, dirs: l.dirs, bytes: l.bytes, online: l.online === 1,
      })),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Index (or re-index) a location; a changed mode is saved first. Scans of one location run one
 * after the other, whoever asks (a command, the watcher).
 */
export function scanLocation(lib: Library, id: number, mode?: IndexMode, opts: IndexOptions = {}): Promise<IndexResult> {
  return serializeScan(lib, id, () => scanNow(lib, id, mode, opts));
}

async function scanNow(lib: Library, id: number, mode: IndexMode | undefined, opts: IndexOptions): Promise<IndexResult> {
  const row = getLocation(lib, id);
  // Online is the bucket's answer for a bucket's location, the mount table's for a drive's.
  if (row.kind === 'bucket') return scanBucketNow(lib, id, mode, opts);
  lib.roots.location(id); // refuses a folder this device's user did not add, before anything else is looked at
  // Judged by its volume, not its folder: an unplugged drive leaves an empty mount point behind.
  const place = locationOnline(lib, id)!;
  if (!place.online) throw new VssError('UNAVAILABLE', `location folder is not reachable: location ${id} is offline (${place.reason}); it is not scanned and nothing of it is removed until it is back`, { path: place.path });
  const loc = getLocation(lib, id); // its path may have followed its drive
  lib.roots.location(id); // refuses a folder this device's user did not add
  let st;
  try {
    st = statSync(loc.path);
  } catch (err) {
    throw new VssError('LOCATION_INVALID', `location folder is not reachable: ${(err as Error).message}`, { path: loc.path, cause: err });
  }
  if (!st.isDirectory()) throw new VssError('LOCATION_INVALID', 'location path is no longer a directory', { path: loc.path });
  if (mode && mode !== loc.mode) lib.store.locations.setMode(id, mode);
  // Loaded here, not at the top: listing locations must not load the indexer and what it queues.
  const { indexLocation } = await import('../indexer/indexer.js');
  const present = (): boolean => {
    const p = locationOnline(lib, id);
    return p?.online === true && p.path === loc.path;
  };
  return indexLocation(lib, { id, path: loc.path, index_mode: mode ?? loc.mode, ignore_rules: JSON.stringify(loc.ignore) }, { present, ...opts });
}

/** A bucket's location scanned once its bucket answered (asked now: that is how it comes back online). */
async function scanBucketNow(lib: Library, id: number, mode: IndexMode | undefined, opts: IndexOptions): Promise<IndexResult> {
  await probeBucketLocation(lib, id);
  const place = locationOnline(lib, id)!;
  if (!place.online) throw new VssError('UNAVAILABLE', `location ${id} is offline (${place.reason}); it is not scanned and nothing of it is removed until it answers`, { path: place.path });
  const loc = getLocation(lib, id);
  if (mode && mode !== loc.mode) lib.store.locations.setMode(id, mode);
  const { indexLocation } = await import('../indexer/indexer.js');
  const present = (): boolean => locationOnline(lib, id)?.online === true;
  // What a protect uploaded into this bucket is counted as the bucket's copies already: indexed as this location's files too, it would count twice.
  const ignore = [...loc.ignore, `/${PROTECT_FOLDER}/`];
  return indexLocation(lib, { id, path: loc.path, index_mode: mode ?? loc.mode, ignore_rules: JSON.stringify(ignore) }, { present, ...opts });
}

/** Set (or with null, clear) a location's own generation policy; it applies from the next scan or queueing. */
export function setLocationPolicy(lib: Library, id: number, spec: string | null): LocationInfo {
  getLocation(lib, id);
  if (spec !== null) parsePolicy(spec);
  lib.store.locations.setGeneration(id, spec);
  return getLocation(lib, id);
}

/** Pause or resume a location's watching; the watcher learns of it from `locations:changed`. */
export function setLocationPaused(lib: Library, id: number, paused: boolean): LocationInfo {
  getLocation(lib, id);
  lib.store.locations.setWatchPaused(id, paused);
  return getLocation(lib, id);
}

/**
 * Forget a location and everything indexed in it; the folder itself is not touched. Contents
 * found nowhere else release their sidecars (a crash before that leaves them to the next sweep).
 */
export function removeLocation(lib: Library, id: number): void {
  const loc = getLocation(lib, id);
  lib.store.transaction(() => {
    lib.store.entries.deleteOfLocation(id);
    lib.store.locations.delete(id);
  });
  lib.grants?.revoke(lib.config.id, loc.uuid);
  releaseOrphanContents(lib);
}

function resolveLocationDir(path: string): string {
  let abs: string;
  try {
    abs = realpathSync(resolve(path));
  } catch (err) {
    throw new VssError('LOCATION_INVALID', `cannot use this folder: ${(err as Error).message}`, { path: resolve(path), cause: err });
  }
  if (!statSync(abs).isDirectory()) throw new VssError('LOCATION_INVALID', 'not a directory', { path: abs });
  return abs;
}

function toInfo(r: LocationRecord, drive: LocationDrive): LocationInfo {
  let ignore: string[] = [];
  try { ignore = JSON.parse(r.ignore_rules) as string[]; } catch { /* stored by us; treat damage as none */ }
  return {
    id: r.id, uuid: r.uuid, name: r.name, path: r.path, kind: r.kind, mode: r.index_mode, ignore,
    files: r.files, dirs: r.dirs, bytes: r.bytes, scan_state: r.scan_state,
    last_scan_completed_at: r.last_scan_completed_at ? new Date(r.last_scan_completed_at).toISOString() : null,
    generation: r.generation ?? null,
    paused: r.watch_paused === 1,
    volume_id: r.volume_id,
    online: r.online === 1,
    ...drive,
  };
}
