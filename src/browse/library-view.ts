import { UsageError, VssError } from '../core/errors.js';
import type { TextKeyedReader } from '../core/paging.js';
import { parseDeviceAddress } from '../core/address.js';
import type { Library } from '../library/library.js';
import type { DeviceRecord } from '../store/devices.js';
import type { ContentCopyItem, LibraryContentItem, LsItem } from '../wire/library-view.js';

/*
 * Views over the whole library (DESIGN §15): this device's rows and what paired devices sent of
 * theirs, side by side, each copy with its device and whether that device is online now. ONLINE
 * is the set of paired devices connected now (the daemon's network side; empty without one).
 */

/** A device of this library by id or name ('local': this one); two devices of one name must be given by id. */
export function deviceByRef(lib: Library, ref: string): DeviceRecord {
  const { devices } = lib.store;
  if (ref === 'local') return devices.byUuid(lib.device.uuid)!;
  const byId = devices.byUuid(ref.toLowerCase());
  if (byId) return byId;
  const named = devices.byName(ref);
  if (named.length === 1) return named[0]!;
  if (named.length > 1) throw new UsageError(`${named.length} devices are named ${JSON.stringify(ref)}: give one by its id (${named.map((d) => d.uuid).join(', ')})`);
  throw new VssError('NOT_FOUND', `no device ${JSON.stringify(ref)} in this library (\`vss devices list\` shows the paired ones)`);
}

export interface LibraryContentFilter {
  kind?: string;
  /** Only copies in this location of this device (then no other device's). */
  locationId?: number;
  /** A device by name or id, or 'local'; absent: every device. */
  device?: string;
}

/**
 * The contents of the whole library by uuid, LIMIT at a time: each with its copies on every
 * device (`copies`) and this device's readable paths (`paths`, as `content list` always gave).
 */
export function libraryContentReader(lib: Library, filter: LibraryContentFilter, online: ReadonlySet<string>): TextKeyedReader<LibraryContentItem> {
  const self = lib.device.uuid;
  // An unknown location is a mistake to say, not an empty library.
  if (filter.locationId !== undefined && !lib.store.locations.ofDeviceById(filter.locationId, lib.deviceId)) {
    throw new VssError('NOT_FOUND', `no location with id ${filter.locationId} on this device`);
  }
  const only = filter.locationId !== undefined ? lib.store.devices.byUuid(self) : filter.device === undefined ? undefined : deviceByRef(lib, filter.device);
  const peers = only === undefined ? 'all' : only.uuid === self ? 'none' : only.uuid;
  const q = {
    deviceId: lib.deviceId, peers, localToo: only === undefined || only.uuid === self,
    ...(filter.kind !== undefined ? { kind: filter.kind } : {}), ...(filter.locationId !== undefined ? { locationId: filter.locationId } : {}),
  };
  const names = deviceNames(lib);
  const here = lib.roots.copyPaths();
  return (after, limit) => {
    const rows = lib.store.contents.libraryPage(q, after, limit);
    if (rows.length === 0) return [];
    const uuids = rows.map((r) => r.uuid);
    const copies = new Map<string, ContentCopyItem[]>();
    const paths = new Map<string, string[]>();
    const ids = lib.store.contents.idsByUuid(uuids);
    const uuidOf = new Map([...ids].map(([u, id]) => [id, u] as const));
    for (const p of lib.store.entries.copiesOf([...ids.values()], lib.deviceId, filter.locationId)) {
      const abs = here(p.location_id, p.rel_path);
      if (abs === null) continue;
      const u = uuidOf.get(p.content_id)!;
      push(paths, u, abs);
      push(copies, u, { device_id: self, device: lib.device.name, path: abs, address: null, online: true });
    }
    for (const c of filter.locationId !== undefined ? [] : lib.store.peerEntries.copiesOfMany(uuids)) {
      const rel = c.dir_path === '' ? c.name : `${c.dir_path}/${c.name}`;
      const device = names.get(c.device_uuid) ?? c.device_uuid;
      push(copies, c.content_uuid, {
        device_id: c.device_uuid, device, path: joinShown(c.location_path, rel), address: `${device}:/${c.location_name}/${rel}`, online: online.has(c.device_uuid),
      });
    }
    return rows.map((r) => ({
      key: r.uuid,
      item: { content_uuid: r.uuid, cas_id: r.cas_id, kind: r.kind, mime: r.mime, size: r.size, paths: paths.get(r.uuid) ?? [], copies: copies.get(r.uuid) ?? [] },
    }));
  };
}

