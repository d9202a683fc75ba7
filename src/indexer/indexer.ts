import { queueGeneration } from '../jobs/queueing.js';
import { defaultGeneratorSettings } from '../jobs/settings.js';
import type { GeneratorSettings } from '../generators/types.js';
import type { Library } from '../library/library.js';
import { childLog } from '../core/log.js';
import { VssError } from '../core/errors.js';
import { diskSpace } from '../core/disk-space.js';
import { formatBytes } from '../core/format.js';
import { isDiskFull, pathOf } from '../jobs/transient.js';
import { isInside } from '../library/confine.js';
import type { IndexPhase } from '../wire/locations.js';
import { readMediaMetadata } from '../media/read-metadata.js';
import { aggregateDirectories } from './aggregation.js';
import { removeUnseen } from './cleanup.js';
import { releaseOrphanContents } from './release-orphans.js';
import { discover, type DiscoveryCounts } from './discovery.js';
import { discoverDirs, type ChangedDir } from './discover-dirs.js';
import { FINDERS } from './finders.js';
import { findStacks } from '../stacks/find-stacks.js';
import { identifyContents, type SettleRule } from './identification.js';
import { ScanThreads } from './scan-threads.js';
import { LEFTOVER_RULES } from '../storage/ignore-rules.js';
import { realPlaceOf } from '../storage/local-disk.js';
import { storageOf } from '../storage/storages.js';
import type { LocationStorage } from '../storage/port.js';
import type { KnownBytes } from './identification.js';
import { recordLanded, type Landed } from './landed.js';
import { SeenSet } from './seen-set.js';
import { HeldFiles } from './held-files.js';
import type { FoundKind } from '../sidecars/kinds.js';
import type { LocationRecord } from '../store/locations.js';
import { SkipList, type IndexResult } from './types.js';

const log = childLog('indexer');

/** What a scan needs of its location's row. */
export type ScannedLocation = Pick<LocationRecord, 'id' | 'path' | 'index_mode' | 'ignore_rules'>;

/**
 * Index one location: discovery and processing → cleanup of what is gone → aggregation →
 * content identification (content and deep modes) → media metadata and the finders of files
 * beside the originals (Live Photo movies, XMP files: deep mode). Each phase commits as it goes;
 * a killed run leaves a consistent library and the next run completes the work.
 */
export interface IndexOptions {
  /** What this device's generators can use; deep mode queues sidecar jobs with it (default: no models). */
  generation?: GeneratorSettings;
  /** List only these folders (and walk what is new or moved there) instead of the whole location: what a watcher saw change. */
  only?: readonly ChangedDir[];
  /** The one folder a person asked to rescan alone (its subtree is `only`), said in the result. */
  folder?: string;
  /**
   * Remove content identities no entry refers to any more (default true). The watcher defers it:
   * a file moved out in one batch and back in the next must find its content and sidecars.
   */
  removeOrphans?: boolean;
  /** Leave files still being written unidentified (the watcher's rule; see SettleRule). */
  settle?: SettleRule;
  /**
   * Read every file again, even those whose size, time and inode say they are unchanged: hash it
   * (its content is what its bytes are now) and, in deep mode, read its media metadata again.
   */
  force?: boolean;
  /**
   * Files whose bytes the caller has just verified (a file operation's copies), by absolute path:
   * such a file, unchanged since (size, time, inode), is linked to the content its BLAKE3 names
   * without being read again, when that content is known already.
   */
  known?: ReadonlyMap<string, KnownBytes>;
  /**
   * Files a file operation just placed and verified, and the folders it made (landed.ts): their
   * rows written from what the operation knows of them, not by listing their folders; with
   * `only`, the folders to list besides (those landed.ts leaves to a listing are added to them).
   */
  landed?: Landed;
  /**
   * Whether the location is still there (its drive still mounted at the same place): asked before
   * anything is removed. An unplugged drive leaves an empty folder behind, and a scan that went on
   * would take every file for deleted.
   */
  present?: () => boolean;
}

