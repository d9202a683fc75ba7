import { randomUUID } from 'node:crypto';
import { dirname, posix, relative, sep } from 'node:path';
import { v5 as uuidv5 } from 'uuid';
import { VssError } from '../../core/errors.js';
import { blake3File } from '../../core/file-blake3.js';
import { childLog } from '../../core/log.js';
import type { OnConflict } from '../../files/file-op.js';
import { placeOf } from '../../files/places.js';
import type { DeviceTarget, DeviceTargetResolver } from '../../guardian/protect-targets.js';
import { recordRotFound } from '../../guardian/rot-found.js';
import type { JobOutcome, JobRunContext } from '../../jobs/job-kind.js';
import type { JobRow } from '../../jobs/states.js';
import type { Library } from '../../library/library.js';
import { locationStorage, storageAt } from '../../storage/storages.js';
import type { FileOpItemRecord, FinishedItem, NewFileOpItem } from '../../store/file-op-items.js';
import { reindexAfter } from '../../files/reindex.js';
import { placeBatch, placedPath, placeTarget, type PlaceItem, type PlaceTarget } from '../../sync/drop/place-job.js';
import { DropRefused, type DropItem } from '../../sync/drop/send.js';
import type { DropTarget } from '../../sync/drop/send-job.js';
import { DROP_MAX_ITEMS } from '../../sync/messages/table.js';
import { PairedDevices } from '../../sync/pairing/paired-devices.js';
import type { OpHost } from '../op.js';
import { indexedSource, itemsResult } from '../op-items.js';

/*
 * The way to another device (transfer/strategies.ts, here → device), one runner for what is
 * asked of it: a copy or a move (`files copy|move … DEVICE:/LOCATION/PATH`), a protect's copies
 * and a send into its inbox (`files send`). The job's items are its `file_op_items` rows, each
 * `dst` a path in the device's location (a send's: the name offered); they are offered over
 * /vss/drop (`place` into a location, `offer` into the inbox), verified there, and each marked
 * done as the receiver confirms it.
 */

const log = childLog('transfer');

/** Offers of one job under way at once. */
const OFFERS_IN_FLIGHT = 3;

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

/** `DEVICE:/LOCATION/PATH` resolved as `files copy` resolves it (a paired device of the library, one of its locations). */
export function deviceResolver(host: OpHost): DeviceTargetResolver {
  return (to) => {
    const paired = PairedDevices.load(host.dataDir);
    const t = placeTarget(host.lib, to, (uuid) => paired.get(uuid));
    return { kind: 'device', deviceUuid: t.device.device_uuid, deviceName: t.device.name, location: t.location, locationName: t.locationName, dir: t.dir, named: true };
  };
}

/** Where TARGET is, as a job's params say it, with how (a copy or move's verb, conflict policy, force; a protect: none). */
export function toDeviceParams(lib: Library, t: DeviceTarget | PlaceTarget, how: Pick<ToDeviceParams, 'op' | 'on_conflict' | 'force'> = {}): ToDeviceParams {
  const where = 'deviceUuid' in t
    ? { device: t.deviceUuid, location: t.location, location_name: t.locationName, dir: t.dir }
    : { device: t.device.device_uuid, location: t.location, location_name: t.locationName, dir: t.dir };
  return { ...where, library: lib.config.id, transfer: randomUUID(), ...how };
}

/**
 * A job queued by an older vss, which said its files in its params (P, less them: ROWS): they
 * become its rows, once, and its one offer keeps its transfer id (the receiver's journal knows it
 * by that).
 */
export function olderJob(lib: Library, job: JobRow, p: ToDeviceParams, rows: readonly NewFileOpItem[]): ToDeviceParams {
  lib.store.immediate(() => {
    if (lib.store.fileOpItems.of(job.id).length === 0) lib.store.fileOpItems.addMany(job.id, rows);
  });
  return { ...p, one_offer: true };
}

