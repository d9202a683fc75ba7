import { lstatSync } from 'node:fs';
import type { Stream } from '@libp2p/interface';
import { basename } from 'node:path';
import { UsageError, VssError } from '../../core/errors.js';
import { placeOf } from '../../files/places.js';
import { CancelledByUser, type JobOutcome, type JobRunContext } from '../../jobs/job-kind.js';
import { isTransient, TryAgainLater } from '../../jobs/transient.js';
import type { Library } from '../../library/library.js';
import { deviceByRef } from '../../browse/library-view.js';
import { parseDeviceAddress } from '../../core/address.js';
import { DROP_MAX_ITEMS } from '../messages/table.js';
import { PeerRefused } from '../net/peer-errors.js';
import type { RemoteDevice } from '../peer-link.js';
import type { PlaceRequest } from './receive.js';
import { deviceWaitNote, waitForDevice, waitForNetwork } from '../network-wait.js';
import { landingDirProblem, landingNameProblem } from '../../files/landing-names.js';
import { sendableFacts } from './plan.js';
import { cancelDrop, DropRefused, sendDrop, type DropItem, type DropSent } from './send.js';
import { checkedMadeFile, checkedSource, openOnce, type DropNetwork, type DropTarget } from './send-job.js';

/*
 * Files of this device's locations landed in a folder of a paired device's location over
 * /vss/drop's `place` (a copy, a move or a protect: ops/transfer/to-device-run.ts runs them),
 * verified there (BLAKE3) and flushed before the receiver confirms each. The target and sources
 * checked before a job is queued, and one offer sent; the job waits (no attempt spent) while the
 * device is away; a cut resumes from the receiver's partials.
 */

/** How often a job waiting for its device looks again: it goes on within this of the device connecting. */
const DEVICE_WAIT_MS = 3_000;
/** How often a job about to offer to a device not connected dials it itself (a sleeping device is not dialled every few seconds). */
const REDIAL_EVERY_MS = 30_000;
/** When each device not connected was last dialled directly by a job about to offer to it (by device uuid). */
const dialledAt = new Map<string, number>();
const OPEN_TIMEOUT_MS = 10_000;
/** Files of a batch looked at at once before it is offered. */
const CHECKS_IN_FLIGHT = 16;

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
  /** A file vss made itself outside every location (a library snapshot): the folder of the library's it lies in, opened inside it; absent: a file of a location. */
  madeIn?: string;
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
  const bookkeeping = landingDirProblem(a.path);
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
  return srcs.map((path) => {
    const st = sendableFacts(lib, path, 'file');
    if (st.isDirectory()) throw new UsageError(`${path} is a folder: to another device, name its files (a folder's tree is not copied across devices yet)`);
    if (!st.isFile()) throw new UsageError(`${path} is not a regular file`);
    const name = basename(path);
    const bad = landingNameProblem(name);
    if (bad) throw new UsageError(`${path} cannot be copied under its name: ${bad}`);
    const other = names.get(name);
    if (other !== undefined) throw new UsageError(`${other} and ${path} have the same name: they would land in one folder`);
    names.set(name, path);
    return { path, name, size: st.size, mtime_ms: Math.floor(st.mtimeMs) };
  });
}

