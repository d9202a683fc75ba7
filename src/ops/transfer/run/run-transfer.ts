import { dirname, relative, sep } from 'node:path';
import { crashPoint } from '../../../core/crash-point.js';
import { VssError } from '../../../core/errors.js';
import { fsyncDirAsync } from '../../../core/fs-atomic.js';
import { childLog } from '../../../core/log.js';
import type { FileOp, OnConflict } from '../../../files/file-op.js';
import { placeOf } from '../../../files/places.js';
import { leavingOf, type LeavingFile } from '../../../files/plan.js';
import { reindexAfter } from '../../../files/reindex.js';
import { policyRefusal, type DropHold } from '../../../guardian/guard.js';
import { recordRotFound } from '../../../guardian/rot-found.js';
import { moveIndexed } from '../../../indexer/move-indexed.js';
import type { KnownBytes } from '../../../indexer/identification.js';
import type { JobOutcome, JobRunContext } from '../../../jobs/job-kind.js';
import type { JobRow } from '../../../jobs/states.js';
import { TryAgainLater } from '../../../jobs/transient.js';
import type { Library } from '../../../library/library.js';
import { ConfinedRoot } from '../../../library/confine.js';
import { factsAt, localFactsOf } from '../../../storage/local-tree.js';
import { storageAt } from '../../../storage/storages.js';
import type { FileOpItemRecord, FinishedItem } from '../../../store/file-op-items.js';
import { changedNote, copyChangedNote, readAsOf, stillAsLanded, stillAsRead, type ReadAs } from './source-identity.js';
import type { Batch, Landed, PutContext, TransferTarget } from './target.js';

const log = childLog('transfer');

/** How soon a job whose file another device counts on now (its lock) asks again (no attempt spent). */
const LOCKED_RETRY_MS = 1_000;

/**
 * The Guardian's weighing of what a run takes away (given by the operation with its witnesses,
 * ops/file-ops.ts): the files LEAVING weighed now (FORCED: only the other devices' locks on them
 * are respected). What it answers is held while the run deletes, moves or replaces them.
 */
export type DropGuard = (leaving: readonly LeavingFile[], forced: boolean, signal: AbortSignal) => Promise<DropHold>;

/** What the loop needs to know of the job beside its target. */
export interface TransferRunOptions {
  /** What happens to the sources: a copy leaves them, a move removes each once its copy is confirmed, a delete is the target's. */
  op: FileOp;
  onConflict: OnConflict;
  /** Asked with --force: only the other devices' locks are respected by the guard. */
  forced?: boolean;
  /** The Guardian's weighing of what the run takes away (a move's sources, a delete's files, what a replace gives up). */
  guard?: DropGuard;
  /** Only the job's items from FROM on, at most LIMIT of them (a job of many, run a page at a time: its caller loops); absent: all. */
  page?: { from: number; limit: number };
  /** What the job says once every item ended: its note and result. */
  said(rows: readonly FileOpItemRecord[]): { note: string; result: unknown };
}

/**
 * The one item loop of every transfer (issue 57): a copy or move here, to a paired device or into
 * a bucket, a protect's copies, a send, a snapshot to a device, and a delete's steps here. It reads
 * the job's rows, hands their batches to TARGET (a few in flight where the target says), and does
 * for every way, once: progress, the Guardian held and asked again before anything goes, an item
 * left out with its reason, a move's source removed only while it is still the file that was read
 * (its size, times, inode and device as read before the put; else kept, and said), the rows
 * finished a batch at a time, and the index told what landed here and what left.
 */
export async function runTransfer(lib: Library, job: JobRow, target: TransferTarget, ctx: JobRunContext, opts: TransferRunOptions): Promise<JobOutcome> {
  const run = new TransferRun(lib, job, target, ctx, opts);
  try {
    return await run.run();
  } finally {
    target.close?.();
    await run.release();
  }
}

class TransferRun {
  private rows: FileOpItemRecord[] = [];
  private readonly byIdx = new Map<number, FileOpItemRecord>();
  private readonly read = new Map<number, ReadAs>();
  /** The items whose sources are names of one file with several (by device and inode), as read. */
  private readonly names = new Map<string, number[]>();
  private readonly known = new Map<string, KnownBytes>();
  /** Folders this run made (Landed.made): the index writes their rows without listing them. */
  private readonly made = new Set<string>();
  private readonly finishing: FinishedItem[] = [];
  private finishTimer: NodeJS.Immediate | undefined;
  private total = 0;
  private ended = 0;
  /** Bytes moved by each batch not ended yet, less those of its items that ended (a batch here may still be landing once put). */
  private readonly moving = new Map<Batch, { bytes: number; left: number }>();
  private hold: DropHold | null = null;
  /** Whether anything ended in this run (what to index). */
  private touched = false;
  /** Items the index already follows (a rename within one location, moved in it at once). */
  private readonly inPlace = new Set<number>();

