import { queueUserJob } from '../../jobs/user-job.js';
import { randomUUID } from 'node:crypto';
import { lstatSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { UsageError, VssError } from '../../core/errors.js';
import { isOnConflict, type FileOpResult, type OnConflict } from '../../files/file-op.js';
import { placeOf } from '../../files/places.js';
import { releaseOrphanContents } from '../../indexer/release-orphans.js';
import { CancelledByUser, type JobOutcome, type JobRunContext } from '../../jobs/job-kind.js';
import type { JobRow } from '../../jobs/states.js';
import { isTransient, TryAgainLater } from '../../jobs/transient.js';
import { paramsJson } from '../../jobs/wait-for-job.js';
import { PathRefusedError } from '../../library/confine.js';
import type { Library } from '../../library/library.js';
import { scanLocation } from '../../locations/locations.js';
import { deviceByRef } from '../../browse/library-view.js';
import { parseDeviceAddress } from '../../core/address.js';
import { DROP_MAX_ITEMS } from '../messages/table.js';
import { PeerRefused } from '../net/peer-node.js';
import type { RemoteDevice } from '../peer-link.js';
import { waitForNetwork } from '../network-wait.js';
import { dropDirProblem, dropNameProblem } from './names.js';
import { sendable } from './plan.js';
import { cancelDrop, DropRefused, sendDrop, type DropItem, type DropSent } from './send.js';
import { checkedSource, openOnce, sendTimeoutMs, type DropNetwork, type DropTarget } from './send-job.js';

/*
 * `vss files copy|move SRC… DEVICE:/LOCATION/PATH` (issue 30, item 3): files of this device's
 * locations landed in a folder of a paired device's location over /vss/drop's `place`, verified
 * there (BLAKE3) and flushed before the receiver confirms each; a move removes a source only once
 * its copy is confirmed. A durable job: it waits (no attempt spent) while the device is away and
 * goes on when it connects; a cut resumes from the receiver's partials.
 */

export const FILES_COPY_TO_DEVICE = 'files-copy-to-device';
export const FILES_MOVE_TO_DEVICE = 'files-move-to-device';

/** Tries before it fails for good on errors that are not the device being away (that only waits). */
const MAX_ATTEMPTS = 8;
/** How often a job waiting for its device looks again: it goes on within this of the device connecting. */
const DEVICE_WAIT_MS = 3_000;
/** How often a waiting job asks the node to dial the paired devices (a sleeping device is not dialled every few seconds). */
const REDIAL_EVERY_MS = 30_000;
/** When each device was last dialled for a waiting job (by device uuid). */
const redialedAt = new Map<string, number>();
const OPEN_TIMEOUT_MS = 10_000;
/** Files of a batch looked at at once before it is offered. */
const CHECKS_IN_FLIGHT = 16;
const MAX_PARAMS_CHARS = 1024 * 1024;

/** The daemon's network as the job uses it: who is connected, streams to them, dials. */
export interface PlaceNetwork extends DropNetwork {
  connected(): readonly RemoteDevice[];
}

/** One file as planned: where it is here, its name there, and its size and time then (a move resumed after its source went is offered by them). */
export interface PlaceItem {
  path: string;
  name: string;
  size: number;
  mtime_ms?: number;
  /** The BLAKE3 its bytes must hash to (a protect's: its content's), offered with it so the receiver keeps nothing else; absent: hashed as it is sent. */
  blake3?: string;
}

/** A copy or move to a device as queued (the job's `params`). */
export interface PlaceParams {
  op: 'copy' | 'move';
  device: string;
  library: string;
  location: string;
  /** The location's name and the folder in it, for what the user reads. */
  location_name: string;
  dir: string;
  on_conflict: OnConflict;
  /** Asked with --force: the receiver weighs its own guard with it (a replace there it would refuse otherwise). */
  force?: boolean;
  transfer: string;
  items: PlaceItem[];
}

/** Where a copy or move to a device goes, resolved from `DEVICE:/LOCATION/PATH`. */
export interface PlaceTarget {
  device: DropTarget;
  location: string;
  locationName: string;
  dir: string;
}

/**
 * TARGET (`DEVICE:/LOCATION[/PATH]`) resolved as `ls` resolves it: a paired device of the library
 * (by name or id, PAIRED), one of its locations by name or id, PATH a folder in it (made there
 * when missing). This device, or a location it does not announce, is refused.
 */
export function placeTarget(lib: Library, target: string, paired: (deviceUuid: string) => DropTarget | undefined): PlaceTarget {
  const a = parseDeviceAddress(target);
  if (a.device === undefined || a.location === undefined) throw new UsageError(`${JSON.stringify(target)}: give the destination as DEVICE:/LOCATION[/PATH]`);
  // Said here rather than by the receiver's refusal after the job is queued.
  const bookkeeping = dropDirProblem(a.path);
  if (bookkeeping) throw new UsageError(`${JSON.stringify(target)}: ${bookkeeping}`);
  const d = deviceByRef(lib, a.device);
  if (d.uuid === lib.device.uuid) throw new UsageError(`${a.device} is this device: give the destination as a path here`);
  const dev = paired(d.uuid);
  if (!dev) throw new VssError('NOT_FOUND', `${d.name} is not paired with this device`);
  const locs = lib.store.peerLocations.ofDevice(d.uuid).filter((l) => l.name === a.location || String(l.location_id) === a.location);
  if (locs.length > 1) throw new UsageError(`${d.name} has ${locs.length} locations named ${JSON.stringify(a.location)}: give one by its id`);
  const loc = locs[0];
  if (!loc) throw new VssError('NOT_FOUND', `${d.name} has no location ${JSON.stringify(a.location)} (\`vss ls ${a.device}:\` lists them)`);
  return { device: dev, location: loc.uuid, locationName: loc.name, dir: a.path };
}

/** SRCS checked as files vss may send (in a location of this device, regular files, names a receiver takes, no two alike). */
export function placeItems(lib: Library, srcs: readonly string[]): PlaceItem[] {
  if (srcs.length === 0) throw new UsageError('name at least one file to copy');
  if (srcs.length > DROP_MAX_ITEMS) throw new UsageError(`at most ${DROP_MAX_ITEMS} files go to another device at once`);
  const names = new Map<string, string>();
  return srcs.map((src) => {
    const path = sendable(lib, src);
    const st = lstatSync(path, { throwIfNoEntry: false });
    if (!st) throw new VssError('NOT_FOUND', `${src}: no such file`, { path });
    if (st.isSymbolicLink()) throw new PathRefusedError(path, 'is a symlink: vss never follows one');
    if (st.isDirectory()) throw new UsageError(`${src} is a folder: to another device, name its files (a folder's tree is not copied across devices yet)`);
    if (!st.isFile()) throw new UsageError(`${src} is not a regular file`);
    const name = basename(path);
    const bad = dropNameProblem(name);
    if (bad) throw new UsageError(`${path} cannot be copied under its name: ${bad}`);
    const other = names.get(name);
    if (other !== undefined) throw new UsageError(`${other} and ${path} have the same name: they would land in one folder`);
    names.set(name, path);
    return { path, name, size: st.size, mtime_ms: Math.floor(st.mtimeMs) };
  });
}

/** The job's `params`, checked before it is queued. */
export function placeParams(op: 'copy' | 'move', lib: Library, target: PlaceTarget, items: PlaceItem[], onConflict: string, force = false): string {
  if (!isOnConflict(onConflict)) throw new UsageError(`--on-conflict must be skip, keep-both or replace`);
  const p: PlaceParams = {
    op, device: target.device.device_uuid, library: lib.config.id, location: target.location, location_name: target.locationName,
    dir: target.dir, on_conflict: onConflict, ...(force ? { force } : {}), transfer: randomUUID(), items,
  };
  const text = JSON.stringify(p);
  if (text.length > MAX_PARAMS_CHARS) throw new UsageError('too many files (or too long paths) at once: copy fewer');
  return text;
}

export function queuePlace(lib: Library, op: 'copy' | 'move', params: string, bytes: number): JobRow {
  const kind = op === 'copy' ? FILES_COPY_TO_DEVICE : FILES_MOVE_TO_DEVICE;
  return queueUserJob(lib, { kind, maxAttempts: MAX_ATTEMPTS, bytes, params }, `the ${op}`);
}

export const placeTimeoutMs = sendTimeoutMs;

/** One offer of a place: files into one folder of one location of a paired device, as one transfer. */
export interface PlaceBatch {
  op: 'copy' | 'move';
  library: string;
  location: string;
  dir: string;
  on_conflict: OnConflict;
  /** Said to the receiver (the place message's FORCE): the user asked to go past a guard's refusal. */
  force?: boolean;
  transfer: string;
  items: PlaceItem[];
}

/** What a batch sent: its items as offered, and the receiver's answers. */
export interface PlacedBatch {
  items: DropItem[];
  sent: DropSent;
}

/**
 * Offer BATCH to DEV over NET and send its bytes (a copy or move to a device, or a protect's
 * batch): the job's wait (no attempt spent) while DEV is not reached, else what the receiver
 * confirmed. ONBYTES hears of bytes as they go; ONSAVED of each file once the receiver confirmed it
 * verified and flushed. A cancel tells the receiver, which drops its partials; a refusal is the
 * receiver's reason, tried again only where it says so.
 */
export async function placeBatch(
  net: PlaceNetwork | undefined, dev: DropTarget, b: PlaceBatch, ctx: JobRunContext,
  hooks: { onBytes?: (n: number) => void; onSaved?: (item: DropItem, name: string, skipped: boolean) => Promise<void> } = {},
): Promise<{ wait: JobOutcome } | PlacedBatch> {
  const into = { library: b.library, location: b.location, dir: b.dir, onConflict: b.on_conflict, force: b.force === true };
  if (!net) return { wait: { state: 'wait', reason: `waiting for this daemon's network to reach ${dev.name}`, delayMs: DEVICE_WAIT_MS } };
  // Not connected: the job waits (no attempt spent) and looks again; the node dials now and then,
  // and a device that comes back dials this one itself.
  if (!net.connected().some((r) => r.deviceUuid === dev.device_uuid)) return { wait: waitFor(net, dev, 'not connected') };
  const offered = async (it: PlaceItem): Promise<DropItem> => {
    ctx.signal.throwIfAborted();
    try {
      return { ...(await checkedSource(ctx.lib, it.path)), name: it.name, ...(it.blake3 !== undefined ? { blake3: it.blake3 } : {}) };
    } catch (err) {
      // A move cut off after the receiver confirmed a file and its source went: offered as planned, the receiver answers it placed (never opened).
      const root = placeOf(ctx.lib, it.path)?.root.root;
      if (b.op === 'move' && root !== undefined && !lstatSync(it.path, { throwIfNoEntry: false })) {
        return { path: it.path, root, name: it.name, size: it.size, ...(it.mtime_ms !== undefined ? { mtime_ms: it.mtime_ms } : {}), ...(it.blake3 !== undefined ? { blake3: it.blake3 } : {}) };
      }
      if (err instanceof VssError && err.code !== 'IO') throw err;
      throw new VssError('NOT_FOUND', `${it.path} cannot be read to copy: ${(err as Error).message}`, { path: it.path, cause: err });
    }
  };
  // A few files looked at at once: each is an open, a stat and a close in the thread pool, one after the other a batch's wait.
  const items: DropItem[] = new Array(b.items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < b.items.length) {
      const i = next++;
      items[i] = await offered(b.items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CHECKS_IN_FLIGHT, b.items.length) }, worker));
  try {
    const stream = await openOnce(net, dev, AbortSignal.any([ctx.signal, AbortSignal.timeout(OPEN_TIMEOUT_MS)]));
    const sent = await sendDrop(stream, b.transfer, items, {
      signal: ctx.signal, into,
      ...(hooks.onBytes ? { onBytes: hooks.onBytes } : {}),
      ...(hooks.onSaved ? { onSaved: (i: number, name: string, skipped: boolean) => hooks.onSaved!(items[i]!, name, skipped) } : {}),
    });
    return { items, sent };
  } catch (err) {
    if (ctx.signal.reason instanceof CancelledByUser) {
      await openOnce(net, dev, AbortSignal.timeout(OPEN_TIMEOUT_MS)).then((s) => cancelDrop(s, b.transfer, into)).catch(() => undefined);
      throw err;
    }
    if (ctx.signal.aborted) throw err;
    if (err instanceof PeerRefused) throw new VssError('PEER', err.why === 'not-paired' ? `${dev.name} refused: this device is not paired with it` : `${dev.name} refused: ${err.message}`, { cause: err });
    if (err instanceof DropRefused) throw err.retry ? new TryAgainLater(err.message, { cause: err }) : err;
    // The device went away: the job waits for it (no attempt spent) and goes on once it connects.
    if (err instanceof VssError && (err.code === 'UNAVAILABLE' || err.code === 'NO_DAEMON')) return { wait: waitFor(net, dev, err.message) };
    // A failure of this side's (a file changed while sent) ends the transfer: the receiver drops its partials now, not days later.
    if (!isTransient(err)) await openOnce(net, dev, AbortSignal.timeout(OPEN_TIMEOUT_MS)).then((s) => cancelDrop(s, b.transfer, into)).catch(() => undefined);
    throw err;
  }
}