export async function indexLocation(lib: Library, location: ScannedLocation, opts: IndexOptions = {}): Promise<IndexResult> {
  const started = Date.now();
  const { store, events } = lib;
  const locationId = location.id;
  const skipped = new SkipList();
  // Built by the location's recorded kind; a bucket's holds a client for the scan, closed after it.
  const storage = storageOf(lib, locationId);
  // The phases name a file by its path in the location ('' for the location itself: a bucket's
  // object may be named '.', and is not its location); users and scripts get it as the storage
  // shows it, absolute, as every path vss prints (a bucket's as its key is stored).
  const onSkip = (rel: string, reason: string) => {
    const path = rel === '' ? location.path : storage.shown(rel);
    skipped.add(path, reason);
    log.warn({ locationId, path, reason }, 'skipped');
    events.emit('index:skipped', { locationId, path, reason });
  };
  // Started by discovery once it has listed enough new files (ScanThreads).
  const threads = new ScanThreads(lib.db);
  let phase: IndexPhase = 'discovery';
  const following = events.on('index:phase', (p) => { if (p.locationId === locationId) phase = p.phase; });
  try {
    const rootId = store.entries.rootOf(locationId);
    if (rootId === undefined) throw new Error(`location ${locationId} has no root entry`);
    const previous = store.locations.byId(locationId);
    if (!previous) throw new Error(`no location ${locationId}`);
    store.locations.markScanning(locationId, started);

    // Later rules win: a library's or location's negation can index a leftover after all.
    const rules = [...LEFTOVER_RULES, ...lib.config.settings.ignore, ...parseRules(location.ignore_rules)];
    return await indexWith(lib, location, opts, storage, { started, rootId, previous, rules, onSkip, skipped, threads });
  } catch (err) {
    throw isDiskFull(err) ? stoppedFull(lib, location, phase, err) : err;
  } finally {
    following();
    storage.close();
    await threads.close();
  }
}

/** What a scan was doing in each phase, as a person says it. */
const DOING: Record<IndexPhase, string> = {
  discovery: 'listing its files', cleanup: 'forgetting the files gone', aggregation: 'adding up its folders',
  content: 'identifying contents', media: 'reading media metadata', queue: 'queueing thumbnails and other sidecars',
};

/**
 * A scan stopped by a full disk (SQLite's 'database or disk is full', most often: the library's
 * database grows as it indexes), said as a person acts on it: which disk, what is kept (each phase
 * commits as it goes), and the way on. The location is left to be scanned again, if the disk lets
 * that be written.
 */
function stoppedFull(lib: Library, location: ScannedLocation, phase: IndexPhase, err: unknown): VssError {
  const { store } = lib;
  let kept = 'what it had written is kept';
  try {
    store.locations.markScanPending(location.id);
    const listed = store.entries.count(location.id) - 1;
    kept = listed > 0 ? `what it had written is kept (${listed} files and folders listed, ${store.entries.contentCount(location.id)} contents identified)` : 'it had written nothing yet';
  } catch {
    // Too full even for that: the counts are left out, the rows as they were.
  }
  // The library's database, unless the error names a file elsewhere.
  const failed = pathOf(err);
  const path = failed !== undefined && !isInside(lib.root, failed) ? failed : lib.root;
  const space = diskSpace(path);
  return new VssError('IO', `the disk holding ${path} is full (${formatBytes(space.freeBytes)} free of ${formatBytes(space.totalBytes)}): the scan of location ${location.id} (${location.path}) stopped while ${DOING[phase]}; ${kept}. Make room on that disk, then \`vss location rescan ${location.id}\` goes on from there`, { path, cause: err });
}

