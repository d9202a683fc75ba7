import { byShortId, mayBeShortId } from '../core/short-id.js';
import { relative, sep } from 'node:path';
import { UsageError, VssError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import { isInside } from '../library/confine.js';
import { UUID_RE } from '../sidecars/address.js';
import { deviceByRef } from './library-view.js';
import { parseDeviceAddress } from '../core/address.js';

/** The content a user's reference names, and the file name its address gave (a uuid gives none). */
export interface ContentRef {
  uuid: string;
  name?: string;
}

/**
 * The content REF names (DESIGN §11, §15): a content uuid known to the library (held here or by a
 * paired device) or the start of one that one content alone has (as lists show them), a file
 * anywhere in the library as `DEVICE:/LOCATION/PATH` (`/LOCATION/PATH` for this device), or an
 * absolute path of a file in one of this device's locations. Refused with the reason when it
 * names nothing identified.
 */
export function contentByRef(lib: Library, ref: string): ContentRef {
  const lower = ref.toLowerCase();
  if (UUID_RE.test(lower)) {
    if (!lib.store.contents.byUuid(lower) && !lib.store.peerContents.anyOf(lower)) throw new VssError('NOT_FOUND', `no content ${lower} in this library`);
    return { uuid: lower };
  }
  // The start of a uuid, as a list shows it (core/short-id.ts): one content alone must have it.
  if (mayBeShortId(lower)) {
    const uuid = byShortId(lower, [...lib.store.contents.uuidsStarting(lower), ...lib.store.peerContents.uuidsStarting(lower)], 'content');
    if (uuid !== undefined) return { uuid };
  }
  if (ref.startsWith('/') && !ref.startsWith('//')) {
    const here = localPath(lib, ref);
    if (here) return here;
  }
  const a = parseDeviceAddress(ref);
  if (a.location === undefined || a.path === '') throw new UsageError(`${JSON.stringify(ref)} names no file: give a content uuid, DEVICE:/LOCATION/PATH, or the path of a file in a location`);
  const slash = a.path.lastIndexOf('/');
  const dirPath = slash < 0 ? '' : a.path.slice(0, slash);
  const name = a.path.slice(slash + 1);
  const device = a.device === undefined ? lib.store.devices.byUuid(lib.device.uuid)! : deviceByRef(lib, a.device);
  if (device.uuid === lib.device.uuid) {
    const loc = lib.store.locations.ofDevice(lib.deviceId).find((l) => l.name === a.location || String(l.id) === a.location);
    // An absolute path outside every location reads as /LOCATION/PATH too: say both were looked for.
    if (!loc && a.device === undefined) throw new VssError('NOT_FOUND', `no file ${ref} in this library: it is inside none of this device's locations, and none is named ${JSON.stringify(a.location)} (vss location list shows them)`, { path: ref });
    if (!loc) throw new VssError('NOT_FOUND', `${a.device} has no location named ${JSON.stringify(a.location)} (vss location list shows them)`);
    const entry = lib.store.entries.fileAt(loc.id, a.path);
    if (!entry?.content_uuid) throw new VssError('NOT_FOUND', `no identified file ${JSON.stringify(ref)} on this device`);
    return { uuid: entry.content_uuid, name };
  }
  const loc = lib.store.peerLocations.ofDevice(device.uuid).find((l) => l.name === a.location || String(l.location_id) === a.location);
  const entry = loc ? lib.store.peerEntries.get(device.uuid, loc.location_id, dirPath, name) : undefined;
  if (!entry || entry.kind !== 'file' || !entry.content_uuid) throw new VssError('NOT_FOUND', `no identified file ${JSON.stringify(ref)} in this library`);
  return { uuid: entry.content_uuid, name };
}

/** The file at ABS in one of this device's locations, when there is one there (undefined: not inside any). */
function localPath(lib: Library, abs: string): ContentRef | undefined {
  for (const loc of lib.store.locations.ofDevice(lib.deviceId)) {
    if (typeof loc.path !== 'string' || !isInside(loc.path, abs) || abs === loc.path) continue;
    const rel = relative(loc.path, abs).split(sep).join('/');
    const entry = lib.store.entries.fileAt(loc.id, rel);
    if (!entry?.content_uuid) throw new VssError('NOT_FOUND', `${abs} is not an identified file of location ${loc.name ?? loc.id} (index it in content or deep mode)`, { path: abs });
    return { uuid: entry.content_uuid, name: rel.slice(rel.lastIndexOf('/') + 1) };
  }
  return undefined;
}
