import { posix } from 'node:path';
import type { Stream } from '@libp2p/interface';
import { v5 as uuidv5 } from 'uuid';
import { VssError } from '../../../core/errors.js';
import { atMost } from '../../../core/at-most.js';
import { blake3File } from '../../../core/file-blake3.js';
import { metaOf } from '../../../files/kept-meta.js';
import { placeInLibrary, placeOf } from '../../../files/places.js';
import { CancelledByUser, type JobOutcome, type JobRunContext } from '../../../jobs/job-kind.js';
import { isTransient, TryAgainLater } from '../../../jobs/transient.js';
import { openInside } from '../../../storage/confined-open.js';
import { factsAt } from '../../../storage/local-tree.js';
import type { FileOpItemRecord } from '../../../store/file-op-items.js';
import { keptOfFacts } from '../../../sync/library/originals.js';
import { cancelDrop, DropRefused, sendDrop, type DropItem } from '../../../sync/drop/send.js';
import { DROP_MAX_ITEMS } from '../../../sync/messages/table.js';
import { deviceWaitNote, waitForDevice } from '../../../sync/network-wait.js';
import { PeerRefused } from '../../../sync/net/peer-errors.js';
import type { PairedDevice } from '../../../sync/pairing/paired-devices.js';
import type { OpHost, OpNetwork } from '../../op.js';
import { indexedSource } from '../../op-items.js';
import type { ToDeviceParams } from '../to-device-run.js';
import { sourceProblem } from './source-identity.js';
import type { Batch, PutContext, TransferTarget } from './target.js';

/** A paired device as a transfer to it finds it when it runs. */
export type DropTarget = Pick<PairedDevice, 'device_uuid' | 'peer_id' | 'name'>;

/** How often a job waiting for its device looks again: it goes on within this of the device connecting. */
export const DEVICE_WAIT_MS = 3_000;
/** Offers of one job under way at once: each has a fixed cost (its stream, the receiver's checks and journal), which one after the other left both devices idle. */
const OFFERS_IN_FLIGHT = 3;
/** Files of an offer looked at at once before it is made. */
const CHECKS_IN_FLIGHT = 16;
/** How often a job about to offer to a device not connected dials it itself (a sleeping device is not dialled every few seconds). */
const REDIAL_EVERY_MS = 30_000;
const OPEN_TIMEOUT_MS = 10_000;
/** When each device not connected was last dialled directly by a job about to offer to it (by device uuid). */
const dialledAt = new Map<string, number>();

/** Items bound for one folder of the device's location, in plan order (at most one offer's). */
export interface DeviceBatch extends Batch {
  dir: string;
}

/**
 * Where a transfer to a paired device lands (strategies.ts: here → device; a copy, a move, a
 * protect's copies, a send into its inbox, a library's snapshot): each batch of items bound for one
 * folder offered over /vss/drop (`place` into a location, `offer` into the inbox), at most
 * DROP_MAX_ITEMS an offer, each offer a transfer whose id follows from the job's and its first
 * item, so one made again after a kill resumes from the receiver's partials and journal. A protect
 * offers each file with its content's whole BLAKE3: the receiver keeps only those bytes (a rotten
 * source is refused, and recorded). A file gone or changed since the plan, or one the receiver
 * refuses, is left out with its reason and the rest of its offer goes on as an offer of its own
 * (`segmentsOf`); the job waits (no attempt spent) while the device is away.
 */
export class DeviceTarget implements TransferTarget {
  readonly inFlight = OFFERS_IN_FLIGHT;
  readonly landsHere = false;
  /** Bytes that crossed the network in this run (a resumed offer: only the rest). */
  bytesSent = 0;
  private rows: FileOpItemRecord[] = [];
  /**
   * Items ended in an earlier run that could not be offered again (a move's source gone, and the
   * receiver no longer knows the offer: its journal forgotten after days away): an offer is cut
   * after each, as at an item left out, so the rest go under offers of their own.
   */
  private readonly cuts = new Set<number>();
  /** A protect copies a content: offered with its BLAKE3. A copy, move or send copies a file as it is now, hashed as it is sent. */
  private readonly contentOffered: boolean;

  /**
   * MADEIN: the sources are files vss made itself in that folder of the library's own (a library
   * snapshot on its way: backup-to-device.ts), each offered with the BLAKE3 its row's `meta`
   * recorded when it was made; absent: files of this device's locations.
   */
  constructor(private readonly host: OpHost, private readonly job: JobRunContext, private readonly dev: DropTarget, private readonly p: ToDeviceParams, private readonly madeIn?: string) {
    this.contentOffered = p.op === undefined && p.location !== undefined;
  }