/** ITEMS (checked by `placeItems`) as a job's rows, each bound for DIR/<its name> in the device's location. */
export function toDeviceItems(items: readonly PlaceItem[], dir: string): NewFileOpItem[] {
  return items.map((it) => ({ kind: 'file', src: it.path, dst: dir === '' ? it.name : `${dir}/${it.name}`, size: it.size, meta: it.mtime_ms !== undefined ? JSON.stringify({ mtime_ms: it.mtime_ms }) : null }));
}

/**
 * Run a transfer to a paired device: its items (each `dst` a path in the device's
 * location) offered folder by folder over /vss/drop's place, at most DROP_MAX_ITEMS an offer,
 * each offer a transfer of its own whose id follows from the job's and its first item, so one
 * made again after a kill resumes from the receiver's partials and journal. Each file is offered
 * with its content's whole BLAKE3 where known: the receiver keeps only bytes that hash to the
 * content (a rotten source is refused, not copied), and its confirmation verifies the source too.
 * Each item is marked done as the receiver confirms it; the job waits (no attempt spent) while
 * the device is away. A file gone or changed since the plan, or one the receiver refuses (its
 * bytes are not its content's: rot, recorded as a scrub would), is left out with its reason and
 * the rest of its offer goes on as an offer of its own (`segmentsOf`). A move removes each source
 * once the receiver confirmed its copy (and only while it is still the file sent), and this
 * device's index follows.
 */
