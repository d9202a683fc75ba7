import { realpathSync } from 'node:fs';
import type { LocationGrants } from '../device/location-grants.js';
import type { LocationRecord } from '../store/locations.js';
import type { Stores } from '../store/stores.js';
import { absolutePathProblem, ConfinedRoot, isInside, PathRefusedError } from './confine.js';

type LocationRow = Pick<LocationRecord, 'id' | 'uuid' | 'device_id' | 'path'>;

/**
 * Where an open library lets vss read, write and delete: its own folder, and each location whose
 * row is this device's, whose path is absolute, normalized and outside the library, and which
 * the user added on this device (a grant in the data dir). Everything else a row names is refused.
 */
export class LibraryRoots {
  readonly library: ConfinedRoot;
  private readonly byLocation = new Map<string, ConfinedRoot>();

  constructor(
    private readonly store: Stores,
    private readonly libraryRoot: string,
    private readonly libraryId: string,
    private readonly deviceId: number,
    private readonly grants: LocationGrants | null,
  ) {
    this.library = new ConfinedRoot(libraryRoot, 'the library folder');
  }

  /** Location ID's folder, when this device may touch it; else a PathRefusedError that says why. */
  location(id: number): ConfinedRoot {
    const row = this.store.locations.byId(id);
    if (!row) throw new PathRefusedError(`location ${id}`, 'no such location');
    return this.check(row);
  }

  /**
   * The file entry ENTRYID names, as its trusted location and its path there: undefined when no
   * such entry is in a location of this device; a PathRefusedError when that location is not
   * one vss may touch. (`root.path(rel)` then refuses a rel_path that could step outside.)
   */
  entry(entryId: number): { root: ConfinedRoot; rel: string } | undefined {
    const e = this.store.entries.onDevice(entryId, this.deviceId);
    return e ? { root: this.location(e.location_id), rel: e.rel_path } : undefined;
  }

  /** As `location`, answering the refusal instead of throwing it. */
  tryLocation(id: number): ConfinedRoot | PathRefusedError {
    try {
      return this.location(id);
    } catch (err) {
      if (err instanceof PathRefusedError) return err;
      throw err;
    }
  }

  /**
   * A lookup of copies' absolute paths where vss may read them: in a location added on this device,
   * by a path that stays inside it (null otherwise). Each location is checked once per lookup, not
   * once per copy: a list of thousands of copies resolves a few folders.
   */
  copyPaths(): (locationId: number, rel: string) => string | null {
    const roots = new Map<number, ConfinedRoot | null>();
    return (loc, rel) => {
      let root = roots.get(loc);
      if (root === undefined) {
        const r = this.tryLocation(loc);
        roots.set(loc, (root = r instanceof PathRefusedError ? null : r));
      }
      try {
        return root?.path(rel) ?? null;
      } catch {
        return null; // outside its location: not shown
      }
    };
  }

  /** The trusted location holding ABS (an absolute path from the database), or a refusal. */
  locationHolding(abs: string): ConfinedRoot | PathRefusedError {
    for (const row of this.store.locations.ofDevice(this.deviceId)) {
      if (typeof row.path !== 'string' || !isInside(row.path, abs)) continue;
      try {
        return this.check(row);
      } catch (err) {
        if (err instanceof PathRefusedError) return err;
        throw err;
      }
    }
    return new PathRefusedError(abs, 'not inside the library folder or any location added on this device');
  }

  private check(row: LocationRow): ConfinedRoot {
    const what = `location ${row.id} (${String(row.path)})`;
    if (row.device_id !== this.deviceId) throw new PathRefusedError(String(row.path), `${what} belongs to another device`);
    const problem = absolutePathProblem(row.path);
    if (problem) throw new PathRefusedError(String(row.path), `${what}: ${problem}`);
    if (isInside(this.libraryRoot, row.path)) throw new PathRefusedError(row.path, `${what} lies inside the library folder`);
    if (!this.grants?.has(this.libraryId, row.uuid, row.path)) {
      throw new PathRefusedError(row.path, `${what} was not added on this device, so vss will not read or change it (remove it and add the folder again to index it)`);
    }
    // Added as its real path: a folder since swapped for a symlink would lead the walk elsewhere.
    const real = realPathOrNull(row.path);
    if (real !== null && real !== row.path) throw new PathRefusedError(row.path, `${what} is now a symlink to ${real}`);
    const key = `${row.id}|${row.uuid}|${row.path}`;
    let root = this.byLocation.get(key);
    if (!root) {
      root = new ConfinedRoot(row.path, what, { rootMustExist: true });
      this.byLocation.set(key, root);
    }
    return root;
  }
}

/** The real path of P; null when it is not there (an unplugged drive is offline, not refused). */
function realPathOrNull(p: string): string | null {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
}