  load(rows: FileOpItemRecord[]): FileOpItemRecord[] {
    return (this.rows = rows);
  }

  /** The same batches every run (their offers are named by their first item), those with anything left to do. */
  batches(): DeviceBatch[] {
    return batchesOf(this.rows).filter((b) => b.items.some((it) => it.state === 'todo'));
  }

  /** BATCH offered until each of its items is confirmed or left out; the job's wait where the device is away. */
  async put(b: Batch, ctx: PutContext): Promise<JobOutcome | undefined> {
    const batch = b as DeviceBatch;
    const move = this.p.op === 'move';
    for (;;) {
      const state = new Map(batch.items.map((it) => [it.idx, ctx.stateOf(it)]));
      const seg = segmentsOf(batch, state, this.cuts).find((s) => s.items.some((it) => state.get(it.idx) === 'todo'));
      if (!seg) return undefined;
      const gone = seg.items.filter((it) => state.get(it.idx) === 'todo').flatMap((it) => {
        const why = this.problemOf(it, move);
        return why ? [{ it, why }] : [];
      });
      if (gone.length > 0) {
        for (const g of gone) ctx.leaveOut(g.it, g.why);
        continue;
      }
      try {
        const wait = await this.offer(seg, ctx);
        if (wait) return wait;
      } catch (err) {
        const bad = await this.faultyItem(seg, err, ctx);
        if (!bad) throw err;
        if (ctx.stateOf(bad.it) === 'todo') {
          if (bad.rotten) ctx.leaveOutRotten(bad.it, bad.rotten.found, bad.rotten.expected, `${this.dev.name} kept nothing of it`);
          else ctx.leaveOut(bad.it, bad.why);
        } else if (!this.cuts.has(bad.it.idx)) this.cuts.add(bad.it.idx);
        else throw err;
      }
    }
  }

