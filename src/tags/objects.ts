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
