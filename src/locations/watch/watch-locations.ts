import { pollVolumes, type VolumePoll } from '../../volumes/volume-poll.js';
import type { Logger } from 'pino';
import { childLog } from '../../core/log.js';
import type { WatchState } from '../../core/events.js';
import type { GeneratorSettings } from '../../generators/types.js';
import { releaseOrphanContentsPaced } from '../../indexer/release-orphans.js';
import type { Library } from '../../library/library.js';
import { listLocations } from '../locations.js';
import { kindCaps } from '../../storage/storages.js';
import { LocationWatch } from './location-watch.js';
import { scansRunning } from './scan-lock.js';

/** A bucket's location rescanned this often: each rescan lists every folder of it, requests a bucket may bill. */
const BUCKET_RESCAN_MS = Number(process.env.VSS_BUCKET_RESCAN_MS) > 0 ? Number(process.env.VSS_BUCKET_RESCAN_MS) : 15 * 60_000;

/** How soon a sweep that met a scan looks again. */
const SWEEP_RETRY_MS = 200;

export interface WatchLocationsOptions {
  /** What this device's generators can use now (deep locations queue their sidecars with it). */
  generation: () => GeneratorSettings;
  /** How often the mount table is read for drives plugged in or pulled out (default 1.5 s; 0: never). */
  volumePollMs?: number;
  /** A batch of changes is scanned at most this long after its first change (default 1000 ms). */
  debounceMs?: number;
  /** How often folders that could not be watched (the OS limit) and failing locations are rescanned (default 60 s). */
  rescanEveryMs?: number;
  /** How often a bucket's location is scanned again, a bucket telling nobody of its changes (default 15 min; VSS_BUCKET_RESCAN_MS). */
  bucketRescanEveryMs?: number;
  /**
   * Contents that lost their last entry are removed this long after the last change (default
   * 10 s), not at once: a file moved out in one batch and in again in the next keeps its content
   * and its sidecars.
   */
  orphanGraceMs?: number;
  /**
   * Changes that never pause for the grace period do not hold the removal off for ever: it runs
   * at most this long after the first change it waits for (default 60 s, never below the grace).
   */
  orphanMaxDelayMs?: number;
  /**
   * A file changed within this long (its mtime) is not identified yet: it may still be being
   * written (a slow copy, a camera import). Its folder is listed again once it is quiet (default
   * 600 ms, which a copy's writes come well within; 0 identifies at once).
   */
  settleMs?: number;
  /** A file still changing after this long is identified anyway; its next change re-indexes it (default 60 s). */
  settleMaxWaitMs?: number;
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
  /** Locations last seen offline (their drive away), and the path each watched one is watched at. */
  private readonly offline = new Set<number>();
  private readonly paths = new Map<number, string>();
  private readonly volumes: VolumePoll | undefined;
  private readonly log: Logger;
  private readonly unsubscribe: () => void;
  private refreshing: Promise<void> = Promise.resolve();
  private sweepTimer: NodeJS.Timeout | undefined;
  /** When the first change the next sweep waits for was seen (0: none waits). */
  private sweepOwedSince = 0;
  private sweeping: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly lib: Library, private readonly opts: WatchLocationsOptions) {
    this.log = opts.log ?? childLog('location-watch');
    this.unsubscribe = lib.events.on('locations:changed', () => {
      this.refresh().catch((err: unknown) => this.log.warn({ err }, 'could not follow a change of locations'));
    });
    // Contents left without entries by a run that ended before its sweep.
    this.scheduleSweep();
    // Drives come and go: each location follows its own (volumes, issue 21).
    if (opts.volumePollMs !== 0) this.volumes = pollVolumes(lib, opts.volumePollMs !== undefined ? { intervalMs: opts.volumePollMs } : {});
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
      // Back from offline, or at another path (its drive mounted elsewhere): watched afresh there,
      // its first scan the rescan. While offline its watch stays, retrying: every scan of it is
      // refused (locations.ts), so nothing it does not see is taken for deleted.
      const back = loc !== undefined && loc.online && this.offline.has(id);
      if (!loc || loc.paused || back || this.paths.get(id) !== loc.path) { this.watches.delete(id); this.paths.delete(id); await w.close(); }
    }
    for (const id of this.paused) if (!ids.has(id)) this.paused.delete(id);
    for (const loc of locations) {
      if (loc.online) this.offline.delete(loc.id);
      else this.offline.add(loc.id);
    }
    for (const id of this.offline) if (!ids.has(id)) this.offline.delete(id);
    for (const loc of locations) {
      if (loc.paused) {
        if (!this.paused.has(loc.id)) { this.paused.add(loc.id); this.say(loc.id, 'paused'); }
        continue;
      }
      this.paused.delete(loc.id);
      if (this.watches.has(loc.id)) continue;
      this.paths.set(loc.id, loc.path);
      const w = new LocationWatch({
        lib: this.lib, locationId: loc.id, path: loc.path, kind: loc.kind, generation: this.opts.generation,
        debounceMs: this.opts.debounceMs ?? 1000,
        rescanEveryMs: kindCaps(loc.kind).watch === 'poll' ? this.opts.bucketRescanEveryMs ?? BUCKET_RESCAN_MS : this.opts.rescanEveryMs ?? 60_000,
        settleMs: this.opts.settleMs ?? 600, settleMaxWaitMs: this.opts.settleMaxWaitMs ?? 60_000, log: this.log,
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

  /**
   * Release contents that lost their last entry once changes have been quiet for the grace
   * period, or at the latest `orphanMaxDelayMs` after the first change it waits for — never while
   * a scan of this library is between its phases (a file moved between locations is then in
   * neither, or its new entry is not yet identified).
   */
  private scheduleSweep(): void {
    if (this.closed) return;
    const now = Date.now();
    if (this.sweepOwedSince === 0) this.sweepOwedSince = now;
    const grace = this.opts.orphanGraceMs ?? 10_000;
    const latest = this.sweepOwedSince + Math.max(grace, this.opts.orphanMaxDelayMs ?? 60_000);
    this.armSweep(Math.min(now + grace, latest) - now);
  }

  private armSweep(ms: number): void {
    clearTimeout(this.sweepTimer);
    this.sweepTimer = setTimeout(() => this.sweep(), Math.max(0, ms));
    this.sweepTimer.unref();
  }

  private sweep(): void {
    if (this.closed) return;
    if (this.sweeping) return this.armSweep(SWEEP_RETRY_MS);
    // A scan runs: look again in a moment, keeping the time owed (changes never pausing must not starve the sweep).
    if (scansRunning(this.lib) > 0) return this.armSweep(SWEEP_RETRY_MS);
    const owedSince = this.sweepOwedSince;
    this.sweepOwedSince = 0;
    this.sweeping = releaseOrphanContentsPaced(this.lib, () => this.closed || scansRunning(this.lib) > 0)
      .then((r) => {
        if (r.contents > 0 || r.jobs > 0) this.log.info({ ...r }, 'contents without entries released');
        if (r.stopped && !this.closed) {
          // A scan began: the rest is owed as before, and waits for its changes to be quiet (or overdue).
          this.sweepOwedSince = this.sweepOwedSince === 0 ? owedSince : Math.min(this.sweepOwedSince, owedSince);
          this.scheduleSweep();
        } else if (r.deferred > 0) {
          this.scheduleSweep(); // a job of theirs was running: it was asked to stop; they go on a later sweep
        }
      }, (err: unknown) => {
        if (this.closed) return;
        this.log.warn({ err }, 'could not release contents without entries');
        this.scheduleSweep();
      })
      .finally(() => { this.sweeping = null; });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.volumes?.close();
    this.unsubscribe();
    clearTimeout(this.sweepTimer);
    await this.sweeping;
    await this.refreshing.catch(() => undefined);
    await Promise.all([...this.watches.values()].map((w) => w.close()));
    this.watches.clear();
  }
}
