import { basename, dirname } from 'node:path';
import { placeOf, type LibraryPlace } from '../../../files/places.js';
import { PathRefusedError } from '../../../library/confine.js';
import type { Library } from '../../../library/library.js';
import type { LocalDisk } from '../../../storage/local-disk.js';
import { factsAt, makeFolders } from '../../../storage/local-tree.js';
import { storageAt } from '../../../storage/storages.js';
import { landingProblem } from '../../../files/destination.js';

/**
 * Where a run here finds its paths: the location holding each folder (looked up once a run), its
 * storage, and the folders made for copies (each checked once a run). A folder made in a location
 * is made only while that location is where its drive is (destination.ts): never under a mount
 * point its drive left (issue 57, S1).
 */
export class HerePlaces {
  private readonly placeOfDir = new Map<string, LibraryPlace | undefined>();
  private readonly made = new Set<string>();
  /** Locations found where their drive is in this run, with when (looked at again after a while). */
  private readonly present = new Map<number, { at: number; dev: number }>();

  constructor(private readonly lib: Library) {}

  /** The place of folder DIR (undefined: in no location of this device), looked up once a run. */
  placeOfFolder(dir: string): LibraryPlace | undefined {
    let place = this.placeOfDir.get(dir);
    if (place === undefined && !this.placeOfDir.has(dir)) this.placeOfDir.set(dir, (place = placeOf(this.lib, dir)));
    return place;
  }

  /** The location holding ABS as its storage and ABS's path there; undefined when in none. */
  placed(abs: string): { disk: LocalDisk; rel: string; locationId: number } | undefined {
    const place = this.placeOfFolder(dirname(abs));
    if (!place) return undefined;
    const name = basename(abs);
    return { disk: storageAt(place.root), rel: place.rel === '' ? name : `${place.rel}/${name}`, locationId: place.locationId };
  }

  /** As `placed`, refusing a path in no location of this device (vss files works on the library's own folders). */
  inLocation(abs: string, what: string): { disk: LocalDisk; rel: string; locationId: number } {
    const at = this.placed(abs);
    if (!at) throw new PathRefusedError(abs, `${what} is not inside any location added on this device (vss files works on the library's own folders)`);
    return at;
  }

  /**
   * DIR ready for a copy's partial: confined to its location (which must be where its drive is,
   * looked at before every file written there) when in one; refused inside the library folder
   * (checked when planned). Made once a run.
   */
  makeFolder(dir: string): void {
    const place = this.placeOfFolder(dir);
    if (place) this.checkPresent(place);
    if (this.made.has(dir)) return;
    if (place) place.root.makeFolder(dir);
    else makeFolders(dir);
    this.made.add(dir);
  }

  /**
   * DIRS, the folders a batch is about to write into, each looked at now on disk (never by the
   * check of a few seconds ago): still inside its location, not reached through a folder swapped
   * for a symlink out of it since the run began. Once a batch, so a folder a run writes into for
   * long is not taken on trust for the rest of it.
   */
  confirmInside(dirs: Iterable<string>): void {
    for (const dir of new Set(dirs)) this.placeOfFolder(dir)?.root.checkFolder(dir, true);
  }

  /**
   * Before anything lands in PLACE's location: it is where its drive is. Looked at fully once a
   * second at most; in between, its root must still be on the device it was found on (a stat):
   * a drive unmounted meanwhile leaves its mount point on the drive below, and the next file
   * written there would land under it (issue 57, S1, mid-run).
   */
  checkPresent(place: LibraryPlace): void {
    const seen = this.present.get(place.locationId);
    if (seen !== undefined && Date.now() - seen.at < PRESENT_FOR_MS && factsAt(place.root.root)?.dev === seen.dev) return;
    const problem = landingProblem(this.lib, place.locationId);
    if (problem) throw problem;
    const root = factsAt(place.root.root);
    if (root) this.present.set(place.locationId, { at: Date.now(), dev: root.dev });
  }
}

/** How long a location found where its drive is stays taken as there (its root's device still the same), within one run. */
const PRESENT_FOR_MS = 1000;
