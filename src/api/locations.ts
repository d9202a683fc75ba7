import { placeKind, relPathProblem } from '../core/address.js';
import { UsageError, VssError } from '../core/errors.js';
import type { LocationStorage } from '../storage/port.js';
import { INDEX_MODES, type IndexMode, type IndexResult } from '../indexer/types.js';
import { oneOf } from './checks.js';
import type { Library } from '../library/library.js';
import type { DeviceLocations, LocationInfo } from '../locations/locations.js';
import type { LocationWatching, LocationWatchStatus } from '../locations/watch/watch-locations.js';
import type { Logger } from 'pino';
import type { LibraryContext } from './library-api.js';

export type { DeviceLocations, LocationInfo, LocationWatching, LocationWatchStatus };

export interface AddLocationInput {
  name?: string;
  mode?: IndexMode;
  /** gitignore-style rules. */
  ignore?: string[];
  /** Deep mode: this location's generation policy, e.g. "thumb=grid@2x,ocr" or "none". */
  generate?: string;
}

/** A bucket prefix as a location: a folder's options, and how to reach a bucket not added as a volume yet. */
export interface AddBucketLocationInput extends AddLocationInput {
  /** An S3-compatible service's URL (absent: AWS S3). */
  endpoint?: string;
  region?: string;
  path_style?: boolean;
}

export interface RescanInput {
  /** Change the index mode first. */
  mode?: IndexMode;
  /** Read every file again, even those that look unchanged. */
  force?: boolean;
  /** A folder of the location (relative, '/'-separated) rescanned alone, with all beneath it (issue 59). */
  folder?: string;
}

/**
 * Folders the library indexes (`vss location`). The indexer is loaded only by the calls that
 * scan, so listing locations stays light.
 */
export class LocationsApi {
  /** CONNECTED: the paired devices connected now (the daemon's link; none in-process). */
  constructor(private readonly lib: Library, private readonly ctx: LibraryContext, private readonly connected: () => ReadonlySet<string> = () => new Set()) {}

  /**
   * Add a folder, or a bucket (`s3://BUCKET/PREFIX`: addBucket), and index it; progress and
   * skipped files arrive as `index:*` events. The address says which (core/address.ts).
   */
  async add(path: string, input: AddBucketLocationInput = {}): Promise<IndexResult> {
    if (placeKind(path) === 'bucket') return this.addBucket(path, input);
    if (input.endpoint !== undefined || input.region !== undefined || input.path_style !== undefined) {
      throw new UsageError('endpoint, region and path_style are for a bucket (s3://BUCKET/PREFIX)');
    }
    if (input.mode !== undefined) oneOf(INDEX_MODES, input.mode, 'mode');
    const { addLocation } = await import('../locations/locations.js');
    const loc = addLocation(this.lib, path, {
      name: input.name, mode: input.mode, ignore: input.ignore, ...(input.generate !== undefined ? { generation: input.generate } : {}),
    });
    try {
      return await this.rescan(loc.id);
    } finally {
      // Watching starts after this scan (its own first pass catches what changed meanwhile), so
      // the scan the caller asked for is the one that finds the files and reports them.
      this.lib.events.emit('locations:changed', { locationId: loc.id, change: 'added' });
    }
  }

  /**
   * Add `s3://BUCKET/PREFIX` as a location (read only: indexed, searched and its sidecars made,
   * never written) and index it; its bucket is added as a volume first when none holds it.
   */
  async addBucket(url: string, input: AddBucketLocationInput = {}): Promise<IndexResult> {
    if (input.mode !== undefined) oneOf(INDEX_MODES, input.mode, 'mode');
    const { addBucketAsLocation } = await import('../locations/locations.js');
    const loc = await addBucketAsLocation(this.lib, url, {
      name: input.name, mode: input.mode, ignore: input.ignore, ...(input.generate !== undefined ? { generation: input.generate } : {}),
    }, {
      ...(input.endpoint !== undefined ? { endpoint: input.endpoint } : {}), ...(input.region !== undefined ? { region: input.region } : {}),
      ...(input.path_style !== undefined ? { pathStyle: input.path_style } : {}),
    });
    try {
      return await this.rescan(loc.id);
    } finally {
      this.lib.events.emit('locations:changed', { locationId: loc.id, change: 'added' });
    }
  }

