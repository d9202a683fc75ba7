import { randomUUID } from 'node:crypto';
import { posix } from 'node:path';
import { v5 as uuidv5 } from 'uuid';
import { VssError } from '../../core/errors.js';
import type { DeviceTarget, DeviceTargetResolver } from '../../guardian/protect-targets.js';
import type { JobOutcome, JobRunContext } from '../../jobs/job-kind.js';
import type { JobRow } from '../../jobs/states.js';
import type { Library } from '../../library/library.js';
import type { FileOpItemRecord, FinishedItem } from '../../store/file-op-items.js';
import { placeBatch, placedPath, placeTarget } from '../../sync/drop/place-job.js';
import { DROP_MAX_ITEMS } from '../../sync/messages/table.js';
import { PairedDevices } from '../../sync/pairing/paired-devices.js';
import type { OpHost } from '../op.js';
import { indexedSource, itemsResult } from '../op-items.js';

/** Offers of one protect under way at once. */
const OFFERS_IN_FLIGHT = 3;

/** A protect to a paired device's folder as queued (in the job's params, beside its plan): where, and the transfer its batches are named from. */
export interface ToDeviceParams {
  device: string;
  library: string;
  location: string;
  location_name: string;
  dir: string;
  transfer: string;
}

/** `DEVICE:/LOCATION/PATH` resolved as `files copy` resolves it (a paired device of the library, one of its locations). */
export function deviceResolver(host: OpHost): DeviceTargetResolver {
  return (to) => {
    const paired = PairedDevices.load(host.dataDir);
    const t = placeTarget(host.lib, to, (uuid) => paired.get(uuid));
    return { kind: 'device', deviceUuid: t.device.device_uuid, deviceName: t.device.name, location: t.location, locationName: t.locationName, dir: t.dir, named: true };
  };
}

export function toDeviceParams(lib: Library, t: DeviceTarget): ToDeviceParams {
  return { device: t.deviceUuid, library: lib.config.id, location: t.location, location_name: t.locationName, dir: t.dir, transfer: randomUUID() };
}

/**
 * Run a protect's copies to a paired device: its items (each `dst` a path in the device's
 * location) offered folder by folder over /vss/drop's place, at most DROP_MAX_ITEMS an offer,
 * each offer a transfer of its own whose id follows from the job's and its first item, so one
 * made again after a kill resumes from the receiver's partials and journal. Each file is offered
 * with its content's whole BLAKE3 where known: the receiver keeps only bytes that hash to the
 * content (a rotten source is refused, not copied), and its confirmation verifies the source too.
 * Each item is marked done as the receiver confirms it; the job waits (no attempt spent) while
 * the device is away.
 */
