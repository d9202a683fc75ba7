import { lstatSync, readdirSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Library } from '../library/library.js';
import type { ObjectRecord } from '../store/objects.js';

/*
 * Objects (issue 59): folders, and files outside every location, that carry user data — shared
 * data like tags (store/objects.ts). What a path names is resolved above, in
 * browse/user-data-targets.ts; this is what every layer reads of an object.
 */

/** The object user data names by UUID (a folder's, or a file's object by its content), when it is one. */
export function objectNamed(lib: Library, uuid: string): ObjectRecord | undefined {
  const o = lib.store.objects.byUuid(uuid);
  return o && o.deleted === 0 ? o : undefined;
}

/** Where object O is, as a person reads it: this device's path, or `DEVICE:PATH` on another. */
export function objectPlace(lib: Library, o: ObjectRecord): { path: string; device: string } {
  const device = o.device_uuid === lib.device.uuid ? lib.device.name : lib.store.devices.byUuid(o.device_uuid)?.name ?? o.device_uuid.slice(0, 8);
  return { path: o.device_uuid === lib.device.uuid ? o.path : `${device}:${o.path}`, device };
}

/** Entries of a folder looked through for an object renamed in it, at most: a bigger folder is not read for one search hit. */
const RENAMED_LOOK_MAX = 4_096;

/**
 * Where this device's object O is now, read only (nothing committed: the path is taken up the next
 * time it is named, browse/user-data-targets.ts): its path while that still holds it (the same
 * inode, on the same drive), else the name it was renamed to in the same folder (the same inode,
 * born at the same time), else null — deleted, in the trash, moved away or on a drive unplugged.
 */
export function objectHereNow(o: ObjectRecord): string | null {
  // The same inode born at the same time (an inode freed is given to the next file made: not the same one).
  const isIt = (s: Stats | undefined): s is Stats => s !== undefined && (o.kind === 'folder' ? s.isDirectory() : s.isFile())
    && s.ino === o.inode && s.dev === o.dev && (o.born === null || o.born === 0 || s.birthtimeMs === o.born);
  const st = lstatSync(o.path, { throwIfNoEntry: false });
  if (o.inode === null) return st && (o.kind === 'folder' ? st.isDirectory() : st.isFile()) ? o.path : null;
  if (isIt(st)) return o.path;
  const parent = dirname(o.path);
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return null;
  }
  if (names.length > RENAMED_LOOK_MAX) return null;
  for (const name of names) if (isIt(lstatSync(join(parent, name), { throwIfNoEntry: false }))) return join(parent, name);
  return null;
}
