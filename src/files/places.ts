import { dirname, sep } from 'node:path';
import { absolutePathProblem, isInside, PathRefusedError, type ConfinedRoot } from '../library/confine.js';
import type { Library } from '../library/library.js';
import { realPathOf } from '../storage/local-tree.js';

/** Where a path lies in the library: the location of this device holding it, and its path there. */
export interface LibraryPlace {
  locationId: number;
  root: ConfinedRoot;
  /** Relative to the location, '/'-separated ('' for the location itself). */
  rel: string;
}


/** ABS checked as a path a user may name: absolute and normalized (no `..`), never inside the library folder. */
export function checkedPath(lib: Library, abs: string, what: string): string {
  const problem = absolutePathProblem(abs);
  if (problem) throw new PathRefusedError(String(abs), `${what}: ${problem}`);
  if (insideLibraryFolder(lib, abs)) throw new PathRefusedError(abs, `${what} lies inside the library folder, which vss keeps to itself`);
  return abs;
}

/** Whether ABS (or where its nearest existing folder really is) lies inside the library folder. */
export function insideLibraryFolder(lib: Library, abs: string): boolean {
  if (isInside(lib.root, abs)) return true;
  const realLib = realOrSelf(lib.root);
  let p = abs;
  for (let i = 0; i < 4096; i++) {
    let real: string | undefined;
    try {
      real = realPathOf(p);
    } catch {
      return false;
    }
    if (real !== undefined) return isInside(realLib, real);
    const up = dirname(p);
    if (up === p) return false;
    p = up;
  }
  return false;
}

/**
 * The location of this device that holds ABS (the deepest, when one lies inside another), as a
 * trusted root; undefined when ABS is in none. A location vss may not touch (not added on this
 * device, swapped for a symlink) is refused.
 */
export function placeOf(lib: Library, abs: string): LibraryPlace | undefined {
  let best: { id: number; path: string } | undefined;
  for (const row of lib.store.locations.ofDevice(lib.deviceId)) {
    if (typeof row.path !== 'string' || !isInside(row.path, abs)) continue;
    if (!best || row.path.length > best.path.length) best = { id: row.id, path: row.path };
  }
  if (!best) return undefined;
  const root = lib.roots.location(best.id);
  const rel = abs === best.path ? '' : abs.slice(best.path.length + (best.path.endsWith(sep) ? 0 : 1)).split(sep).join('/');
  return { locationId: best.id, root, rel };
}

/** As `placeOf`, for a path a user may name (`checkedPath`), refusing one that is in no location of this device. */
export function placeInLibrary(lib: Library, abs: string, what: string): LibraryPlace {
  checkedPath(lib, abs, what);
  const place = placeOf(lib, abs);
  if (!place) throw new PathRefusedError(abs, `${what} is not inside any location added on this device (vss files works on the library's own folders)`);
  // Its folder must really be inside the location on disk (no symlinked folder on the way).
  place.root.checkFolder(dirname(abs) === abs ? abs : isInside(place.root.root, dirname(abs)) ? dirname(abs) : place.root.root);
  return place;
}

function realOrSelf(p: string): string {
  try {
    return realPathOf(p) ?? p;
  } catch {
    return p;
  }
}
