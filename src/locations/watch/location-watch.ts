import type { Logger } from 'pino';
import { VssError } from '../../core/errors.js';
import type { WatchState } from '../../core/events.js';
import type { GeneratorSettings } from '../../generators/types.js';
import type { ChangedDir } from '../../indexer/discover-dirs.js';
import type { SettleRule } from '../../indexer/identification.js';
import type { IndexResult } from '../../indexer/types.js';
import type { Library } from '../../library/library.js';
import { scanLocation } from '../locations.js';
import type { FolderWatches, LocationStorage, StorageKind } from '../../storage/port.js';
import { kindCaps, storageOf } from '../../storage/storages.js';
import { pollOnlyWatches } from '../../storage/poll-only-watches.js';
import { indexedDirsUnder } from './indexed-dirs.js';
import { parentOf } from '../../storage/rel-path.js';

export interface LocationWatchOptions {
  lib: Library;
  locationId: number;
  path: string;
  /** What holds it (`locations.kind`): watched by events, or rescanned whole on a schedule. */
  kind: StorageKind;
  generation: () => GeneratorSettings;
  debounceMs: number;
  rescanEveryMs: number;
  /** A file changed within this long is not identified yet (0: at once); see SettleRule. */
  settleMs: number;
  /** A file still changing after this long is identified anyway (the next change re-indexes it). */
  settleMaxWaitMs: number;
  log: Logger;
  /** The watch changed state (said once per change, not per folder). */
  onState: (state: WatchState, reason?: string) => void;
  /** A scan of this location finished. */
  onScanned: (result: IndexResult) => void;
}

/** More folders than this in one batch (and more than half of those watched): rescan the whole location instead. */
const MAX_DIRS_PER_BATCH = 256;

/**
 * Keeps one location's index current: folder watches feed a batch of changed folders; a batch
 * is scanned when it has been quiet a moment or has waited `debounceMs`, whichever is first.
 * Only what changed is listed; one scan at a time (changes during a scan make the next batch).
 */
