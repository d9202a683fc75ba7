import { randomUUID } from 'node:crypto';
import { deviceByRef } from '../../browse/library-view.js';
import { parseDeviceAddress } from '../../core/address.js';
import { UsageError, VssError } from '../../core/errors.js';
import { fileOpResult, type OnConflict } from '../../files/file-op.js';
import { landingDirProblem } from '../../files/landing-names.js';
import type { DeviceTarget as ProtectDevice } from '../../guardian/protect-targets.js';
import { timeoutForBytes, type JobOutcome, type JobRunContext } from '../../jobs/job-kind.js';
import type { JobRow } from '../../jobs/states.js';
import { paramsJson } from '../../jobs/wait-for-job.js';
import type { Library } from '../../library/library.js';
import type { FileOpItemRecord } from '../../store/file-op-items.js';
import { itemsInto, type PlannedItem } from './sources.js';
import { DROP_MAX_ITEMS } from '../../sync/messages/table.js';
import { PairedDevices } from '../../sync/pairing/paired-devices.js';
import type { OpHost } from '../op.js';
import { DeviceTarget, type DropTarget } from './run/device-target.js';
import { runTransfer } from './run/run-transfer.js';

/** A transfer to a paired device as queued (in the job's params): where, how, and the transfer its offers are named from. */
export interface ToDeviceParams {
  device: string;
  transfer: string;
  /** A folder of one of its locations (its library, the location's id and name, the folder); absent: its inbox (a send). */
  library?: string;
  location?: string;
  location_name?: string;
  dir?: string;
  /** A move removes each source once its copy there is confirmed; absent: a copy (a protect's). */
  op?: 'copy' | 'move';
  /** A name taken there: decided by the receiver (absent: keep-both). */
  on_conflict?: OnConflict;
  /** Asked with --force: said in the place message, weighed by the receiver's own guard. */
  force?: boolean;
  /** A job queued by an older vss, its one offer named by `transfer` itself (its receiver's journal knows it by that). */
  one_offer?: boolean;
}

/** `params` longer than this are not ours (an older vss's held the files: DROP_MAX_ITEMS paths of a few hundred characters). */
export const MAX_PARAMS_CHARS = 1024 * 1024;

/**
 * JOB's params as its way to a device queued them (a copy or move, a send, a snapshot): each of
 * STRINGS a string and what OK asks of the rest, else the job does not say WHAT. A job queued by
 * an older vss said its files in its params (each a path, a name and a size): they become its
 * rows, once, each bound for its name in the params' folder, and its one offer keeps its transfer
 * id (the receiver's journal knows it by that).
 */
export function deviceParamsOf<T extends ToDeviceParams>(lib: Library, job: JobRow, strings: readonly string[], what: string, ok: (o: Record<string, unknown>) => boolean = () => true): T {
  const o = paramsJson(job, MAX_PARAMS_CHARS) as Record<string, unknown> | undefined;
  const items = o?.items as PlannedItem[] | undefined;
  const fine = o && strings.every((k) => typeof o[k] === 'string') && ok(o)
    && (items === undefined || (Array.isArray(items) && items.length > 0 && items.length <= DROP_MAX_ITEMS && items.every((it) => typeof it?.path === 'string' && typeof it.name === 'string' && Number.isSafeInteger(it.size))));
  if (!fine) throw new VssError('USAGE', `job ${job.id} does not say ${what}`);
  const { items: _, ...p } = o as T & { items?: PlannedItem[] };
  if (items === undefined) return p as T;
  lib.store.immediate(() => {
    if (lib.store.fileOpItems.of(job.id).length === 0) lib.store.fileOpItems.addMany(job.id, itemsInto(items, p.dir ?? ''));
  });
  return { ...p, one_offer: true } as T;
}

/** How long a job whose bytes cross the network may run (a send, a copy to a device, a content got): long enough for them at 256 KiB/s, the slowest speed expected. */
export function networkTimeoutMs(job: JobRow): number {
  return timeoutForBytes(job.bytes, 256 * 1024);
}

/** Where a copy, move or protect to a device goes, resolved from `DEVICE:/LOCATION/PATH`, with the device as paired. */
export type PlaceTarget = ProtectDevice & { device: DropTarget };

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
  return { kind: 'device', deviceUuid: d.uuid, deviceName: dev.name, location: loc.uuid, locationName: loc.name, dir: a.path, named: true, device: dev };
}

/** `DEVICE:/LOCATION[/PATH]` resolved (`placeTarget`) among the devices paired with this one now. */
export function pairedTarget(host: OpHost, to: string): PlaceTarget {
  const paired = PairedDevices.load(host.dataDir);
  return placeTarget(host.lib, to, (uuid) => paired.get(uuid));
}

/** Where TARGET is, as a job's params say it, with how (a copy or move's verb, conflict policy, force; a protect: none). */
export function toDeviceParams(lib: Library, t: ProtectDevice, how: Pick<ToDeviceParams, 'op' | 'on_conflict' | 'force'> = {}): ToDeviceParams {
  return { device: t.deviceUuid, location: t.location, location_name: t.locationName, dir: t.dir, library: lib.config.id, transfer: randomUUID(), ...how };
}

/**
 * Run a transfer to a paired device (transfer/strategies.ts, here → device: a copy or a move, a
 * protect's copies, a send into its inbox, a library's snapshot) through the one item loop
 * (run/run-transfer.ts), its items (each `dst` a path in the device's location, or a send's name)
 * put by the device target (run/device-target.ts): offered folder by folder over /vss/drop
 * (`place` into a location, `offer` into the inbox), each confirmed as the receiver says it is
 * verified and flushed there. MADEIN: the files are ones vss made in that folder of the
 * library's own (a snapshot on its way).
 */
export async function runToDevice(host: OpHost, job: JobRow, p: ToDeviceParams, ctx: JobRunContext, said: Said = copied, madeIn?: string): Promise<JobOutcome> {
  const dev = PairedDevices.load(host.dataDir).get(p.device);
  if (!dev) throw new VssError('NOT_FOUND', `device ${p.device} is not paired with this one any more`);
  const target = new DeviceTarget(host, ctx, dev, p, madeIn);
  return runTransfer(host.lib, job, target, ctx, {
    op: p.op ?? 'copy', onConflict: p.on_conflict ?? 'keep-both',
    said: (rows) => said(rows, dev, p, target.bytesSent),
  });
}

/** What a transfer to a device made, from its rows once all ended: its note and result. */
export type Said = (rows: readonly FileOpItemRecord[], dev: DropTarget, p: ToDeviceParams, bytesSent: number) => { note: string; result: unknown };

/** A copy's or move's (a protect's copies too): a file operation's result. */
const copied: Said = (rows, dev, p) => {
  const result = fileOpResult({ op: p.op ?? 'copy', outside_library: false }, rows);
  return { note: `${result.done} file${result.done === 1 ? '' : 's'} ${p.op === 'move' ? 'moved' : 'copied'} to ${dev.name}`, result };
};
