import { byShortId, mayBeShortId, shortId } from '../core/short-id.js';
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
 * anywhere in the library as `DEVICE:/LOCATION/PATH` (`/LOCATION/PATH` for this device), an
 * absolute path of a file in one of this device's locations, or a file's name alone (no slash),
 * looked for on every device. Refused with the reason when it names nothing identified.
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
  // No slash: neither a path nor an address, so a file's name (the CLI has looked in its own folder first).
  if (ref !== '' && !ref.includes('/')) return contentNamed(lib, ref);
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

/** Files of a name read at most, from this device and from paired devices; of them, listed in a refusal. */
const NAMED_READ = 50;
const NAMED_SHOWN = 10;

/**
 * The content of the file named NAME anywhere in the library (issue 58: `vss content show
 * IMG_0412.jpg` from any folder), on this device or a paired one. Files of one content are one
 * answer (copies of the same bytes: which file does not matter). Files of several contents are
 * refused, each with its path and its content's short id, the two ways to say which. A name in
 * another case is taken only when no file has it exactly (a camera's IMG_0412.JPG typed in lower case).
 */
function contentNamed(lib: Library, name: string): ContentRef {
  const here = lib.roots.copyPaths();
  const deviceName = (uuid: string) => lib.store.devices.byUuid(uuid)?.name ?? shortId(uuid);
  const local = lib.store.entries.filesNamed(name, lib.deviceId, NAMED_READ);
  const peers = lib.store.peerEntries.filesNamed(name, NAMED_READ);
  const capped = local.length === NAMED_READ || peers.length === NAMED_READ;
  const found = [
    // A file here by its path; one whose drive is away (no path now) by its address, as a peer's.
    ...local.map((f) => ({ uuid: f.content_uuid, name: f.name, path: here(f.location_id, f.rel_path) ?? `${lib.device.name}:/${f.location_name}/${f.rel_path}` })),
    ...peers.map((f) => ({ uuid: f.content_uuid, name: f.name, path: `${deviceName(f.device_uuid)}:/${f.location_name}/${f.dir_path === '' ? f.name : `${f.dir_path}/${f.name}`}` })),
  ];
  const exact = found.filter((f) => f.name === name);
  const files = exact.length > 0 ? exact : found;
  const contents = new Set(files.map((f) => f.uuid));
  const [first] = files;
  if (contents.size === 1 && first) return { uuid: first.uuid, name: first.name };
  if (!first) {
    const stem = name.replace(/\.[^.]*$/, '') || name;
    throw new VssError('NOT_FOUND', `no file named ${JSON.stringify(name)} in this library (a name is looked up in the current folder, then on every device): vss search ${JSON.stringify(stem)} finds files by part of their name`);
  }
  const shown = files.slice(0, NAMED_SHOWN).map((f) => `${f.path} (${shortId(f.uuid)})`).join(', ');
  const more = files.length > NAMED_SHOWN ? `, and ${capped ? 'more' : `${files.length - NAMED_SHOWN} more`}` : '';
  throw new UsageError(`${files.length}${capped ? ' or more' : ''} files named ${JSON.stringify(name)} hold different contents: ${shown}${more}. Give the path of one, or its id`);
}