export class LocationWatch {
  /** Null until the first state is said. */
  private said: WatchState | null = null;
  reason: string | undefined;
  /** The storage whose folder watches feed the batches; none where changes are not told (polled). */
  private readonly storage: LocationStorage | undefined;
  private readonly dirs: FolderWatches;
  private readonly pending = new Map<string, boolean>();
  private fullPending = false;
  private firstAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | null = null;
  private failed: string | undefined;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  /** Folders holding files left unidentified while they were being written → since when ('*': too many to name). */
  private readonly unsettledSince = new Map<string, number>();
  /** Folders to list again once their files are quiet, and when. */
  private readonly settleDue = new Map<string, number>();
  private settleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: LocationWatchOptions) {
    // A storage that tells of no change (a bucket) is rescanned whole every `rescanEveryMs`.
    this.storage = kindCaps(o.kind).watch === 'events' ? storageOf(o.lib, o.locationId) : undefined;
    this.dirs = this.storage ? this.storage.watch((rel) => this.changed(rel, false)) : pollOnlyWatches(`a ${o.kind} tells nobody of its changes`);
  }

  get locationId(): number {
    return this.o.locationId;
  }

  get state(): WatchState {
    return this.said ?? 'watching';
  }

  /** Watch what the index knows, then rescan the whole location (what changed while nobody watched). */
  start(): void {
    this.syncWatches(['' ], false);
    this.fullPending = true;
    void this.flush();
  }

  /** Something changed in this folder; `subtree`: rescan everything beneath it too. */
  changed(rel: string, subtree: boolean): void {
    if (this.closed) return;
    this.pending.set(rel, (this.pending.get(rel) ?? false) || subtree);
    const now = Date.now();
    if (this.firstAt === 0) this.firstAt = now;
    clearTimeout(this.timer);
    // Quiet for a quarter of the window, or the whole window since the batch's first change.
    const at = Math.min(this.firstAt + this.o.debounceMs, now + Math.max(20, this.o.debounceMs / 4));
    this.timer = setTimeout(() => void this.flush(), Math.max(0, at - now));
  }

  /** Resolves when no batch waits and no scan runs. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((res) => this.idleWaiters.push(res));
  }

  /** Files still settling count as work to come: `idle` waits for them too. */
  private isIdle(): boolean {
    return this.closed || (!this.scanning && !this.fullPending && this.pending.size === 0 && this.settleDue.size === 0);
  }

  private async flush(): Promise<void> {
    if (this.closed || this.scanning) return; // the running scan flushes again when it ends
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.fullPending && this.pending.size === 0) return this.wakeIdle();
    const many = this.pending.size > MAX_DIRS_PER_BATCH && this.pending.size > this.dirs.size / 2;
    const only: ChangedDir[] | undefined = this.fullPending || many || this.pending.get('') === true
      ? undefined
      : [...this.pending].map(([rel, subtree]) => ({ rel, subtree }));
    this.pending.clear();
    this.fullPending = false;
    this.firstAt = 0;
    this.scanning = this.scan(only).finally(() => {
      this.scanning = null;
      if (this.fullPending || this.pending.size > 0) {
        if (this.firstAt === 0) this.firstAt = Date.now();
        void this.flush();
      } else {
        this.wakeIdle();
      }
    });
    return this.scanning;
  }

  private wakeIdle(): void {
    if (!this.isIdle()) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private async scan(only: ChangedDir[] | undefined): Promise<void> {
    const { lib, locationId, log } = this.o;
    const started = Date.now();
    try {
      const settle = this.settleRule();
      const result = await scanLocation(lib, locationId, undefined, { generation: this.o.generation(), only, removeOrphans: false, settle: settle.rule });
      this.settled(settle.reported);
      log.debug({ locationId, dirs: only?.length ?? 'all', ms: Date.now() - started, added: result.added, changed: result.changed, moved: result.moved, removed: result.removed }, 'location scanned');
      this.failed = undefined;
      this.o.onScanned(result);
    } catch (err) {
      if (this.closed) return;
      if (err instanceof VssError && err.code === 'NOT_FOUND') return; // removed meanwhile: the watcher lets it go
      this.failed = err instanceof Error ? err.message : String(err);
      log.warn({ locationId, err }, 'location scan failed; retrying later');
    }
    if (this.closed) return;
    if (this.failed) {
      this.updateState();
      this.schedulePoll();
      return;
    }
    this.syncWatches(only ? only.map((d) => d.rel) : [''], true);
  }

  /**
   * The settle rule for one scan: files written a moment ago wait, except in folders that have
   * waited `settleMaxWaitMs` already. `reported` fills in with what the scan left unidentified.
   */
  private settleRule(): { rule: SettleRule | undefined; reported: Set<string> | null } {
    const { settleMs, settleMaxWaitMs } = this.o;
    if (settleMs <= 0) return { rule: undefined, reported: null };
    const now = Date.now();
    const overdue = new Set<string>();
    for (const [folder, since] of this.unsettledSince) if (now - since >= settleMaxWaitMs) overdue.add(folder);
    const reported = new Set<string>();
    const rule: SettleRule = {
      quietMs: settleMs,
      force: overdue.has('*') ? 'all' : overdue,
      onUnsettled: (folders, quietAt) => {
        for (const f of folders === 'many' ? ['*'] : folders) reported.add(f);
        // 'many': the location's top folder is listed again; identification looks at every unidentified file of it anyway.
        for (const f of folders === 'many' ? [''] : folders) this.settleDue.set(f, Math.min(this.settleDue.get(f) ?? Infinity, quietAt));
        this.armSettleTimer();
      },
    };
    return { rule, reported };
  }

  /** After a scan: folders it left nothing unidentified in are settled; the others keep their first time. */
  private settled(reported: Set<string> | null): void {
    if (!reported) return;
    const now = Date.now();
    for (const f of this.unsettledSince.keys()) if (!reported.has(f)) this.unsettledSince.delete(f);
    for (const f of reported) if (!this.unsettledSince.has(f)) this.unsettledSince.set(f, now);
  }

  private armSettleTimer(): void {
    clearTimeout(this.settleTimer);
    if (this.closed || this.settleDue.size === 0) return;
    const first = Math.min(...this.settleDue.values());
    // A little past the moment: mtimes are coarser than the clock on some filesystems.
    this.settleTimer = setTimeout(() => this.settleWake(), Math.max(0, first - Date.now()) + 20);
  }

  /** Folders whose files should be quiet now are listed again, at once (their changes were batched already). */
  private settleWake(): void {
    this.settleTimer = undefined;
    if (this.closed) return;
    const now = Date.now();
    for (const [folder, at] of this.settleDue) {
      if (at > now) continue;
      this.settleDue.delete(folder);
      this.pending.set(folder, this.pending.get(folder) ?? false);
    }
    this.armSettleTimer();
    void this.flush();
  }

  /** Bring the watches in line with the folders indexed beneath these ones. */
  private syncWatches(tops: readonly string[], checkMissed: boolean): void {
    const { lib, locationId } = this.o;
    const seen = new Set<string>();
    for (const want of tops) {
      const { top, dirs } = indexedDirsUnder(lib.store.entries, locationId, want);
      if (seen.has(top)) continue;
      seen.add(top);
      const { added } = this.dirs.sync(top, dirs);
      if (!checkMissed || added.length === 0) continue;
      // A folder listed before its watch began may have changed in between: its time says so.
      const recorded = new Map(dirs.map((d) => [d.rel, d.mtimeMs] as const));
      for (const rel of added) {
        const st = this.storage?.local?.statNow(rel);
        if (!st || st.mtimeMs !== recorded.get(rel)) this.changed(st ? rel : parentOf(rel), false);
      }
    }
    this.updateState();
    if (this.dirs.unwatched.size > 0) this.schedulePoll();
  }

  private updateState(): void {
    let state: WatchState = 'watching';
    let reason: string | undefined;
    if (this.failed) {
      state = 'error';
      reason = `${this.failed}; retrying every ${seconds(this.o.rescanEveryMs)}`;
    } else if (this.dirs.unwatched.size > 0) {
      state = 'polling';
      const first = [...this.dirs.unwatched.values()][0]!;
      const why = first.limit ? `the OS limit on watched folders was reached (${first.reason})` : `a folder cannot be watched (${first.reason})`;
      reason = `${why}: ${this.dirs.unwatched.size} folder(s) are rescanned every ${seconds(this.o.rescanEveryMs)} instead`;
    }
    if (state === this.said) return; // said once: the count of folders may change, the state has not
    this.said = state;
    this.reason = reason;
    // A storage that tells of no change is always rescanned on a schedule: nothing to warn of.
    if (state === 'polling' && this.storage) this.o.log.warn({ locationId: this.o.locationId, reason }, 'location falls back to periodic rescans');
    this.o.onState(state, reason);
  }

  /** Folders that could not be watched (or a location that failed) are rescanned every `rescanEveryMs`. */
  private schedulePoll(): void {
    if (this.pollTimer || this.closed) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      if (this.closed) return;
      if (this.failed) {
        this.fullPending = true;
      } else {
        this.syncWatches([''], true); // the limit may have room again
        const unwatched = [...this.dirs.unwatched.keys()];
        const topmost = unwatched.filter((rel) => rel === '' || !this.dirs.unwatched.has(parentOf(rel)));
        for (const rel of topmost) this.pending.set(rel, true);
      }
      if (this.fullPending || this.pending.size > 0) void this.flush();
      if (this.failed || this.dirs.unwatched.size > 0) this.schedulePoll();
    }, this.o.rescanEveryMs);
    this.pollTimer.unref();
  }

  /** Stop watching; a scan under way finishes first. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    clearTimeout(this.pollTimer);
    clearTimeout(this.settleTimer);
    this.settleDue.clear();
    this.dirs.closeAll();
    this.storage?.close();
    await this.scanning;
    this.wakeIdle();
  }
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
