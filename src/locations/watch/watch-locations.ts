import type { Logger } from 'pino';
import { childLog } from '../../core/log.js';
import type { WatchState } from '../../core/events.js';
import type { GeneratorSettings } from '../../generators/types.js';
import { removeOrphanContents } from '../../indexer/cleanup.js';
import type { Library } from '../../library/library.js';
import { listLocations } from '../locations.js';
import { LocationWatch } from './location-watch.js';
import { scansRunning } from './scan-lock.js';

export interface WatchLocationsOptions {
  /** What this device's generators can use now (deep locations queue their sidecars with it). */
  generation: () => GeneratorSettings;
  /** A batch of changes is scanned at most this long after its first change (default 1000 ms). */
  debounceMs?: number;
  /** How often folders that could not be watched (the OS limit) and failing locations are rescanned (default 60 s). */
  rescanEveryMs?: number;
  /**
   * Contents that lost their last entry are removed this long after the last change (default
   * 10 s), not at once: a file moved out in one batch and in again in the next keeps its content
   * and its sidecars.
   */
  orphanGraceMs?: number;
  log?: Logger;
}

export interface LocationWatchStatus {
  location_id: number;
  state: WatchState;
  reason?: string;
}

export interface LocationWatching {
  /** Stop watching every location; scans under way finish first. */
  close(): Promise<void>;
  /** Follow the locations table again (added, removed, paused, resumed); `locations:changed` does this by itself. */
  refresh(): Promise<void>;
  status(): LocationWatchStatus[];
  /** Resolves when no batch of changes waits and no scan of the watcher runs. */
  idle(): Promise<void>;
}

/**
 * Watch every location of this device in the library (DESIGN §12): each is rescanned at start
 * (what changed while nobody watched), then kept current from folder watches. Paused locations
 * are left alone; locations added, removed, paused or resumed through the core API are followed.
 */
export async function watchLocations(lib: Library, opts: WatchLocationsOptions): Promise<LocationWatching> {
  const w = new LibraryWatcher(lib, opts);
  await w.refresh();
  return w;
}

class LibraryWatcher implements LocationWatching {
  private readonly watches = new Map<number, LocationWatch>();
  private readonly paused = new Set<number>();
  private readonly log: Logger;
  private readonly unsubscribe: () => void;
  private refreshing: Promise<void> = Promise.resolve();
  private sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly lib: Library, private readonly opts: WatchLocationsOptions) {
    this.log = opts.log ?? childLog('location-watch');
    this.unsubscribe = lib.events.on('locations:changed', () => {
      this.refresh().catch((err: unknown) => this.log.warn({ err }, 'could not follow a change of locations'));
    });
    // Contents left without entries by a run that ended before its sweep.
    this.scheduleSweep();
  }

  refresh(): Promise<void> {
    this.refreshing = this.refreshing.then(() => this.follow(), () => this.follow());
    return this.refreshing;
  }

  private async follow(): Promise<void> {
    if (this.closed) return;
    const locations = listLocations(this.lib);
    const ids = new Set(locations.map((l) => l.id));
    for (const [id, w] of this.watches) {
      const loc = locations.find((l) => l.id === id);
      if (!loc || loc.paused) { this.watches.delete(id); await w.close(); }
    }
    for (const id of this.paused) if (!ids.has(id)) this.paused.delete(id);
    for (const loc of locations) {
      if (loc.paused) {
        if (!this.paused.has(loc.id)) { this.paused.add(loc.id); this.say(loc.id, 'paused'); }
        continue;
      }
      this.paused.delete(loc.id);
      if (this.watches.has(loc.id)) continue;
      const w = new LocationWatch({
        lib: this.lib, locationId: loc.id, path: loc.path, generation: this.opts.generation,
        debounceMs: this.opts.debounceMs ?? 1000, rescanEveryMs: this.opts.rescanEveryMs ?? 60_000, log: this.log,
        onState: (state, reason) => this.say(loc.id, state, reason),
        onScanned: (r) => { if (r.removed + r.changed + r.moved > 0) this.scheduleSweep(); },
      });
      this.watches.set(loc.id, w);
      w.start();
    }
  }

  private say(locationId: number, state: WatchState, reason?: string): void {
    this.lib.events.emit('location:watch', { locationId, state, ...(reason !== undefined ? { reason } : {}) });
  }

  status(): LocationWatchStatus[] {
    const out: LocationWatchStatus[] = [];
    for (const id of this.paused) out.push({ location_id: id, state: 'paused' });
    for (const w of this.watches.values()) out.push({ location_id: w.locationId, state: w.state, ...(w.reason !== undefined ? { reason: w.reason } : {}) });
    return out.sort((a, b) => a.location_id - b.location_id);
  }

  async idle(): Promise<void> {
    await this.refreshing;
    await Promise.all([...this.watches.values()].map((w) => w.idle()));
  }

  /** Remove orphaned contents once changes have been quiet for the grace period and no scan is between its phases. */
  private scheduleSweep(): void {
    if (this.closed) return;
    clearTimeout(this.sweepTimer);
    this.sweepTimer = setTimeout(() => {
      if (this.closed) return;
      if (scansRunning(this.lib) > 0) return this.scheduleSweep();
      try {
        const removed = removeOrphanContents(this.lib.db);
        if (removed > 0) this.log.info({ removed }, 'contents without entries removed');
      } catch (err) {
        this.log.warn({ err }, 'could not remove contents without entries');
      }
    }, this.opts.orphanGraceMs ?? 10_000);
    this.sweepTimer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe();
    clearTimeout(this.sweepTimer);
    await this.refreshing.catch(() => undefined);
    await Promise.all([...this.watches.values()].map((w) => w.close()));
    this.watches.clear();
  }
}
