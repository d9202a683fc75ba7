import { UsageError, VssError } from '../core/errors.js';
import type { JobOutcome, JobRunContext } from '../jobs/job-kind.js';
import { MAX_ATTEMPTS } from '../jobs/schedule.js';
import type { JobRow } from '../jobs/states.js';
import { paramsJson } from '../jobs/wait-for-job.js';
import type { Library } from '../library/library.js';
import type { LocationRecord } from '../store/locations.js';
import { kindCaps } from '../storage/storages.js';
import { locationOnline } from '../volumes/location-online.js';
import type { ScrubLocationView, ScrubResult } from '../wire/guardian.js';
import { scrubLocation } from './scrub.js';
import { nextDue, scrubDueAt } from './scrub-schedule.js';
import { readScrubSettings, scrubRateBytes } from './scrub-settings.js';

/** The job kind of `vss guardian scrub` and of the daemon's scheduled scrubs. */
export const GUARDIAN_SCRUB = 'guardian-scrub';

/** A scrub the user asked for: behind what a user waits for (priority 0), ahead of background generation. */
export const SCRUB_ASKED_PRIORITY = 5;
/** A scheduled scrub: behind every kind of generation. */
export const SCRUB_SCHEDULED_PRIORITY = 60;
/**
 * A scrub job runs this long, then gives its slot back (requeued at once, its pass saved): what is
 * queued ahead of it (a user's request, generation) runs first, and a long scrub never meets a
 * job timeout.
 */
export const SCRUB_SLICE_MS = 30_000;
/** A slice ends at a file boundary: one file may take this long beyond it (20 GB at 10 MB/s). */
const TIMEOUT_MS = SCRUB_SLICE_MS + 2 * 3600_000;
const MAX_PARAMS_CHARS = 64 * 1024;

interface ScrubParams {
  locations: number[];
}

export function scrubTimeoutMs(): number {
  return TIMEOUT_MS;
}

/**
 * Queue a scrub of LOCATIONIDS (this device's), or join the one of the same locations under way
 * (a scrub asked again after a kill -9 finds its job and goes on). Keyed by the locations: a job's
 * `content_uuid` holds their uuids, so one open job per set.
 */
export function queueScrub(lib: Library, locationIds: readonly number[], priority: number): JobRow {
  const rows = scrubbedLocations(lib, locationIds);
  const key = `scrub:${rows.map((r) => r.uuid).sort().join(',')}`;
  const bytes = rows.reduce((n, r) => n + r.bytes, 0);
  const jobs = lib.store.jobs;
  return lib.store.immediate(() => {
    jobs.enqueue({ kind: GUARDIAN_SCRUB, contentUuid: key, priority, maxAttempts: MAX_ATTEMPTS, bytes, params: JSON.stringify({ locations: rows.map((r) => r.id) } satisfies ScrubParams) });
    const open = jobs.openOf(GUARDIAN_SCRUB, key)[0];
    if (!open) throw new VssError('IO', 'the scrub could not be queued');
    return open;
  });
}

/**
 * Only a location whose files are here is scrubbed (read at the disk's pace, by its local paths): a
 * bucket's is not, vss only reads it, a pass would download every object (a service may bill each
 * byte), and the service keeps its own checksums of what it stores.
 */
const NOT_SCRUBBED = 'a bucket location, which is not scrubbed (each pass would download every object; the service checks what it stores)';

/** Whether ROW's files are scrubbed: they are on a disk here. */
const scrubbed = (row: Pick<LocationRecord, 'kind'>): boolean => kindCaps(row.kind).localPath;

/** This device's locations IDS (none: all of them but those in a bucket), refused at once when one is not this device's or there are none. */
export function scrubbedLocations(lib: Library, ids: readonly number[]): LocationRecord[] {
  const rows = ids.length > 0
    ? ids.map((id) => {
      const row = lib.store.locations.ofDeviceById(id, lib.deviceId);
      if (!row) throw new VssError('NOT_FOUND', `location ${id} is not one of this device's`);
      if (!scrubbed(row)) throw new UsageError(`location ${id} (${row.path}) is ${NOT_SCRUBBED}`);
      return row;
    })
    : lib.store.locations.ofDevice(lib.deviceId).filter(scrubbed);
  if (rows.length === 0) throw new UsageError('this device has no location to scrub: add one (vss location add PATH)');
  return rows;
}

