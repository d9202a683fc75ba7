import { UsageError, VssError } from '../../core/errors.js';
import { DEFAULT_ON_CONFLICT, isOnConflict, type FileOpResult, type OnConflict } from '../../files/file-op.js';
import { landingNameProblem } from '../../files/landing-names.js';
import { queueUserJob } from '../../jobs/user-job.js';
import { endedResult } from '../../jobs/wait-for-job.js';
import type { Library } from '../../library/library.js';
import { filesToCopy, itemsInto, type PlannedItem } from './sources.js';
import { DROP_MAX_ITEMS } from '../../sync/messages/table.js';
import type { OpPreview } from '../../wire/preview.js';
import { addingPreview, MAX_CONFLICTS } from '../file-op-preview.js';
import type { OpHost, Way } from '../op.js';
import { placedPath } from './run/device-target.js';
import { deviceParamsOf, networkTimeoutMs, pairedTarget, runToDevice, toDeviceParams, type PlaceTarget } from './to-device-run.js';

/** Tries before it fails for good on errors that are not the device being away (that only waits). */
const MAX_ATTEMPTS = 8;

/** Files of this device's locations (absolute paths) to TO, `DEVICE:/LOCATION[/PATH]`: a folder of a paired device's location. */
export interface ToDeviceInput {
  srcs: string[];
  to: string;
  /** A name taken there: skip, keep-both (default), replace; decided by the receiver. */
  onConflict?: OnConflict;
  /** Asked with --force: carried to the receiver in the place message, whose own guard weighs it (and may still refuse). */
  force?: boolean;
}

/**
 * `vss files copy|move SRC… DEVICE:/LOCATION/PATH` (issue 30, item 3; strategies.ts, here →
 * device): a durable job of the daemon (`files-copy|move-to-device`: it needs the P2P node) run by
 * the way to a device (to-device-run.ts, a protect's too). Its plan checks every source and
 * resolves the target before anything is queued, without side effects; its preview (`--dry-run`)
 * is that plan shown against what this device knows of the other's index.
 */
export function toDeviceOp(op: 'copy' | 'move'): Way<ToDeviceInput, FileOpResult> {
  const name = `files-${op}-to-device` as const;
  return {
    name,
    plan(host, input) {
      if (!host.network()) throw new VssError('NO_DAEMON', `a ${op} to another device needs the daemon's P2P node: start it (vss daemon start) and ${op} again`);
      const { target, items, bytes } = planned(host, input);
      const params = JSON.stringify({ to: input.to, ...toDeviceParams(host.lib, target, { op, on_conflict: input.onConflict ?? DEFAULT_ON_CONFLICT, ...(input.force === true ? { force: true } : {}) }) });
      const rows = itemsInto(items, target.dir);
      return { size: { files: items.length, bytes }, queue: () => queueUserJob(host.lib, { kind: name, maxAttempts: MAX_ATTEMPTS, bytes, params, items: rows }, `the ${op}`) };
    },
    // No network needed: the plan is made from the other device's index as it last told this one.
    preview(host, input) {
      const { target, items, bytes } = planned(host, input);
      return previewOnDevice(host, op, target, items, bytes, input.onConflict ?? DEFAULT_ON_CONFLICT);
    },
    kind: (host) => ({
      name, concurrency: 2, timeoutMs: networkTimeoutMs,
      // Its params as an older vss's were, less the files (an older job's files become its rows).
      run: (job, ctx) => runToDevice(host, job, deviceParamsOf(host.lib, job, ['device', 'library', 'location', 'location_name', 'dir', 'transfer'], 'what to copy where', (o) => (o.op === 'copy' || o.op === 'move') && isOnConflict(o.on_conflict)), ctx),
    }),
    result: (row) => endedResult<FileOpResult>(row, `the ${op}`, 'files already confirmed there are kept'),
  };
}

/** INPUT checked as a real call checks it (every refusal thrown): the target resolved, and the files. */
function planned(host: OpHost, input: ToDeviceInput): { target: PlaceTarget; items: PlannedItem[]; bytes: number } {
  const target = pairedTarget(host, input.to);
  const items = placeItems(host.lib, input.srcs);
  return { target, items, bytes: items.reduce((n, it) => n + it.size, 0) };
}

/** SRCS checked as files a copy to another device takes, each under a name its receiver takes. */
export function placeItems(lib: Library, srcs: readonly string[]): PlannedItem[] {
  return filesToCopy(lib, srcs, DROP_MAX_ITEMS, 'to another device', (it) => {
    const bad = landingNameProblem(it.name);
    if (bad) throw new UsageError(`${it.path} cannot be copied under its name: ${bad}`);
  });
}

/**
 * The plan of a copy or move to TARGET shown, not run: the names taken in its folder as the other
 * device last told this one (peer_entries: what `--on-conflict` will meet there; the receiver
 * decides at the time), and for a move the files it removes here, each once its copy is confirmed.
 * Its free space is not known here (devices send no volumes): the receiver refuses a full drive.
 */
function previewOnDevice(host: OpHost, op: 'copy' | 'move', target: PlaceTarget, items: readonly PlannedItem[], bytes: number, onConflict: OnConflict): OpPreview {
  const lib = host.lib;
  const dev = target.device;
  // The other device's own id of its location (what its entries are filed under), as it last said.
  const locationId = lib.store.peerLocations.ofDevice(dev.device_uuid).find((l) => l.uuid === target.location)?.location_id;
  const taken = locationId === undefined ? [] : items.filter((it) => lib.store.peerEntries.get(dev.device_uuid, locationId, target.dir, it.name));
  const conflicts = taken.map((it) => ({ source: it.path, target: placedPath(dev, target.locationName, target.dir, it.name) }));
  const online = host.network()?.connected().some((r) => r.deviceUuid === dev.device_uuid) ?? false;
  return {
    ...addingPreview(op, { files: items.length, bytes, on_conflict: onConflict, conflicts, free_bytes: null }),
    looked_up: { in: 'device-index', device: dev.name, online },
    ...(op === 'move' ? { removes_here: items.slice(0, MAX_CONFLICTS).map((it) => it.path) } : {}),
  };
}
