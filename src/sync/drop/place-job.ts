import { basename } from 'node:path';
import { UsageError, VssError } from '../../core/errors.js';
import type { JobOutcome } from '../../jobs/job-kind.js';
import type { Library } from '../../library/library.js';
import { deviceByRef } from '../../browse/library-view.js';
import { parseDeviceAddress } from '../../core/address.js';
import { DROP_MAX_ITEMS } from '../messages/table.js';
import { deviceWaitNote, waitForDevice } from '../network-wait.js';
import { landingDirProblem, landingNameProblem } from '../../files/landing-names.js';
import { sendableFacts } from './plan.js';
import type { DropNetwork, DropTarget } from './send-job.js';

/*
 * Files of this device's locations landed in a folder of a paired device's location over
 * /vss/drop's `place` (a copy, a move or a protect: ops/transfer/to-device-run.ts runs them,
 * its device target, run/device-target.ts, makes each offer), verified there (BLAKE3) and flushed
 * before the receiver confirms each. The target and sources checked before a job is queued; the
 * job waits (no attempt spent) while the device is away; a cut resumes from the receiver's partials.
 */

/** How often a job waiting for its device looks again: it goes on within this of the device connecting. */
export const DEVICE_WAIT_MS = 3_000;

/** One file as planned: where it is here, its name there, and its size and time then (a move resumed after its source went is offered by them). */
export interface PlaceItem {
  path: string;
  name: string;
  size: number;
  mtime_ms?: number;
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

/** A file placed on DEV as the user names it: `DEVICE:/LOCATION/DIR/NAME`. */
export function placedPath(dev: DropTarget, locationName: string, dir: string, name: string): string {
  return `${dev.name}:/${locationName}/${dir === '' ? '' : `${dir}/`}${name}`;
}

/**
 * The job's wait for DEV (WHY it is not reached), named for the device, also while this daemon's
 * network has only just come up (the device is dialled at each look then): the device may have
 * been connected and left, and "this device's network" would name the wrong thing for 30 s.
 */
export function waitFor(net: DropNetwork, dev: DropTarget, why: string): JobOutcome {
  return waitForDevice(net, dev.name, deviceWaitNote(dev.name, why), DEVICE_WAIT_MS);
}