/** A folder anywhere in the library, `[DEVICE:]/LOCATION[/PATH]`, listed by name (at most LIMIT entries). */
export function listFolder(lib: Library, address: string | undefined, online: ReadonlySet<string>, limit = 100_000): LsItem[] {
  const self = lib.device.uuid;
  const names = deviceNames(lib);
  const isOnline = (uuid: string) => uuid === self || online.has(uuid);
  const parsed = parseDeviceAddress(address ?? '');
  // No device and no location: every device's locations.
  if (parsed.device === undefined && parsed.location === undefined) {
    return [...lib.store.devices.all()].flatMap((d) => locationsOf(lib, d, names, isOnline));
  }
  const device = parsed.device === undefined ? lib.store.devices.byUuid(self)! : deviceByRef(lib, parsed.device);
  if (parsed.location === undefined) return locationsOf(lib, device, names, isOnline);
  const name = names.get(device.uuid) ?? device.uuid;
  if (device.uuid === self) {
    const loc = lib.store.locations.ofDevice(lib.deviceId).filter((l) => l.name === parsed.location || String(l.id) === parsed.location);
    if (loc.length !== 1) throw locationNotFound(parsed.location, name, loc.length);
    let folder = lib.store.entries.rootOf(loc[0]!.id);
    for (const part of parsed.path === '' ? [] : parsed.path.split('/')) {
      folder = folder === undefined ? undefined : lib.store.entries.childDir(folder, part);
    }
    if (folder === undefined) throw new VssError('NOT_FOUND', `no folder ${JSON.stringify(parsed.path)} in location ${loc[0]!.name} of ${name}`);
    const here = parsed.path === '' ? loc[0]!.path : joinShown(loc[0]!.path, parsed.path);
    return lib.store.entries.listingToSend(folder, '', limit).map((r) => ({ name: r[0], kind: r[1], size: r[2], modified: r[3], content_uuid: r[4], content_kind: r[5], device: name, device_id: self, online: true, path: joinShown(here, r[0]) }));
  }
  const loc = lib.store.peerLocations.ofDevice(device.uuid).filter((l) => l.name === parsed.location || String(l.location_id) === parsed.location);
  if (loc.length !== 1) throw locationNotFound(parsed.location, name, loc.length);
  const locationId = loc[0]!.location_id;
  const rows = lib.store.peerEntries.listing(device.uuid, locationId, parsed.path, '', limit);
  if (rows.length === 0 && parsed.path !== '') {
    // An empty folder is listed in its parent; a path that is not a folder there is an error.
    const slash = parsed.path.lastIndexOf('/');
    const parent = slash < 0 ? '' : parsed.path.slice(0, slash);
    const entry = lib.store.peerEntries.get(device.uuid, locationId, parent, parsed.path.slice(slash + 1));
    if (entry?.kind !== 'dir') throw new VssError('NOT_FOUND', `no folder ${JSON.stringify(parsed.path)} in location ${loc[0]!.name} of ${name}`);
  }
  return rows.map((r) => ({ name: r.name, kind: r.kind, size: r.size, modified: r.mtime_ms, content_uuid: r.content_uuid, content_kind: r.content_kind, device: name, device_id: device.uuid, online: isOnline(device.uuid) }));
}

function locationsOf(lib: Library, d: DeviceRecord, names: Map<string, string>, isOnline: (uuid: string) => boolean): LsItem[] {
  const device = names.get(d.uuid) ?? d.name;
  if (d.uuid === lib.device.uuid) {
    // Offline: its drive is unplugged (volumes, issue 21); its entries stay listed.
    return lib.store.locations.ofDevice(d.id).map((l) => ({ name: l.name, kind: 'dir' as const, size: l.bytes, modified: null, content_uuid: null, content_kind: null, device, device_id: d.uuid, online: l.online === 1, path: l.path }));
  }
  return lib.store.peerLocations.ofDevice(d.uuid).map((l) => ({ name: l.name, kind: 'dir' as const, size: l.bytes, modified: null, content_uuid: null, content_kind: null, device, device_id: d.uuid, online: isOnline(d.uuid) && l.online === 1 }));
}

function locationNotFound(ref: string, device: string, matches: number): VssError {
  if (matches > 1) return new UsageError(`${device} has ${matches} locations named ${JSON.stringify(ref)}: give one by its id`);
  return new VssError('NOT_FOUND', `${device} has no location ${JSON.stringify(ref)} (\`vss ls ${device}:\` lists them)`);
}

/** Device names as this library knows them now (this device by its own name). */
function deviceNames(lib: Library): Map<string, string> {
  const names = new Map(lib.store.devices.all().map((d) => [d.uuid, d.name] as const));
  names.set(lib.device.uuid, lib.device.name);
  return names;
}

/** The owner's path of a copy, as the owner shows its location's folder. */
function joinShown(root: string, rel: string): string {
  const sep = root.includes('\\') && !root.includes('/') ? '\\' : '/';
  return root.endsWith(sep) ? `${root}${rel.split('/').join(sep)}` : `${root}${sep}${rel.split('/').join(sep)}`;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