/**
 * Run a copy or move to a device (the `run` of its job kind): its one batch placed; a move
 * removes each source once its copy is confirmed, and this device's index follows.
 */
export async function runPlace(network: () => PlaceNetwork | undefined, target: (deviceUuid: string) => DropTarget | undefined, job: JobRow, ctx: JobRunContext): Promise<JobOutcome> {
  const p = paramsOf(job);
  const dev = target(p.device);
  if (!dev) throw new VssError('NOT_FOUND', `device ${p.device} is not paired with this one any more`);
  const total = p.items.reduce((n, it) => n + it.size, 0);
  let done = 0;
  const removed: string[] = [];
  try {
    const out = await placeBatch(network(), dev, p, ctx, {
      onBytes: (n) => { done += n; ctx.progress(done, total); },
      // The receiver confirms a file once it is verified and flushed there: only then may its source go.
      onSaved: async (it, _name, skipped) => {
        if (p.op !== 'move' || skipped || !lstatSync(it.path, { throwIfNoEntry: false })) return;
        await removeSource(it);
        removed.push(it.path);
      },
    });
    if (removed.length > 0) await reindexSources(ctx.lib, removed.splice(0));
    if ('wait' in out) return out.wait;
    const { items, sent } = out;
    const result: FileOpResult = {
      op: p.op, items: items.length, done: items.length - sent.skipped.size, skipped: sent.skipped.size, folders: 0,
      bytes: items.reduce((n, it, i) => n + (sent.skipped.has(i) ? 0 : it.size), 0),
      paths: sent.saved.filter((_, i) => !sent.skipped.has(i)).slice(0, 100).map((name) => placedPath(dev, p.location_name, p.dir, name)),
      skipped_items: [...sent.skipped].slice(0, 100).map((i) => ({ path: items[i]!.path, reason: `${sent.saved[i]} is there already (--on-conflict skip)` })),
      not_kept: [], outside_library: false,
    };
    return { state: 'completed', note: `${result.done} file${result.done === 1 ? '' : 's'} ${p.op === 'copy' ? 'copied' : 'moved'} to ${dev.name}`, result: JSON.stringify(result) };
  } catch (err) {
    if (removed.length > 0) await reindexSources(ctx.lib, removed).catch(() => undefined);
    throw err;
  }
}