  constructor(private readonly lib: Library, private readonly job: JobRow, private readonly target: TransferTarget, private readonly ctx: JobRunContext, private readonly opts: TransferRunOptions) {}

  async run(): Promise<JobOutcome> {
    const page = this.opts.page;
    const loaded = page ? this.lib.store.fileOpItems.page(this.job.id, page.from, page.limit) : this.lib.store.fileOpItems.of(this.job.id);
    this.rows = this.target.load ? this.target.load(loaded) : loaded;
    for (const it of this.rows) this.byIdx.set(it.idx, it);
    this.total = this.rows.reduce((n, it) => n + Math.max(0, it.size), 0);
    this.ended = this.rows.reduce((n, it) => n + (it.state === 'todo' ? 0 : Math.max(0, it.size)), 0);
    this.progress();
    let stop: JobOutcome | undefined;
    try {
      await this.target.ready?.();
      const todo = this.rows.filter((it) => it.state === 'todo');
      stop = await this.guardAgain(todo);
      if (stop) return stop;
      stop = await this.putAll(this.target.batches(todo));
      await this.target.settle?.(false);
    } catch (err) {
      await this.target.settle?.(true).catch(() => undefined);
      this.finishNow();
      await this.index();
      const out = this.ctx.signal.aborted ? undefined : this.target.explain?.(err);
      if (out) return out;
      throw err;
    }
    this.finishNow();
    // Also when nothing was left to do: a killed run may have ended every item but not indexed them.
    await this.index(true);
    if (stop) return stop;
    // The rows as this run holds them: each ended here was written as it is held (end, finishNow), so they are not read again.
    const { note, result } = this.opts.said(this.rows);
    return { state: 'completed', note, result: JSON.stringify(result) };
  }

  async release(): Promise<void> {
    clearImmediate(this.finishTimer);
    await this.hold?.release();
  }