/** One offer to a paired device, as one transfer: files into one folder of one of its locations, or into its inbox (a send). */
export interface PlaceBatch {
  op: 'copy' | 'move';
  transfer: string;
  items: PlaceItem[];
  /** The folder they land in (the `place` message, with the user's --force: past a guard's refusal); absent: the device's inbox, whose names it picks (the `offer` message). */
  into?: PlaceRequest;
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
  const into = b.into;
  if (!net) return { wait: { state: 'wait', reason: `waiting for this daemon's network to reach ${dev.name}`, delayMs: DEVICE_WAIT_MS } };
  const refused = (err: PeerRefused) => new VssError('PEER', err.why === 'not-paired' ? `${dev.name} refused: this device is not paired with it` : `${dev.name} refused: ${err.message}`, { cause: err });
  let dialled: Stream | undefined;
  if (!net.connected().some((r) => r.deviceUuid === dev.device_uuid)) {
    // Not connected: dialled now and then, so a device that refuses this one (it unpaired it) says
    // so at once rather than be waited for; else the job waits (no attempt spent) and looks again,
    // and a device that comes back dials this one itself.
    if (Date.now() - (dialledAt.get(dev.device_uuid) ?? 0) < REDIAL_EVERY_MS) return { wait: waitFor(net, dev, 'not connected') };
    dialledAt.set(dev.device_uuid, Date.now());
    try {
      dialled = await openOnce(net, dev, AbortSignal.any([ctx.signal, AbortSignal.timeout(OPEN_TIMEOUT_MS)]));
    } catch (err) {
      if (err instanceof PeerRefused) throw refused(err);
      if (ctx.signal.aborted) throw err;
      return { wait: waitFor(net, dev, (err as Error).message) };
    }
  }
  const offered = async (it: PlaceItem): Promise<DropItem> => {
    ctx.signal.throwIfAborted();
    try {
      const checked = it.madeIn !== undefined ? await checkedMadeFile(it.madeIn, it.path) : await checkedSource(ctx.lib, it.path);
      return { ...checked, name: it.name, ...(it.blake3 !== undefined ? { blake3: it.blake3 } : {}) };
    } catch (err) {
      // A move cut off after the receiver confirmed a file and its source went: offered as planned, the receiver answers it placed (never opened).
      const root = placeOf(ctx.lib, it.path)?.root.root;
      if (b.op === 'move' && root !== undefined && !lstatSync(it.path, { throwIfNoEntry: false })) {
        return { path: it.path, root, name: it.name, size: it.size, ...(it.mtime_ms !== undefined ? { mtime_ms: it.mtime_ms } : {}), ...(it.blake3 !== undefined ? { blake3: it.blake3 } : {}) };
      }
      if (err instanceof VssError && err.code !== 'IO') throw err;
      throw new VssError('NOT_FOUND', `${it.path} cannot be read: ${(err as Error).message}`, { path: it.path, cause: err });
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
  try {
    await Promise.all(Array.from({ length: Math.min(CHECKS_IN_FLIGHT, b.items.length) }, worker));
  } catch (err) {
    dialled?.abort(err as Error);
    throw err;
  }
  try {
    const open = () => openOnce(net, dev, AbortSignal.any([ctx.signal, AbortSignal.timeout(OPEN_TIMEOUT_MS)]));
    const stream = dialled ?? (await open());
    // An older receiver that must know each BLAKE3 first gets a fresh stream once they are taken.
    const sent = await sendDrop(stream, b.transfer, items, {
      signal: ctx.signal, reopen: open, ...(into ? { into } : {}),
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
    if (err instanceof PeerRefused) throw refused(err);
    if (err instanceof DropRefused) throw err.retry ? new TryAgainLater(err.message, { cause: err }) : err;
    // The device went away: the job waits for it (no attempt spent) and goes on once it connects.
    if (err instanceof VssError && (err.code === 'UNAVAILABLE' || err.code === 'NO_DAEMON')) return { wait: waitFor(net, dev, err.message) };
    // A failure of this side's ends the transfer (the receiver drops its partials now, not days
    // later), unless it is one file's (changed while sent, unreadable): the job leaves that one out
    // and offers the rest again under this transfer's id, which the receiver's journal answers.
    if (!isTransient(err) && !(err instanceof VssError && err.path !== undefined)) await openOnce(net, dev, AbortSignal.timeout(OPEN_TIMEOUT_MS)).then((s) => cancelDrop(s, b.transfer, into)).catch(() => undefined);
    throw err;
  }
}

/** A file placed on DEV as the user names it: `DEVICE:/LOCATION/DIR/NAME`. */
export function placedPath(dev: DropTarget, locationName: string, dir: string, name: string): string {
  return `${dev.name}:/${locationName}/${dir === '' ? '' : `${dir}/`}${name}`;
}

/** The job's wait for DEV (WHY it is not reached): for the network while it comes up, else for the device. */
function waitFor(net: PlaceNetwork, dev: DropTarget, why: string): JobOutcome {
  return waitForNetwork(net, `${dev.name} to connect`) ?? waitForDevice(net, dev.name, deviceWaitNote(dev.name, why), DEVICE_WAIT_MS);
}
