import { stat } from 'node:fs/promises';
import { UsageError, VssError } from '../../core/errors.js';
import { isOnConflict } from '../../files/file-op.js';
import { insideLibraryFolder } from '../../files/places.js';
import { indexLanded } from '../../files/reindex.js';
import { PathRefusedError } from '../../library/confine.js';
import type { Library } from '../../library/library.js';
import { checkLanding, destinationProblem } from '../../files/destination.js';
import type { RemoteDevice } from '../peer-link.js';
import { weighPlace, type PlaceGuardHost } from './place-guard.js';
import { landingDirProblem } from '../../files/landing-names.js';
import type { DropPlace, PlaceRequest } from './drop-place.js';

/**
 * The receiving side of a copy or move into one of this device's locations (issue 30, item 3):
 * the place a paired device's `place` names, checked before a byte is taken. The library must be
 * one REMOTE shares and open here, the location this device's own (not another device's of that
 * library, not one its user did not add here) and reachable, DIR a relative path that stays
 * inside it (no `..`, not absolute, no symlinked folder on the way), in none of vss's own
 * folders (`.vss-*`, the library folder when it lies in the location). Its partials wait in the
 * location's `.vss-drop/` (skipped by the indexer, on the same drive: placing one is a rename).
 */
export async function placeInLocation(libraryOf: (id: string) => Library | undefined, remote: RemoteDevice, req: PlaceRequest, guard?: PlaceGuardHost): Promise<DropPlace> {
  if (!remote.libraryIds.includes(req.library)) throw new VssError('PATH_REFUSED', `library ${req.library} is not shared with ${remote.name}`);
  const lib = libraryOf(req.library);
  if (!lib) throw new VssError('UNAVAILABLE', `library ${req.library} is not open on this device now`);
  if (!isOnConflict(req.onConflict)) throw new UsageError(`unknown conflict policy ${JSON.stringify(req.onConflict.slice(0, 20))}`);
  const loc = lib.store.locations.ofDevice(lib.deviceId).find((l) => l.uuid === req.location);
  if (!loc) throw new PathRefusedError(`location ${req.location}`, 'not a location of this device');
  const root = lib.roots.location(loc.id);
  const dir = root.path(req.dir);
  const bookkeeping = landingDirProblem(req.dir);
  if (bookkeeping) throw new PathRefusedError(req.dir, bookkeeping);
  // Every destination's one check (files/destination.ts): a peer writes inside a location only, never one offline.
  const problem = destinationProblem(lib, dir, 'peer');
  if (problem) throw problem;
  if (insideLibraryFolder(lib, dir)) throw new PathRefusedError(req.dir, `lies in the library folder, which vss keeps to itself: files go elsewhere in location ${loc.name}`);
  try {
    await root.makeFolderAsync(dir);
  } catch (err) {
    if (err instanceof VssError) throw err;
    throw new VssError('IO', `folder ${req.dir} of location ${loc.name} cannot be made: ${(err as Error).message}`, { cause: err });
  }
  const st = await stat(dir);
  if (!st.isDirectory()) throw new PathRefusedError(req.dir, `is not a folder in location ${loc.name}`);
  return {
    stateRoot: root.root, dir, what: `location ${loc.name}`, conflict: req.onConflict === 'skip' ? 'skip' : req.onConflict, keepJournal: true, sameBytesCount: true,
    check: () => void checkLanding(lib, dir),
    landed: (files) => indexLanded(lib, loc.id, root.root, files),
    // A replace gives up this device's files: its own Guardian weighs it, as a replace asked here (DESIGN §19).
    ...(guard ? { weigh: (items) => weighPlace(lib, loc.id, root.root, dir, items, guard, { forced: req.force === true }) } : {}),
  };
}