/** A file placed on DEV as the user names it: `DEVICE:/LOCATION/DIR/NAME`. */
export function placedPath(dev: DropTarget, locationName: string, dir: string, name: string): string {
  return `${dev.name}:/${locationName}/${dir === '' ? '' : `${dir}/`}${name}`;
}

/** The job's wait for DEV (WHY it is not reached), with a dial of the paired devices at most every REDIAL_EVERY_MS. */
function waitFor(net: PlaceNetwork, dev: DropTarget, why: string): JobOutcome {
  const now = Date.now();
  if (now - (redialedAt.get(dev.device_uuid) ?? 0) >= REDIAL_EVERY_MS) {
    redialedAt.set(dev.device_uuid, now);
    net.redial?.();
  }
  return waitForNetwork(net, `${dev.name} to connect`) ?? { state: 'wait', reason: `waiting for ${dev.name} to connect (${why.slice(0, 200)})`, delayMs: DEVICE_WAIT_MS };
}

/** IT's source, removed only when it is still the file that was sent (its size and time then). */
async function removeSource(it: DropItem): Promise<void> {
  const st = lstatSync(it.path, { throwIfNoEntry: false });
  if (!st?.isFile() || st.size !== it.size || (it.mtime_ms !== undefined && Math.floor(st.mtimeMs) !== it.mtime_ms)) {
    throw new VssError('IO', `${it.path} changed after it was copied: it is kept (its copy on the other device is verified)`, { path: it.path });
  }
  await rm(it.path);
}

