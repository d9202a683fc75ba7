import { dirname } from 'node:path';
import { absolutePathProblem, PathRefusedError } from '../library/confine.js';
import type { Library } from '../library/library.js';
import { VssError } from '../core/errors.js';
import { locationOnline } from '../volumes/location-online.js';
import { offlineReason } from '../volumes/offline-reason.js';
import { factsAt } from '../storage/local-tree.js';
import { placeOf, type LibraryPlace } from './places.js';

/*
 * Where bytes may land (DESIGN §22, issue 57 item 3), decided here once for every way: when a
 * transfer is planned (`destinationProblem`) and again where its bytes land (`landingProblem`).
 */

/**
 * Who asked: this machine's user (the CLI, or the web app on this machine), or another party — a
 * paired browser (a phone) or a peer. Only this machine's user names folders outside the
 * library's locations.
 */
export type Party = 'local' | 'browser' | 'peer';

/** A destination whose location's drive (or folder) is not where it was: nothing is written there now. */
export class LocationOffline extends VssError {
  constructor(readonly locationId: number, name: string, why: string) {
    super('UNAVAILABLE', `the location "${name}" is offline (${why}): nothing is written there until it is back`);
    this.name = 'LocationOffline';
  }
}

/**
 * Why ABS (a folder or file a transfer would write) may not be a destination for PARTY now, or
 * undefined: a browser or a peer writes only inside a location of this device, and no one writes
 * into a location that is offline (its drive unplugged leaves an empty mount point behind, issue
 * 57 S1). A folder outside every location is this machine's user's to name (it is not indexed).
 */
export function destinationProblem(lib: Library, abs: string, party: Party): VssError | undefined {
  const place = placeOf(lib, abs);
  if (!place) {
    if (party === 'local') return undefined;
    return new PathRefusedError(abs, `is outside every location of this device: a ${party === 'browser' ? 'browser' : 'paired device'} writes only into the library's locations`);
  }
  // Inside a location by its name, and on disk: the nearest of its folders that is there is not
  // reached through a symlink out of it (a folder to be made beneath one would be made outside).
  // (A name with `..` or `.` in it is refused by the plan, in its own words.)
  if (absolutePathProblem(abs) === undefined) {
    let there = abs;
    while (there !== place.root.root && !factsAt(there)) there = dirname(there);
    try {
      place.root.checkFolder(there);
    } catch (err) {
      if (err instanceof VssError) return err;
      throw err;
    }
  }
  return landingProblem(lib, place.locationId);
}

/** Why nothing may land in location ID now (it is offline: its drive unplugged, its folder gone), or undefined. */
export function landingProblem(lib: Library, id: number): VssError | undefined {
  const place = locationOnline(lib, id);
  if (!place) return new PathRefusedError(String(id), 'is not a location of this device');
  if (place.online) return undefined;
  const row = lib.store.locations.byId(id);
  return new LocationOffline(id, row?.name ?? String(id), offlineReason(place.why));
}

/**
 * The last look before verified bytes are placed in folder DIR (a peer's files, a content got, an
 * upload), as the here target's (`HerePlaces`) before each batch: its location still where its
 * drive is (never under a mount point its drive left, S1) and DIR, on disk now, still inside it.
 * Its place; undefined when DIR is in no location (a folder this machine's user named).
 */
export function checkLanding(lib: Library, dir: string): LibraryPlace | undefined {
  const place = placeOf(lib, dir);
  if (!place) return undefined;
  const problem = landingProblem(lib, place.locationId);
  if (problem) throw problem;
  place.root.checkFolder(dir, true);
  return place;
}

/** A destination that is not this machine's user's to name: refused at once. */
export function checkDestination(lib: Library, abs: string, party: Party): void {
  const problem = destinationProblem(lib, abs, party);
  if (problem) throw problem;
}
