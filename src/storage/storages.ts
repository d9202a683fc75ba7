import type { ConfinedRoot } from '../library/confine.js';
import type { Library } from '../library/library.js';
import { LocalDisk } from './local-disk.js';

/** One storage per trusted root, kept as long as the root is (a location's checks are cached there). */
const byRoot = new WeakMap<ConfinedRoot, LocalDisk>();

/** The storage of ROOT (a location of this device, or a folder the user named). */
export function storageAt(root: ConfinedRoot): LocalDisk {
  let s = byRoot.get(root);
  if (!s) byRoot.set(root, (s = new LocalDisk(root)));
  return s;
}

/**
 * Location ID's storage, handed out per location: every location is a local disk today (a drive
 * followed to where it is mounted now); a bucket or a share would be another implementation of
 * the port here. Refused (PathRefusedError) as `lib.roots.location` refuses.
 */
export function locationStorage(lib: Library, id: number): LocalDisk {
  return storageAt(lib.roots.location(id));
}