export async function runProtectToDevice(host: OpHost, job: JobRow, p: ToDeviceParams, ctx: JobRunContext): Promise<JobOutcome> {
  const lib = host.lib;
  const dev = PairedDevices.load(host.dataDir).get(p.device);
  if (!dev) throw new VssError('NOT_FOUND', `device ${p.device} is not paired with this one any more`);
  const all = lib.store.fileOpItems.of(job.id);
  const total = all.reduce((n, it) => n + it.size, 0);
  const batches = batchesOf(all);
  let finished = all.reduce((n, it) => n + (it.state === 'todo' ? 0 : it.size), 0);
  /** Bytes of the batches under way that are not ended yet (an offer made again answers those ended at once). */
  const moving = new Map<Batch, number>();
  const progress = () => ctx.progress(Math.min(total, finished + [...moving.values()].reduce((a, b) => a + b, 0)), total);
  progress();
  // Items confirmed come a group at a time: each group is marked done in one statement, not one a
  // file (one lost to a kill is offered again, and the receiver answers it from its journal).
  const finishing: FinishedItem[] = [];
  let finishTimer: NodeJS.Immediate | undefined;
  const finishNow = () => {
    clearImmediate(finishTimer);
    finishTimer = undefined;
    lib.store.fileOpItems.finishMany(job.id, finishing.splice(0));
  };
  const finishSoon = () => { finishTimer ??= setImmediate(finishNow); };
  const sendBatch = async (batch: Batch): Promise<JobOutcome | undefined> => {
    const byName = new Map(batch.items.map((it) => [posix.basename(there(it)), it]));
    const ended = new Set<number>();
    // Bytes the offer counts (the first count is what the receiver had, files ended before among
    // them) less those of files ended before or now, which `finished` holds.
    const before = batch.items.reduce((n, it) => n + (it.state === 'todo' ? 0 : it.size), 0);
    let seen = 0;
    let endedNow = 0;
    const move = () => {
      moving.set(batch, Math.max(0, seen - before - endedNow));
      progress();
    };
    const end = (it: FileOpItemRecord, state: 'done' | 'skipped', name: string) => {
      if (ended.has(it.idx)) return;
      ended.add(it.idx);
      finishing.push({ idx: it.idx, state, final: placedPath(dev, p.location_name, batch.dir, name), blake3: null, note: state === 'skipped' ? `${name} is there already` : null });
      finishSoon();
      if (it.state !== 'todo') return;
      finished += it.size;
      endedNow += it.size;
      move();
    };
    try {
      const out = await placeBatch(host.network(), dev, {
        op: 'copy', library: p.library, location: p.location, dir: batch.dir, on_conflict: 'keep-both',
        transfer: uuidv5(String(batch.items[0]!.idx), p.transfer),
        items: batch.items.map((it) => {
          const b = indexedSource(lib, it.src)?.blake3;
          return { path: it.src, name: posix.basename(there(it)), size: it.size, ...(b ? { blake3: b } : {}) };
        }),
      }, ctx, {
        onBytes: (n) => { seen += n; move(); },
        onSaved: async (item, name, skipped) => end(byName.get(item.name)!, skipped ? 'skipped' : 'done', name),
      });
      if ('wait' in out) return out.wait;
      out.items.forEach((item, i) => end(byName.get(item.name)!, out.sent.skipped.has(i) ? 'skipped' : 'done', out.sent.saved[i] ?? item.name));
      return undefined;
    } finally {
      moving.delete(batch);
      progress();
    }
  };
  // A few offers at once: each has a fixed cost (its stream, the receiver's checks and journal, the
  // index of what it placed), which one after the other left both devices idle most of the time.
  const todo = batches.filter((b) => b.items.some((it) => it.state === 'todo'));
  let next = 0;
  let stop: JobOutcome | undefined;
  const worker = async () => {
    while (stop === undefined && next < todo.length) {
      const wait = await sendBatch(todo[next++]!);
      if (wait) stop ??= wait;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(OFFERS_IN_FLIGHT, todo.length) }, worker));
  } finally {
    finishNow();
  }
  if (stop) return stop;
  return { state: 'completed', note: '', result: JSON.stringify(itemsResult(lib, job.id, there)) };
}

/** One offer: items bound for one folder of the device's location, in plan order. */
interface Batch {
  dir: string;
  items: FileOpItemRecord[];
}

/** ITEMS grouped by the folder they land in, in plan order, each group cut at DROP_MAX_ITEMS: the same batches every run. */
function batchesOf(items: readonly FileOpItemRecord[]): Batch[] {
  const open = new Map<string, Batch>();
  const out: Batch[] = [];
  for (const it of items) {
    const d = posix.dirname(there(it));
    const dir = d === '.' ? '' : d;
    let b = open.get(dir);
    if (!b || b.items.length === DROP_MAX_ITEMS) {
      open.set(dir, (b = { dir, items: [] }));
      out.push(b);
    }
    b.items.push(it);
  }
  return out;
}

/** Where IT lands in the device's location (every item of a protect to a device names it). */
function there(it: FileOpItemRecord): string {
  if (it.dst === null) throw new VssError('IO', `item ${it.idx} of the protect does not say where it goes`);
  return it.dst;
}