  /**
   * Index a location again (optionally in another mode); only what changed is re-read, or with
   * `force` every file (hashed again, and in deep mode its metadata read again).
   */
  async rescan(id: number, opts: RescanInput = {}): Promise<IndexResult> {
    if (opts.mode !== undefined) oneOf(INDEX_MODES, opts.mode, 'mode');
    const [{ scanLocation }, { generatorSettings }, { locationStorage }] = await Promise.all([import('../locations/locations.js'), import('../jobs/settings.js'), import('../storage/storages.js')]);
    const folder = opts.folder === undefined || opts.folder === '' ? undefined : subfolder(locationStorage(this.lib, id), id, opts.folder, opts);
    return scanLocation(this.lib, id, opts.mode, {
      generation: generatorSettings(this.lib, this.ctx.dataDir), ...(opts.force ? { force: true } : {}),
      // Listed folder by folder, each unchanged one confirmed as a watched change's are: the rest of the location is not read.
      ...(folder !== undefined ? { only: [{ rel: folder, subtree: true }], folder } : {}),
    });
  }

  async list(): Promise<LocationInfo[]> {
    const [{ listLocations }, { probeBucketLocations }] = await Promise.all([import('../locations/locations.js'), import('../volumes/bucket-locations.js')]);
    await probeBucketLocations(this.lib);
    return listLocations(this.lib);
  }

  /**
   * The other devices of the library and their locations, as each owner last said (name, folder,
   * files, bytes, whether its folder was reachable), with whether each device is connected now.
   */
  async ofOtherDevices(): Promise<DeviceLocations[]> {
    const { otherDevicesLocations } = await import('../locations/locations.js');
    return otherDevicesLocations(this.lib, this.connected());
  }

  async get(id: number): Promise<LocationInfo> {
    const { getLocation } = await import('../locations/locations.js');
    return getLocation(this.lib, id);
  }

  /** Set a location's own generation policy; null returns it to the library's. Applies from the next scan. */
  async setPolicy(id: number, policy: string | null): Promise<LocationInfo> {
    const { setLocationPolicy } = await import('../locations/locations.js');
    return setLocationPolicy(this.lib, id, policy);
  }

  /** Forget a location and its index (after a scan of it under way); the folder itself is never touched. */
  async remove(id: number): Promise<{ location_id: number; removed: true }> {
    const [{ removeLocation }, { serializeScan }] = await Promise.all([import('../locations/locations.js'), import('../locations/watch/scan-lock.js')]);
    await serializeScan(this.lib, id, async () => removeLocation(this.lib, id));
    this.lib.events.emit('locations:changed', { locationId: id, change: 'removed' });
    return { location_id: id, removed: true };
  }

  /**
   * Keep the index live (the daemon): every location of this device is rescanned, then watched;
   * changes reach the index in debounced batches and deep locations queue their sidecars.
   */
  async watch(opts: { debounceMs?: number; log?: Logger } = {}): Promise<LocationWatching> {
    const [{ watchLocations }, { generatorSettings }] = await Promise.all([import('../locations/watch/watch-locations.js'), import('../jobs/settings.js')]);
    return watchLocations(this.lib, { generation: () => generatorSettings(this.lib, this.ctx.dataDir), ...opts });
  }

  /** Stop watching a location (kept across restarts); its index stays as it is until resumed. */
  async pause(id: number): Promise<LocationInfo> {
    return this.setPaused(id, true);
  }

  /** Watch a paused location again; it is rescanned first, so what changed meanwhile is found. */
  async resume(id: number): Promise<LocationInfo> {
    return this.setPaused(id, false);
  }

  private async setPaused(id: number, paused: boolean): Promise<LocationInfo> {
    const { getLocation, setLocationPaused } = await import('../locations/locations.js');
    if (getLocation(this.lib, id).paused === paused) return getLocation(this.lib, id);
    const info = setLocationPaused(this.lib, id, paused);
    this.lib.events.emit('locations:changed', { locationId: id, change: paused ? 'paused' : 'resumed' });
    return info;
  }
}

/**
 * FOLDER (relative to location ID, on STORAGE) checked as one to rescan alone: a folder of the
 * location now; not with a new mode or `force` (each is the whole location's).
 */
function subfolder(storage: LocationStorage, id: number, folder: string, opts: RescanInput): string {
  const problem = relPathProblem(folder);
  if (problem) throw new UsageError(`${JSON.stringify(folder.slice(0, 200))}: ${problem}`);
  if (opts.mode !== undefined) throw new UsageError('--mode changes a whole location: give the location, not a folder in it');
  if (opts.force) throw new UsageError('--force reads a whole location again: give the location, not a folder in it');
  if (!storage.local?.statNow(folder)?.isDirectory()) throw new VssError('NOT_FOUND', `${folder} is not a folder of location ${id} now`, { path: folder });
  return folder;
}