  /**
   * One offer of SEG, each file confirmed as the receiver says it is verified and flushed there:
   * the job's wait (no attempt spent) while the device is not reached. A cancel tells the
   * receiver, which drops its partials; a refusal is the receiver's reason, tried again only
   * where it says so.
   */
  private async offer(seg: DeviceBatch, ctx: PutContext): Promise<JobOutcome | undefined> {
    const { p, dev } = this;
    const net = this.host.network();
    if (!net) return { state: 'wait', reason: `waiting for this daemon's network to reach ${dev.name}`, delayMs: DEVICE_WAIT_MS };
    const signal = this.job.signal;
    const byName = new Map(seg.items.map((it) => [posix.basename(there(it)), it]));
    const confirmed = async (it: FileOpItemRecord, skipped: boolean, name: string) => {
      const final = p.location_name !== undefined ? placedPath(dev, p.location_name, seg.dir, name) : name;
      await ctx.confirm([{ it, landed: { final, ...(skipped ? { skipped: true, note: `${name} is there already` } : {}) } }]);
    };
    // The receiver counts what it holds already, files ended in an earlier run among them: those are
    // the loop's count, not this offer's (a resumed copy would show done before its end).
    const before = seg.items.reduce((n, it) => n + (ctx.stateOf(it) === 'todo' ? 0 : it.size), 0);
    let seen = 0;
    let counted = 0;
    const onBytes = (n: number) => {
      seen += n;
      const now = Math.max(0, seen - before);
      if (now > counted) ctx.moved(now - counted);
      counted = Math.max(counted, now);
    };
    const first = seg.items[0]!.idx;
    const transfer = p.one_offer === true && first === 0 ? p.transfer : uuidv5(String(first), p.transfer);
    const into = p.library !== undefined && p.location !== undefined
      ? { library: p.library, location: p.location, dir: seg.dir, onConflict: p.on_conflict ?? 'keep-both', ...(p.force === true ? { force: true } : {}) }
      : undefined;
    const refused = (err: PeerRefused) => new VssError('PEER', err.why === 'not-paired' ? `${dev.name} refused: this device is not paired with it` : `${dev.name} refused: ${err.message}`, { cause: err });
    const open = (within = signal) => openOnce(net, dev, AbortSignal.any([within, AbortSignal.timeout(OPEN_TIMEOUT_MS)]));
    const cancel = () => openOnce(net, dev, AbortSignal.timeout(OPEN_TIMEOUT_MS)).then((st) => cancelDrop(st, transfer, into)).catch(() => undefined);
    let dialled: Stream | undefined;
    if (!net.connected().some((r) => r.deviceUuid === dev.device_uuid)) {
      // Not connected: dialled now and then, so a device that refuses this one (it unpaired it) says
      // so at once rather than be waited for; else the job waits (no attempt spent) and looks again,
      // and a device that comes back dials this one itself.
      if (Date.now() - (dialledAt.get(dev.device_uuid) ?? 0) < REDIAL_EVERY_MS) return waitFor(net, dev, 'not connected');
      dialledAt.set(dev.device_uuid, Date.now());
      try {
        dialled = await open();
      } catch (err) {
        if (err instanceof PeerRefused) throw refused(err);
        if (signal.aborted) throw err;
        return waitFor(net, dev, (err as Error).message);
      }
    }
    // A few files looked at at once: each is an open, a stat and a close in the thread pool, one after the other a batch's wait.
    const items: DropItem[] = new Array(seg.items.length);
    try {
      await atMost(seg.items.map((_, i) => i), CHECKS_IN_FLIGHT, async (i) => {
        items[i] = await this.offered(seg.items[i]!, signal);
      });
    } catch (err) {
      dialled?.abort(err as Error);
      throw err;
    }
    let sent;
    try {
      // An older receiver that must know each BLAKE3 first gets a fresh stream once they are taken.
      sent = await sendDrop(dialled ?? (await open()), transfer, items, {
        signal, reopen: open, onBytes, ...(into ? { into } : {}),
        onSaved: (i, name, skipped) => confirmed(byName.get(items[i]!.name)!, skipped, name),
      });
    } catch (err) {
      if (signal.reason instanceof CancelledByUser) {
        await cancel();
        throw err;
      }
      if (signal.aborted) throw err;
      if (err instanceof PeerRefused) throw refused(err);
      if (err instanceof DropRefused) throw err.retry ? new TryAgainLater(err.message, { cause: err }) : err;
      // The device went away: the job waits for it (no attempt spent) and goes on once it connects.
      if (err instanceof VssError && (err.code === 'UNAVAILABLE' || err.code === 'NO_DAEMON')) return waitFor(net, dev, err.message);
      // A failure of this side's ends the transfer (the receiver drops its partials now, not days
      // later), unless it is one file's (changed while sent, unreadable): the job leaves that one out
      // and offers the rest again under this transfer's id, which the receiver's journal answers.
      if (!isTransient(err) && !(err instanceof VssError && err.path !== undefined)) await cancel();
      throw err;
    }
    this.bytesSent += sent.bytesSent;
    return undefined;
  }

  /**
   * IT as its offer names it, its file checked as the send will open it: where it is here, its
   * name there, and the BLAKE3 it must have where known. A move cut off after the receiver
   * confirmed a file and its source went is offered as planned: the receiver answers it placed
   * (never opened).
   */
  private async offered(it: FileOpItemRecord, signal: AbortSignal): Promise<DropItem> {
    signal.throwIfAborted();
    const m = metaOf(it.meta);
    const name = posix.basename(there(it));
    const made = this.madeIn;
    const b = made !== undefined ? m.blake3 : this.contentOffered ? indexedSource(this.host.lib, it.src)?.blake3 ?? undefined : undefined;
    const blake3 = b !== undefined ? { blake3: b } : {};
    try {
      // Opened as the send will open it, once: a file of a location reached through no symlinked folder, or one vss made.
      const root = made ?? placeInLibrary(this.host.lib, it.src, 'a file to send').root.root;
      const { fh, facts } = await openInside(root, it.src);
      await fh.close();
      const kept = keptOfFacts(facts);
      return { path: it.src, root, checked: { dev: facts.dev, inode: facts.inode }, size: facts.size, mode: kept.mode, ...(kept.mtimeMs !== undefined ? { mtime_ms: kept.mtimeMs } : {}), name, ...blake3 };
    } catch (err) {
      const root = placeOf(this.host.lib, it.src)?.root.root;
      if (this.p.op === 'move' && root !== undefined && !factsAt(it.src)) {
        return { path: it.src, root, name, size: it.size, ...(m.mtime_ms !== undefined ? { mtime_ms: m.mtime_ms } : {}), ...blake3 };
      }
      if (err instanceof VssError && err.code !== 'IO') throw err;
      throw new VssError('NOT_FOUND', `${it.src} cannot be read: ${(err as Error).message}`, { path: it.src, cause: err });
    }
  }