  /** BATCHES put, at most the target's in flight at once; the first wait any of them meets stops the rest. */
  private async putAll(batches: Batch[]): Promise<JobOutcome | undefined> {
    let next = 0;
    let stop: JobOutcome | undefined;
    let failed: unknown;
    const worker = async () => {
      while (stop === undefined && failed === undefined && next < batches.length) {
        const b = batches[next++]!;
        try {
          this.ctx.signal.throwIfAborted();
          this.readSources(b);
          this.moving.set(b, { bytes: 0, left: b.items.filter((it) => this.byIdx.get(it.idx)?.state === 'todo').length });
          const wait = await this.target.put(b, this.contextOf(b));
          if (wait) stop ??= wait;
        } catch (err) {
          failed ??= err;
          this.moving.delete(b);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(this.target.inFlight, batches.length)) }, worker));
    if (failed !== undefined) throw failed;
    return stop;
  }

  /**
   * Which file each of B's sources is now, before its target reads it (a move removes it only
   * while it is still that file). A rename's too: one that meets another filesystem after all (a
   * bind mount, EXDEV) is copied, and its source then goes by the same rule.
   */
  private readSources(b: Batch): void {
    if (this.opts.op !== 'move') return;
    for (const it of b.items) {
      if (it.kind !== 'file' && it.kind !== 'rename') continue;
      const st = factsAt(it.src);
      if (st && st.kind !== 'dir') {
        this.read.set(it.idx, readAsOf(st));
        if (st.nlink > 1) this.names.set(`${st.dev}:${st.inode}`, [...(this.names.get(`${st.dev}:${st.inode}`) ?? []), it.idx]);
      } else this.read.delete(it.idx);
    }
  }

  private contextOf(b: Batch): PutContext {
    return {
      signal: this.ctx.signal,
      moved: (n) => {
        const m = this.moving.get(b);
        if (m) m.bytes += n;
        this.progress();
      },
      confirm: (items) => this.confirm(b, items),
      leaveOut: (it, note) => {
        if (this.end(it, { idx: it.idx, state: 'skipped', final: null, blake3: null, note })) this.credit(b, it);
      },
      leaveOutRotten: (it, found, expected, nothingKept) => {
        const place = placeOf(this.lib, it.src);
        const rot = place ? recordRotFound(this.lib, place.locationId, place.rel, found) : false;
        const why = rot ? ': rot, recorded (vss guardian list --rot; vss guardian repair mends it from a good copy)' : ' (changed or rotted: vss guardian scrub tells which)';
        if (this.end(it, { idx: it.idx, state: 'skipped', final: null, blake3: null, note: `its bytes hash to ${found.slice(0, 16)}…, not its content's ${expected.slice(0, 16)}…${why}; ${nothingKept}` })) this.credit(b, it);
      },
      stillGuarded: () => this.stillGuarded(),
      stateOf: (it) => this.byIdx.get(it.idx)?.state ?? it.state,
    };
  }

  /**
   * ITEMS landed there: each move's source removed while it is still the file read (every folder
   * a source left flushed once), then their rows finished together.
   */
  private async confirm(b: Batch, items: ReadonlyArray<{ it: FileOpItemRecord; landed: Landed }>): Promise<void> {
    const fresh = items.filter(({ it }) => this.byIdx.get(it.idx)?.state === 'todo');
    if (this.opts.op === 'move' && fresh.some(({ it, landed }) => it.kind === 'file' && landed.skipped !== true)) crashPoint('transfer:before-source-removed');
    const left = new Set<string>();
    const rows: Array<{ it: FileOpItemRecord; row: FinishedItem }> = [];
    for (const { it, landed } of fresh) {
      let note = landed.note ?? null;
      let state: FinishedItem['state'] = landed.skipped === true ? 'skipped' : 'done';
      if (this.opts.op === 'move' && it.kind === 'file' && state === 'done') {
        const kept = this.removeSource(it, landed);
        if (kept) {
          state = 'skipped';
          note = kept;
        } else left.add(dirname(it.src));
      }
      if (landed.known && landed.final) this.known.set(landed.final, landed.known);
      if (landed.made && landed.final) this.made.add(landed.final);
      rows.push({ it, row: { idx: it.idx, state, final: landed.final, blake3: landed.blake3 ?? null, note } });
    }
    await Promise.all([...left].map((d) => fsyncDirAsync(d).catch(() => undefined)));
    for (const { it, row } of rows) if (this.end(it, row)) this.credit(b, it);
    // A rename within one location: the index follows it at once, in one write (nothing listed again for it).
    for (const { it, landed } of fresh) {
      if (landed.renamed && this.byIdx.get(it.idx)?.state === 'done' && moveIndexed(this.lib, landed.renamed.locationId, landed.renamed.from, landed.renamed.to)) this.inPlace.add(it.idx);
    }
  }

  /**
   * IT's source removed, the copy LANDED confirmed: only while it is still the file that was read,
   * and its copy here still the one proved. Answers why it was kept, or undefined once it is gone
   * (or was gone already: a run killed after removing it; nothing of another file's is ever
   * removed for it).
   */
  private removeSource(it: FileOpItemRecord, landed: Landed): string | undefined {
    const read = this.read.get(it.idx);
    if (!factsAt(it.src)) {
      // Not there: removed already (a run killed after removing it), unless a drive of the job is
      // away (unplugged between the copy and this look): then the job waits, the item not ended.
      if (this.target.indexable?.() === false) throw new VssError('UNAVAILABLE', `${it.src} cannot be looked at: its drive is away`, { path: it.src });
      return undefined;
    }
    if (!read) return changedNote(it.src, landed.final);
    if (landed.known && landed.final !== null) {
      const copy = factsAt(landed.final);
      if (!stillAsLanded(landed.known, copy)) return copyChangedNote(it.src, landed.final, copy === undefined);
    }
    this.stillGuarded();
    const at = this.sourceAt(it.src);
    if (!at) return `${it.src} is no longer in a location of this device: kept (its copy is verified)`;
    // Looked at last, with nothing between the look and the removal that another program could write in (local-disk.ts).
    const gone = storageAt(at.root).removeIfStill(at.rel, (now) => stillAsRead(read, localFactsOf(now)));
    if (gone.state === 'changed') return changedNote(it.src, landed.final);
    if (gone.state === 'removed' && gone.was!.nlink > 1) this.otherNamesRead(it.idx, read);
    return undefined;
  }

  /** Where source SRC is removed from: its location, or the folder this machine's user named it in (outside every location). */
  private sourceAt(src: string): { root: ConfinedRoot; rel: string } | undefined {
    const place = placeOf(this.lib, src);
    if (place) return place;
    const outside = this.target.outsideRoot?.(src);
    return outside === undefined ? undefined : { root: new ConfinedRoot(outside, 'the folder named'), rel: relative(outside, src).split(sep).join('/') };
  }

  /**
   * The other names of the file READ (item IDX's source, just removed), read as it was: removing
   * a name changes the file's ctime and link count, not its bytes, so each is taken as read again
   * while its size and times are still what they were (a write since moves its mtime: kept).
   */
  private otherNamesRead(idx: number, read: ReadAs): void {
    for (const other of this.names.get(`${read.dev}:${read.inode}`) ?? []) {
      const was = this.read.get(other);
      const it = this.byIdx.get(other);
      if (other === idx || !was || !it || was.ctimeMs !== read.ctimeMs) continue;
      const now = factsAt(it.src);
      if (now && now.inode === was.inode && now.dev === was.dev && now.size === was.size && now.mtimeMs === was.mtimeMs) this.read.set(other, readAsOf(now));
    }
  }

  /** IT ended as ROW (once: an item ended before is not ended again); its row is written with the others soon. */
  private end(it: FileOpItemRecord, row: FinishedItem): boolean {
    const mine = this.byIdx.get(it.idx);
    if (!mine || mine.state !== 'todo') return false;
    Object.assign(mine, { state: row.state, final: row.final, blake3: row.blake3, note: row.note });
    this.finishing.push(row);
    this.finishTimer ??= setImmediate(() => this.finishNow());
    this.touched = true;
    return true;
  }

  /** IT's bytes count as ended (its batch's moving bytes no longer do). */
  private credit(b: Batch, it: FileOpItemRecord): void {
    const size = Math.max(0, it.size);
    this.ended += size;
    const m = this.moving.get(b);
    if (m) {
      m.bytes = Math.max(0, m.bytes - size);
      if (--m.left <= 0) this.moving.delete(b);
    }
    this.progress();
  }

  private finishNow(): void {
    clearImmediate(this.finishTimer);
    this.finishTimer = undefined;
    if (this.finishing.length > 0) this.lib.store.fileOpItems.finishMany(this.job.id, this.finishing.splice(0));
  }

  private progress(): void {
    let moving = 0;
    for (const m of this.moving.values()) moving += m.bytes;
    this.ctx.progress(Math.min(this.total, Math.round(this.ended + moving)), this.total);
  }

  /**
   * What the run takes away (a delete's files, a move's sources, what a replace gives up) weighed
   * by the Guardian as it runs, not only when it was asked: another delete run meanwhile, a file
   * changed, a device gone, can make what was safe then the last copy now. Refused whole then,
   * before anything more goes; a file another device counts on now makes the job wait. What the
   * weighing holds (the other devices' locks) is kept until the run ends.
   */
  private async guardAgain(todo: readonly FileOpItemRecord[]): Promise<JobOutcome | undefined> {
    if (!this.opts.guard) return undefined;
    const leaving = leavingOf(this.lib, this.opts.op, todo, this.opts.onConflict);
    if (leaving.length === 0) return undefined;
    const forced = this.opts.forced === true;
    const hold = await this.opts.guard(leaving, forced, this.ctx.signal);
    if (hold.lockedBy) {
      await hold.release();
      return { state: 'wait', reason: `${hold.lockedBy.device} counts on ${hold.lockedBy.path} now (it is dropping its own copy): this ${this.opts.op} waits for it`, delayMs: LOCKED_RETRY_MS };
    }
    if (!forced && hold.below.length > 0) {
      await hold.release();
      throw policyRefusal(this.opts.op, hold.below, ' It was not when it was asked: a copy went or changed since, or could not be confirmed now.');
    }
    this.hold = hold;
    return undefined;
  }

  private stillGuarded(): void {
    if (this.hold && !this.hold.holds()) throw new TryAgainLater('a device that vouched for a copy stopped holding it (its lock ended) before this finished: what is done is kept, the rest is weighed again');
  }

  /**
   * What landed here and what left goes into the index at once (no rescan, no waiting for the
   * watcher): each file this run verified written from its facts and linked by its BLAKE3, the
   * other folders written into and taken from listed again. ALWAYS: also when this run ended
   * nothing (a killed run's items).
   */
  private async index(always = false): Promise<void> {
    if (!always && !this.touched) return;
    if (this.target.indexable && !this.target.indexable()) return;
    const op = this.opts.op;
    // A move's source kept because it changed: its copy landed all the same, and is indexed as every copy is.
    const rows = this.target.landsHere
      ? this.rows.filter((it) => !this.inPlace.has(it.idx)).map((it) => (it.state === 'skipped' && it.final !== null ? { ...it, state: 'done' as const } : it))
      : this.rows.filter((it) => it.state === 'done' && op === 'move').map((it) => ({ ...it, final: null }));
    if (rows.length === 0) return;
    await reindexAfter(this.lib, op, rows, this.known, this.made).catch((err: unknown) => log.warn({ err, job: this.job.id }, 'could not index what a transfer changed'));
  }
}