export async function runToDevice(host: OpHost, job: JobRow, p: ToDeviceParams, ctx: JobRunContext, said: Said = copied, from: Sources = {}): Promise<JobOutcome> {
  const lib = host.lib;
  const problemOf = (it: FileOpItemRecord, move = false) => (from.madeIn !== undefined ? madeProblem(lib, it, from.madeIn) : sourceProblem(lib, it, move));
  const dev = PairedDevices.load(host.dataDir).get(p.device);
  if (!dev) throw new VssError('NOT_FOUND', `device ${p.device} is not paired with this one any more`);
  const move = p.op === 'move';
  // A protect copies a content: each file is offered with the content's BLAKE3, so the receiver
  // keeps nothing else (a rotten source is refused). A copy, move or send copies a file as it is
  // now, which may be newer than the index: it is hashed as it is sent, never offered by the
  // index's word (a receiver would answer a stale hash "there already" and a move drop the edit).
  const contentOffered = p.op === undefined && p.location !== undefined;
  /** Bytes that crossed the network in this run (a resumed offer: only the rest). */
  let bytesSent = 0;
  const all = lib.store.fileOpItems.of(job.id);
  const total = all.reduce((n, it) => n + it.size, 0);
  const batches = batchesOf(all);
  /** Each item's state as this run leaves it (the rows are written a group at a time). */
  const state = new Map(all.map((it) => [it.idx, it.state]));
  let finished = all.reduce((n, it) => n + (it.state === 'todo' ? 0 : it.size), 0);
  /** Bytes of the offers under way that are not ended yet (an offer made again answers those ended at once). */
  const moving = new Map<Segment, number>();
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
  /** IT ended (done or skipped there, or left out here with NOTE): marked, counted once. */
  const end = (it: FileOpItemRecord, to: 'done' | 'skipped', final: string | null, note: string | null) => {
    if (state.get(it.idx) !== 'todo') return false;
    state.set(it.idx, to);
    finishing.push({ idx: it.idx, state: to, final, blake3: null, note });
    finishSoon();
    finished += it.size;
    return true;
  };
  const leaveOut = (it: FileOpItemRecord, note: string) => {
    end(it, 'skipped', null, note);
    progress();
  };
  /** Sources a move removed, for the index to follow. */
  const removed: string[] = [];
  const sendSegment = async (seg: Segment): Promise<JobOutcome | undefined> => {
    const byName = new Map(seg.items.map((it) => [posix.basename(there(it)), it]));
    const ended = new Set<number>();
    // Bytes the offer counts (the first count is what the receiver had, files ended before among
    // them) less those of files ended before or now, which `finished` holds.
    const before = seg.items.reduce((n, it) => n + (state.get(it.idx) === 'todo' ? 0 : it.size), 0);
    let seen = 0;
    let endedNow = 0;
    const moved = () => {
      moving.set(seg, Math.max(0, seen - before - endedNow));
      progress();
    };
    const confirmed = async (it: FileOpItemRecord, offered: DropItem, skipped: boolean, name: string) => {
      if (ended.has(it.idx)) return;
      ended.add(it.idx);
      // Confirmed there (verified and flushed): only now may a move's source go, and only in the run
      // that confirmed it (an item ended before is answered again from the receiver's journal: its
      // source went then, and what is at its path now is not what was sent).
      if (move && !skipped && state.get(it.idx) === 'todo' && (await removeSource(lib, it, offered))) removed.push(it.src);
      const final = p.location_name !== undefined ? placedPath(dev, p.location_name, seg.dir, name) : name;
      if (!end(it, skipped ? 'skipped' : 'done', final, skipped ? `${name} is there already` : null)) return;
      endedNow += it.size;
      moved();
    };
    try {
      const first = seg.items[0]!.idx;
      const into = p.library !== undefined && p.location !== undefined
        ? { library: p.library, location: p.location, dir: seg.dir, on_conflict: p.on_conflict ?? 'keep-both', ...(p.force === true ? { force: true } : {}) }
        : undefined;
      const out = await placeBatch(host.network(), dev, {
        op: p.op ?? 'copy', ...(into ? { into } : {}),
        transfer: p.one_offer === true && first === 0 ? p.transfer : uuidv5(String(first), p.transfer),
        items: seg.items.map((it) => {
          if (from.madeIn !== undefined) return { path: it.src, name: posix.basename(there(it)), size: it.size, madeIn: from.madeIn, ...madeBlake3(it) };
          const b = contentOffered ? indexedSource(lib, it.src)?.blake3 : undefined;
          const mtime = mtimeOf(it);
          return { path: it.src, name: posix.basename(there(it)), size: it.size, ...(mtime !== undefined ? { mtime_ms: mtime } : {}), ...(b ? { blake3: b } : {}) };
        }),
      }, ctx, {
        onBytes: (n) => { seen += n; moved(); },
        onSaved: async (item, name, skipped) => confirmed(byName.get(item.name)!, item, skipped, name),
      });
      if ('wait' in out) return out.wait;
      bytesSent += out.sent.bytesSent;
      for (const [i, item] of out.items.entries()) await confirmed(byName.get(item.name)!, item, out.sent.skipped.has(i), out.sent.saved[i] ?? item.name);
      return undefined;
    } finally {
      moving.delete(seg);
      progress();
    }
  };
  /** BATCH offered until each of its items is confirmed or left out; the job's wait where the device is away. */
  /**
   * Items ended in an earlier run that could not be offered again (a move's source gone, and the
   * receiver no longer knows the offer: its journal forgotten after days away): an offer is cut
   * after each, as at an item left out, so the rest go under offers of their own.
   */
  const cuts = new Set<number>();
  const sendBatch = async (batch: Batch): Promise<JobOutcome | undefined> => {
    for (;;) {
      const seg = segmentsOf(batch, state, cuts).find((s) => s.items.some((it) => state.get(it.idx) === 'todo'));
      if (!seg) return undefined;
      const gone = seg.items.filter((it) => state.get(it.idx) === 'todo').flatMap((it) => {
        const why = problemOf(it, move);
        return why ? [{ it, why }] : [];
      });
      if (gone.length > 0) {
        for (const g of gone) leaveOut(g.it, g.why);
        continue;
      }
      try {
        const wait = await sendSegment(seg);
        if (wait) return wait;
      } catch (err) {
        const bad = await faultyItem(lib, dev.name, seg, err, contentOffered, problemOf);
        if (!bad) throw err;
        if (state.get(bad.it.idx) === 'todo') leaveOut(bad.it, bad.why);
        else if (!cuts.has(bad.it.idx)) cuts.add(bad.it.idx);
        else throw err;
      }
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
    // The index follows the sources removed; a location away now is listed again by its next scan.
    // Only the sources: what landed is the other device's to index.
    const gone = new Set(removed);
    const sources = lib.store.fileOpItems.of(job.id).filter((it) => gone.has(it.src)).map((it) => ({ ...it, final: null }));
    if (sources.length > 0) await reindexAfter(lib, 'move', sources).catch((err: unknown) => log.warn({ err, job: job.id }, 'could not list again the folders a move emptied'));
  }
  if (stop) return stop;
  const { note, result } = said(lib, job, dev, p, bytesSent);
  return { state: 'completed', note, result: JSON.stringify(result) };
}

/**
 * Where a transfer's sources are: files of this device's locations (the default), or files vss
 * made itself in MADEIN, a folder of the library's own (a library snapshot on its way:
 * `backup-to-device.ts`), each offered with the BLAKE3 its row's `meta` recorded when it was made,
 * so the receiver keeps only those bytes.
 */
export interface Sources {
  madeIn?: string;
}

/** What a transfer to a device made, from its rows once all ended: its note and result. */
export type Said = (lib: Library, job: JobRow, dev: DropTarget, p: ToDeviceParams, bytesSent: number) => { note: string; result: unknown };

/** A copy's or move's (a protect's copies too): a file operation's result. */
const copied: Said = (lib, job, dev, p) => {
  const result = { ...itemsResult(lib, job.id, there), op: p.op ?? 'copy' };
  return { note: `${result.done} file${result.done === 1 ? '' : 's'} ${p.op === 'move' ? 'moved' : 'copied'} to ${dev.name}`, result };
};

/** The time IT's file had when it was planned (a move resumed after its source went is offered by it). */
function mtimeOf(it: FileOpItemRecord): number | undefined {
  if (it.meta === null) return undefined;
  try {
    const t = (JSON.parse(it.meta) as { mtime_ms?: unknown }).mtime_ms;
    return Number.isSafeInteger(t) ? (t as number) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * IT's source removed, only while it is still the file that was sent (OFFERED: the file, its size
 * and time as the offer checked them); false where it is gone already (removed before a kill, once
 * its copy was confirmed).
 */
async function removeSource(lib: Library, it: FileOpItemRecord, offered: DropItem): Promise<boolean> {
  const place = placeOf(lib, it.src);
  if (!place) throw new VssError('IO', `${it.src} is no longer in a location of this device: it is kept (its copy on the other device is verified)`, { path: it.src });
  const storage = locationStorage(lib, place.locationId);
  const st = storage.statNow(place.rel);
  if (!st) return false;
  const same = st.isFile() && st.size === offered.size && (offered.mtime_ms === undefined || Math.floor(st.mtimeMs) === offered.mtime_ms)
    && (offered.checked === undefined || (st.ino === offered.checked.inode && st.dev === offered.checked.dev));
  if (!same) throw new VssError('IO', `${it.src} changed after it was copied: it is kept (its copy on the other device is verified)`, { path: it.src });
  await storage.remove(place.rel);
  return true;
}

/**
 * The offers BATCH makes: its items cut at those left out (STATE 'skipped'), each run of them an
 * offer whose transfer follows from its first item. Nothing left out: the batch whole, one offer,
 * the same every run. The run before an item left out is a prefix of the offer it was cut from,
 * so the receiver's journal of that transfer still answers what it placed; the run after it is a
 * new transfer (a refused transfer's journal is gone on the receiver: an offer of the files it
 * placed before the refusal would land them twice).
 */
export function segmentsOf(batch: Batch, state: ReadonlyMap<number, FileOpItemRecord['state']>, cuts: ReadonlySet<number> = new Set()): Segment[] {
  const out: Segment[] = [];
  let cur: Segment | undefined;
  for (const it of batch.items) {
    if (state.get(it.idx) === 'skipped' || cuts.has(it.idx)) {
      cur = undefined;
      continue;
    }
    if (!cur) out.push((cur = { dir: batch.dir, items: [] }));
    cur.items.push(it);
  }
  return out;
}

/** The BLAKE3 a made file's row recorded (its `meta`), as an offer carries it; none where the row says none. */
function madeBlake3(it: FileOpItemRecord): { blake3?: string } {
  try {
    const b = (JSON.parse(it.meta ?? '{}') as { blake3?: unknown }).blake3;
    return typeof b === 'string' && /^[0-9a-f]{64}$/.test(b) ? { blake3: b } : {};
  } catch {
    return {};
  }
}

/**
 * Why IT, a file vss made in DIR (a folder of the library's), cannot be offered now, or undefined:
 * a row naming a file elsewhere is not one vss made for this transfer, and is never read.
 */
function madeProblem(lib: Library, it: FileOpItemRecord, dir: string): string | undefined {
  const rel = relative(lib.root, it.src).split(sep).join('/');
  if (dirname(it.src) !== dir || rel.startsWith('..')) return `its file is not one vss made for this transfer (${dir}): left out`;
  const st = storageAt(lib.roots.library).statNow(rel);
  if (!st) return 'its file is gone: left out';
  if (!st.isFile() || st.size !== it.size) return 'its file changed since it was made: left out';
  return undefined;
}

/**
 * Why IT's file cannot be offered as planned now (gone, or not the size planned), or undefined.
 * A MOVE's source gone is offered as planned: its copy was confirmed and it was removed before
 * the item was marked (the receiver answers it from its journal, and it is never opened).
 */
function sourceProblem(lib: Library, it: FileOpItemRecord, move = false): string | undefined {
  const place = placeOf(lib, it.src);
  if (!place) return 'its file is no longer in a location of this device: left out';
  let st;
  try {
    st = locationStorage(lib, place.locationId).statNow(place.rel);
  } catch {
    return undefined; // its location is away: the offer says so
  }
  if (!st) return move ? undefined : 'its file is gone (moved or deleted since the plan): left out';
  if (!st.isFile() || st.size !== it.size) return 'its file changed since the plan: left out';
  return undefined;
}

/**
 * The item of SEG that ERR is the fault of, and why it is left out: a file the receiver refused
 * (its bytes are not the file offered: hashed here again, rot is recorded as a scrub would), or
 * one this side could not read (gone, changed, unreadable); undefined where ERR is not one file's.
 */
async function faultyItem(
  lib: Library, device: string, seg: Segment, err: unknown, contentOffered: boolean, problemOf: (it: FileOpItemRecord) => string | undefined,
): Promise<{ it: FileOpItemRecord; why: string } | undefined> {
  if (err instanceof DropRefused) {
    const it = err.index !== undefined && !err.retry ? seg.items[err.index] : undefined;
    if (!it) return undefined;
    const source = indexedSource(lib, it.src);
    const problem = problemOf(it);
    if (problem) return { it, why: problem };
    // Only a file offered as its content's bytes is judged against them (a copy's may be newer than the index: not rot).
    if (!contentOffered || !source?.blake3) return { it, why: `${device} refused it (${err.reason.slice(0, 200)}): it changed while it was sent; left out` };
    const found = await blake3File(it.src).then((h) => h.checksum, () => null);
    if (found === null) return { it, why: 'its file cannot be read: left out' };
    if (found === source.blake3) return { it, why: `${device} received other bytes than were sent (${err.reason.slice(0, 200)}): left out` };
    const rot = recordRotFound(lib, source.place.locationId, source.place.rel, found);
    return { it, why: `its bytes hash to ${found.slice(0, 16)}…, not its content's ${source.blake3.slice(0, 16)}…${rot ? ': rot, recorded (vss guardian list --rot; vss guardian repair mends it from a good copy)' : ' (changed or rotted: vss guardian scrub tells which)'}; ${device} kept nothing of it` };
  }
  if (!(err instanceof VssError) || err.path === undefined || (err.code !== 'IO' && err.code !== 'NOT_FOUND' && err.code !== 'PATH_REFUSED')) return undefined;
  const it = seg.items.find((x) => x.src === err.path);
  if (!it) return undefined;
  return { it, why: problemOf(it) ?? `${err.message.slice(0, 300)}: left out` };
}

/** One offer of a batch: its items in plan order, none left out among them. */
interface Segment {
  dir: string;
  items: FileOpItemRecord[];
}

/** Items bound for one folder of the device's location, in plan order (at most one offer's). */
export interface Batch {
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
  if (it.dst === null) throw new VssError('IO', `item ${it.idx} of the transfer does not say where it goes`);
  return it.dst;
}