/** This device's index in line with the sources a move removed: their folders listed again. */
async function reindexSources(lib: Library, paths: readonly string[]): Promise<void> {
  const byLocation = new Map<number, Set<string>>();
  for (const path of paths) {
    const place = placeOf(lib, dirname(path));
    if (!place) continue;
    let set = byLocation.get(place.locationId);
    if (!set) byLocation.set(place.locationId, (set = new Set()));
    set.add(place.rel);
  }
  for (const [loc, dirs] of byLocation) await scanLocation(lib, loc, undefined, { only: [...dirs].map((rel) => ({ rel, subtree: false })), removeOrphans: false });
  releaseOrphanContents(lib);
}

function paramsOf(job: JobRow): PlaceParams {
  const o = paramsJson(job, MAX_PARAMS_CHARS) as Partial<PlaceParams> | undefined;
  const ok = o && (o.op === 'copy' || o.op === 'move') && typeof o.device === 'string' && typeof o.library === 'string' && typeof o.location === 'string'
    && typeof o.dir === 'string' && typeof o.transfer === 'string' && isOnConflict(o.on_conflict) && (o.force === undefined || typeof o.force === 'boolean') && Array.isArray(o.items) && o.items.length > 0 && o.items.length <= DROP_MAX_ITEMS
    && o.items.every((it) => typeof it?.path === 'string' && typeof it.name === 'string' && Number.isSafeInteger(it.size));
  if (!ok) throw new VssError('USAGE', `job ${job.id} does not say what to copy where`);
  return o as PlaceParams;
}