  private problemOf(it: FileOpItemRecord, move = false): string | undefined {
    return sourceProblem(this.host.lib, it, { madeIn: this.madeIn, goneOk: move });
  }

  /**
   * The item of SEG that ERR is the fault of, and why it is left out: a file the receiver refused
   * (its bytes are not the file offered: hashed here again; rot where it is its content's no more),
   * or one this side could not read (gone, changed, unreadable); undefined where ERR is not one file's.
   */
  private async faultyItem(seg: DeviceBatch, err: unknown, ctx: PutContext): Promise<{ it: FileOpItemRecord; why: string; rotten?: { found: string; expected: string } } | undefined> {
    const lib = this.host.lib;
    if (err instanceof DropRefused) {
      const it = err.index !== undefined && !err.retry ? seg.items[err.index] : undefined;
      if (!it) return undefined;
      const problem = this.problemOf(it);
      if (problem) return { it, why: problem };
      // Only a file offered as its content's bytes is judged against them (a copy's may be newer than the index: not rot).
      const source = indexedSource(lib, it.src);
      if (!this.contentOffered || !source?.blake3) return { it, why: `${this.dev.name} refused it (${err.reason.slice(0, 200)}): it changed while it was sent; left out` };
      const found = await blake3File(it.src, { signal: ctx.signal }).then((h) => h.checksum, () => null);
      if (found === null) return { it, why: 'its file cannot be read: left out' };
      if (found === source.blake3) return { it, why: `${this.dev.name} received other bytes than were sent (${err.reason.slice(0, 200)}): left out` };
      return { it, why: '', rotten: { found, expected: source.blake3 } };
    }
    if (!(err instanceof VssError) || err.path === undefined || (err.code !== 'IO' && err.code !== 'NOT_FOUND' && err.code !== 'PATH_REFUSED')) return undefined;
    const it = seg.items.find((x) => x.src === err.path);
    if (!it) return undefined;
    return { it, why: this.problemOf(it) ?? `${err.message.slice(0, 300)}: left out` };
  }
}

/**
 * The offers BATCH makes: its items cut at those left out (STATE 'skipped'), each run of them an
 * offer whose transfer follows from its first item. Nothing left out: the batch whole, one offer,
 * the same every run. The run before an item left out is a prefix of the offer it was cut from,
 * so the receiver's journal of that transfer still answers what it placed; the run after it is a
 * new transfer (a refused transfer's journal is gone on the receiver: an offer of the files it
 * placed before the refusal would land them twice).
 */
export function segmentsOf(batch: DeviceBatch, state: ReadonlyMap<number, FileOpItemRecord['state']>, cuts: ReadonlySet<number> = new Set()): DeviceBatch[] {
  const out: DeviceBatch[] = [];
  let cur: DeviceBatch | undefined;
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

/** ITEMS grouped by the folder they land in, in plan order, each group cut at DROP_MAX_ITEMS: the same batches every run. */
function batchesOf(items: readonly FileOpItemRecord[]): DeviceBatch[] {
  const open = new Map<string, DeviceBatch>();
  const out: DeviceBatch[] = [];
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

/** Where IT lands in the device's location (every item of a transfer to a device names it). */
export function there(it: FileOpItemRecord): string {
  if (it.dst === null) throw new VssError('IO', `item ${it.idx} of the transfer does not say where it goes`);
  return it.dst;
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
export function waitFor(net: Pick<OpNetwork, 'settling' | 'redial'>, dev: DropTarget, why: string): JobOutcome {
  return waitForDevice(net, dev.name, deviceWaitNote(dev.name, why), DEVICE_WAIT_MS);
}

/** A /vss/drop stream to DEV; a failure to open one is the device's refusal (PeerRefused) or UNAVAILABLE. */
async function openOnce(net: OpNetwork, dev: DropTarget, signal: AbortSignal): Promise<Stream> {
  try {
    return await net.open(dev.peer_id, 'drop', signal);
  } catch (err) {
    if (err instanceof PeerRefused) throw err;
    throw new VssError('UNAVAILABLE', `${dev.name} is not reachable now (${messageOf(err).slice(0, 200)})`, { cause: err });
  }
}

/** What ERR says, whatever it is (libp2p may reject with an event rather than an Error). */
function messageOf(err: unknown): string {
  if (err instanceof Error && typeof err.message === 'string' && err.message !== '') return err.message;
  const type = (err as { type?: unknown } | undefined)?.type;
  return typeof type === 'string' ? `${type} event` : String(err);
}