/**
 * One slice of scrub job JOB: its locations one after the other, each from where its pass stopped,
 * at the device's read rate, for SCRUB_SLICE_MS; then requeued to go on, or completed with what
 * each location's pass found. An offline location is skipped (said in the result).
 */
export async function runScrub(lib: Library, dataDir: string, job: JobRow, ctx: JobRunContext, sliceMs = SCRUB_SLICE_MS): Promise<JobOutcome> {
  const { locations } = paramsOf(job);
  const rate = scrubRateBytes(readScrubSettings(dataDir));
  const until = Date.now() + sliceMs;
  let done = locations.reduce((n, id) => n + (lib.store.scrubs.get(id)?.started_at != null ? lib.store.scrubs.get(id)!.bytes : 0), 0);
  const skipped = new Map<number, string>();
  for (const id of locations) {
    const row = lib.store.scrubs.get(id);
    if (row && row.started_at === null && row.done_at !== null && row.done_at >= job.created_at) continue;
    const place = locationOnline(lib, id);
    if (!place?.online) {
      skipped.set(id, place ? `offline (${place.reason})` : 'no longer a location of this device');
      continue;
    }
    const end = await scrubLocation(lib, id, { rate, signal: ctx.signal, until, onBytes: (n) => ctx.progress((done += n), job.bytes) });
    if (!end.done) return { state: 'wait', reason: 'scrubbing: its slot given back for a moment, it goes on', delayMs: 0 };
  }
  const result = scrubResult(lib, dataDir, locations, skipped);
  const note = `${result.files} files (${result.bytes} bytes) read whole, ${result.rot} rotten`;
  return { state: 'completed', note, result: JSON.stringify(result) };
}

/** What the scrub of LOCATIONS found, each location's last pass. */
export function scrubResult(lib: Library, dataDir: string, locations: readonly number[], skipped: ReadonlyMap<number, string> = new Map()): ScrubResult {
  const every = readScrubSettings(dataDir).every_days;
  const views = locations.flatMap((id): ScrubLocationView[] => {
    const loc = lib.store.locations.ofDeviceById(id, lib.deviceId);
    if (!loc) return [];
    const s = lib.store.scrubs.get(id);
    return [{
      location_id: id, location_uuid: loc.uuid, name: loc.name,
      files: s?.files ?? 0, bytes: s?.bytes ?? 0, rot: s?.rot ?? 0, edited: s?.edited ?? 0,
      done_at: skipped.has(id) ? null : s?.done_at ?? null, due_at: scrubDueAt(loc, s, every), skipped: skipped.get(id) ?? null,
    }];
  });
  return { locations: views, files: sum(views, 'files'), bytes: sum(views, 'bytes'), rot: sum(views, 'rot') };
}

function sum(views: ScrubLocationView[], key: 'files' | 'bytes' | 'rot'): number {
  return views.reduce((n, v) => n + (v.skipped === null ? v[key] : 0), 0);
}

/**
 * The daemon's schedule: queue the scrub of the location most overdue (online, this device's),
 * unless scheduled scrubs are off or a scrub is open already (never two at once). The job queued, or null.
 */
export function queueDueScrub(lib: Library, dataDir: string, now = Date.now()): JobRow | null {
  const every = readScrubSettings(dataDir).every_days;
  if (every <= 0) return null;
  if (lib.store.jobs.openKinds().includes(GUARDIAN_SCRUB)) return null;
  const scrubs = new Map(lib.store.scrubs.all().map((s) => [s.location_id, s]));
  const online = lib.store.locations.ofDevice(lib.deviceId).filter((l) => l.watch_paused === 0 && scrubbed(l) && locationOnline(lib, l.id)?.online === true);
  const due = nextDue(online, scrubs, every, now);
  return due ? queueScrub(lib, [due.id], SCRUB_SCHEDULED_PRIORITY) : null;
}

function paramsOf(job: JobRow): ScrubParams {
  const o = paramsJson(job, MAX_PARAMS_CHARS) as Partial<ScrubParams> | undefined;
  if (!o || !Array.isArray(o.locations) || !o.locations.every((n) => Number.isInteger(n))) throw new VssError('USAGE', `job ${job.id} does not say which locations to scrub`);
  return { locations: o.locations };
}