async function indexWith(lib: Library, location: ScannedLocation, opts: IndexOptions, storage: LocationStorage, ctx: ScanStart): Promise<IndexResult> {
  const { started, rootId, previous, rules, onSkip, skipped, threads } = ctx;
  const { store, events } = lib;
  const locationId = location.id;
  const exclude = [lib.root, ...realPlaceOf(lib.root)];

  events.emit('index:phase', { locationId, phase: 'discovery' });
  const seen = new SeenSet();
  // A first scan that identifies by local paths writes its small files' rows once, as they are
  // read (held-files.ts); a watcher's, a forced or a file operation's scan keeps to the rows.
  const held = location.index_mode !== 'shallow' && storage.local && !opts.only && !opts.landed && !opts.known && !opts.settle && !opts.force
    ? new HeldFiles() : undefined;
  const writer = store.batchWriter(20_000, 1000);
  let counts: DiscoveryCounts;
  // Rows a full walk did not confirm in their folder's listing; when none, cleanup has nothing to look for.
  let unconfirmed = -1;
  let removed: { files: number; rows: number } | undefined;
  // What a file operation's rows written from its facts added, and how many of its files were linked as they were.
  let landedAdded: DiscoveryCounts | undefined;
  let linked = 0;
  try {
    // Folders listed alone are listed at once (a storage that answers by requests is walked whole:
    // it tells of no change, so nothing names folders in it alone).
    const local = storage.local;
    let only = opts.only;
    if (opts.landed && local) {
      const { landed } = opts;
      const wrote = store.transaction(() => recordLanded({
        store, locationId, local, rootEntryId: rootId, landed, ignoreRules: rules, exclude, seen, hashThresholdBytes: lib.config.settings.hashThresholdBytes,
      }));
      landedAdded = wrote.counts;
      linked = wrote.linked;
      if (only) only = [...only, ...wrote.relist.map((rel) => ({ rel, subtree: false }))];
    }
    if (only && local) {
      const found = await discoverDirs({
        store, writer, locationId, storage, local, rootEntryId: rootId, dirs: only,
        ignoreRules: rules, exclude, seen, onSkip, ...(opts.present ? { present: opts.present } : {}),
      });
      counts = found;
      removed = { files: found.removedFiles, rows: found.removedRows };
    } else {
      ({ unconfirmed, ...counts } = await discover({
        store, locationId, writer, storage, rootEntryId: rootId,
        ignoreRules: rules, exclude, seen, onSkip, threaded: process.env.VSS_WALK_THREADED !== '0', lastEntries: previous.files + previous.dirs, ...(held ? { held } : {}),
        onProgress: (c) => {
          threads.startFor(c.added, location.index_mode !== 'shallow' && local !== null);
          events.emit('index:progress', { locationId, phase: 'discovery', files: c.files, dirs: c.dirs, bytes: c.bytes });
        },
      }));
    }
    if (opts.present && !opts.present()) {
      throw new VssError('UNAVAILABLE', `location ${locationId} went offline during the scan (its drive was unplugged?); nothing was removed`, { path: location.path });
    }
  } catch (err) {
    // Listings gathered and not yet applied are dropped (those applied stay: the cleanup that
    // would act on them is not reached).
    writer.discard();
    // Its next scan (once the drive is back) aggregates again: what this one wrote is partial.
    if (opts.present) store.locations.markScanPending(locationId);
    throw err;
  }

  // Rows written from a file operation's facts are new rows too (a listing after them found them as they are).
  if (landedAdded) counts = { ...counts, added: counts.added + landedAdded.added };
  events.emit('index:phase', { locationId, phase: 'cleanup' });
  removed ??= unconfirmed === 0 ? { files: 0, rows: 0 } : removeUnseen(store, locationId, seen);

  // After a complete scan that found nothing new, every folder's figures are still right.
  const unchanged = previous.scan_state === 'complete' && counts.added + counts.changed + counts.moved + removed.rows === 0;
  let totals = { files: previous.files, dirs: previous.dirs, bytes: previous.bytes };
  const aggregate = () => {
    events.emit('index:phase', { locationId, phase: 'aggregation' });
    totals = aggregateDirectories(store, locationId);
    store.locations.setTotals(locationId, totals);
  };
  // Files held back are rows only once read: their folders are added up after that.
  const holding = held !== undefined && held.files.length > 0;
  if (holding) totals = { files: counts.files, dirs: counts.dirs, bytes: counts.bytes };
  else if (!unchanged) aggregate();

  let hashed = 0;
  let relinked = 0;
  if (location.index_mode !== 'shallow') {
    events.emit('index:phase', { locationId, phase: 'content' });
    ({ hashed, relinked } = await identifyContents({
      store, locationId, storage, hashThresholdBytes: lib.config.settings.hashThresholdBytes, onSkip,
      settle: opts.settle, force: opts.force === true, ...(opts.known ? { known: opts.known } : {}), threads, ...(holding ? { held } : {}),
      onProgress: (p) => events.emit('index:progress', { locationId, phase: 'content', ...totals, ...p }),
    }));
  }
  if (holding) {
    // Every held file has its row now: their folders' listings are whole again.
    store.transaction(() => { for (const [dirId, digest] of held.digests) store.entries.keepListing(dirId, digest); });
    aggregate();
  }
  // Even a scan that changed nothing: what another step orphaned and did not release (a conversion
  // killed before its release) is released by the next scan (test/integration/converted-movie-release).
  if (opts.removeOrphans !== false) releaseOrphanContents(lib);

  let media: { media_read: number; live_photos: number; xmp_sidecars: number; xmp_read: number } | undefined;
  let queueing: Pick<IndexResult, 'sidecars_pending' | 'jobs_queued' | 'unavailable'> | undefined;
  // A watched batch that identified nothing new (a rename, a deletion) has nothing new to queue.
  const mayQueue = !opts.only || hashed + linked > 0;
  // Media metadata and the files beside the originals (XMP, Live Photo movies) are read by tools
  // from local paths: a storage without them (a bucket's) would have every object fetched whole
  // for it; its sidecars are made from streamed reads.
  if (location.index_mode === 'deep' && !storage.caps.localPath) {
    if (mayQueue) queueing = queueFor(lib, locationId, opts, started);
  } else if (location.index_mode === 'deep') {
    events.emit('index:phase', { locationId, phase: 'media' });
    const { read } = await readMediaMetadata({
      store, locationId, rootAbs: location.path, onSkip, force: opts.force === true,
      onProgress: (p) => events.emit('index:progress', { locationId, phase: 'media', ...totals, ...p }),
    });
    // The finders look only in folders changed since they last looked (metadata just read numbered
    // its folders too); a forced scan looks everywhere. What changes from here on is the next scan's.
    const lookedUpTo = store.syncMeta.seq();
    const since = opts.force ? null : store.locations.byId(locationId)?.media_seq ?? null;
    const changedSince = since === null ? {} : { changedSince: since };
    // Each finder commits its own work (the XMP one a folder's records and tags at a time).
    const found: Partial<Record<FoundKind, number>> = {};
    for (const finder of Object.values(FINDERS)) found[finder.kind] = (await finder.find({ lib, locationId, onSkip, ...changedSince })).read;
    // Stacks after the finders: a RAW's JPEG and a burst's frames, from the metadata just read (issue 45).
    findStacks(lib, locationId, since ?? undefined);
    store.locations.setMediaSeq(locationId, lookedUpTo);
    // The location's totals, not only what the changed folders held.
    media = {
      media_read: read, xmp_read: found.xmp ?? 0,
      live_photos: store.sidecars.readyOfLocation(locationId, 'live_photo_video'), xmp_sidecars: store.sidecars.readyOfLocation(locationId, 'xmp'),
    };
    if (mayQueue) queueing = queueFor(lib, locationId, opts, started);
  }

  const finished = Date.now();
  // Part of a location listed again completes only what was complete before.
  const state = opts.only && previous.scan_state !== 'complete' ? previous.scan_state : 'complete';
  store.locations.markScanned(locationId, state, finished);
  const contents = store.entries.contentCount(locationId);
  events.emit('index:done', { locationId, durationMs: finished - started });
  return {
    location_id: locationId,
    ...(opts.folder !== undefined ? { folder: opts.folder } : {}),
    scanned_files: counts.files,
    files: totals.files,
    dirs: totals.dirs,
    bytes: totals.bytes,
    contents,
    duration_ms: finished - started,
    added: counts.added,
    changed: counts.changed,
    moved: counts.moved,
    removed: removed.files,
    hashed,
    skipped: skipped.items,
    skipped_total: skipped.total,
    ...media,
    ...queueing,
  };
}

/** Deep mode's sidecar jobs for what the scan found. */
function queueFor(lib: Library, locationId: number, opts: IndexOptions, started: number): Pick<IndexResult, 'sidecars_pending' | 'jobs_queued' | 'unavailable'> {
  lib.events.emit('index:phase', { locationId, phase: 'queue' });
  // A watched batch queues for the contents of the entries it wrote, not for the whole location again.
  const contentIds = opts.only ? lib.store.entries.contentsWrittenSince(locationId, started) : undefined;
  const q = queueGeneration(lib, { locationId, settings: opts.generation ?? defaultGeneratorSettings(lib), ...(contentIds ? { contentIds } : {}) });
  return { sidecars_pending: q.pending, jobs_queued: q.queued, unavailable: q.unavailable };
}

/** What `indexLocation` settled before its phases. */
interface ScanStart {
  started: number;
  rootId: number;
  previous: LocationRecord;
  rules: string[];
  onSkip: (rel: string, reason: string) => void;
  skipped: SkipList;
  threads: ScanThreads;
}

function parseRules(json: string): string[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((r): r is string => typeof r === 'string') : [];
  } catch {
    return [];
  }
}
