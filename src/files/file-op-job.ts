import { basename, dirname, sep } from 'node:path';
import { errnoCode, VssError } from '../core/errors.js';
import { formatBytes } from '../core/format.js';
import { fsyncDirAsync } from '../core/fs-atomic.js';
import { placeInBatch } from '../core/landing.js';
import { childLog } from '../core/log.js';
import { locationOnline } from '../volumes/location-online.js';
import type { JobOutcome, JobRunContext } from '../jobs/job-kind.js';
import type { JobRow } from '../jobs/states.js';
import { PathRefusedError } from '../library/confine.js';
import type { Library } from '../library/library.js';
import type { FileOpItemRecord, FinishedItem } from '../store/file-op-items.js';
import { paramsOf, type FileOpParams, type FileOpResult } from './file-op.js';
import { leavingOf, type LeavingFile } from './plan.js';
import { TryAgainLater } from '../jobs/transient.js';

/**
 * The Guardian's weighing of what a run takes away (given by the operation: files/ sits below
 * guardian/): the files LEAVING weighed now (FORCED: only the other devices' locks on them are
 * respected). What it answers is held while the run deletes, moves or replaces them.
 */
export type DropGuard = (leaving: readonly LeavingFile[], forced: boolean, signal: AbortSignal) => Promise<GuardedDrop>;

export interface GuardedDrop {
  /** Why the drop may not go on (nothing of it is done); null: it may. */
  refusal: VssError | null;
  /** Another device counts on one of its files now: the job waits, saying so. */
  wait?: string;
  /** Whether the witnesses it leaned on still hold (another device's lock): asked before each file goes. */
  holds(): boolean;
  release(): Promise<void>;
}
import { flushAll } from '../storage/local-flush.js';
import { freeNameIn } from '../core/free-name.js';
import { partialFor } from './partial-name.js';
import { placeOf, type LibraryPlace } from './places.js';
import { reindexAfter } from './reindex.js';
import { TrashBin } from './trash-bin.js';
import type { KnownBytes } from '../indexer/identification.js';
import { copyVerified, fullBlake3, type Verified } from '../storage/local-verified-copy.js';
import { metaOf } from './kept-meta.js';
import { copySymlink, dropPartial, keepTimesAndMode, linkAs, makeFifo, NotKept, sameSymlink, XattrCopier } from '../storage/local-copy.js';
import { entriesIn, factsAt, makeFolders, namesIn, removeEmptyFolders, renameAcross, type LocalFacts } from '../storage/local-tree.js';
import { storageAt } from '../storage/storages.js';
import type { LocalDisk } from '../storage/local-disk.js';
import { followedAnchors, reachable, type Anchor } from './volume-reach.js';

const log = childLog('files');

/** A file operation may take this long at least, and longer for many bytes (as if they moved at 4 MiB/s). */
const MIN_TIMEOUT_MS = 10 * 60_000;
const SLOWEST_BYTES_PER_S = 4 * 1024 * 1024;
/** Copies in flight at once: enough to keep a disk busy with small files (RESEARCH-21: ~8). */
const IN_FLIGHT = 8;
/**
 * A batch of files is copied, flushed in one pass, and placed together: at most this many files
 * or bytes (a kill -9 redoes at most one batch; each batch costs one flush of the filesystem).
 */
const BATCH_FILES = 2048;
const BATCH_BYTES = 256 * 1024 * 1024;
/** Copies whose xattrs are sent to the helper together (a batch's are sent as they are made, not all at its end). */
const XATTRS_AT_ONCE = 256;
/** Why an item was not copied under --on-conflict skip. */
const ALREADY_THERE = 'its name is taken at the destination (--on-conflict skip)';
/** Why a name that is not UTF-8 is left where it is (its item's path shows it, \xNN for each byte that is not: it names nothing vss can open). */
const UNNAMED = {
  file: 'its name is not valid UTF-8 (shown with \\xNN for each byte that is not): vss cannot name it, so it is left where it is; rename it to have vss move, copy or delete it',
  dir: 'a folder whose name is not valid UTF-8 (shown with \\xNN for each byte that is not): vss cannot name it, so it is left where it is with all it holds; rename it to have vss move, copy or delete it',
} as const;
/** How many of the names a kept folder still holds are named. */
const KEPT_NAMES_SHOWN = 3;
/** How often a job whose drive is away looks again (no attempt spent). */
const OFFLINE_RETRY_MS = 2_000;
/** How soon a job whose file another device counts on now (its lock) asks again (no attempt spent). */
const LOCKED_RETRY_MS = 1_000;
/** A destination folder with more names than this is not listed: each of its names is looked up instead. */
const MAX_LISTED = 100_000;

/** How long a file operation job may run: long enough for its bytes at the slowest speed expected. */
export function fileOpTimeoutMs(job: JobRow): number {
  return Math.max(MIN_TIMEOUT_MS, (job.bytes / SLOWEST_BYTES_PER_S) * 1000);
}

/**
 * The libraries with a delete running: a library's deletes run one at a time, each weighed by the
 * Guardian as it starts (guardAgain), since two at once would each count the other's files as
 * still there. A library is open in one process only (its lock), so this is every delete of it.
 */
const deleting = new WeakSet<Library>();
/** How soon a delete that found another one running asks again (a wait spends no attempt). */
const DELETE_BEHIND_MS = 500;

/** Run the file operation job JOB of LIB (the `run` of the kinds `files-copy|move|delete`, src/ops/). */
export async function runFileOp(lib: Library, job: JobRow, ctx: JobRunContext, guard?: DropGuard): Promise<JobOutcome> {
  const run = new FileOpRun(lib, job, ctx, guard);
  if (!run.deletes) return run.run();
  // Not queued behind it in this process: a wait neither runs out the job's time nor ignores a cancel.
  if (deleting.has(lib)) return { state: 'wait', reason: 'another delete of this library is running: this one follows it', delayMs: DELETE_BEHIND_MS };
  deleting.add(lib);
  try {
    return await run.run();
  } finally {
    deleting.delete(lib);
  }
}

/** Partials removed at once, at most. */
const DISCARD_IN_FLIGHT = 64;

/**
 * What the cancelled file operation JOB leaves, removed: the partial of each file it had not
 * placed. A run drops its own partials as it ends, whatever ends it; one killed mid-way leaves
 * them for the next run, which the cancel means will not come.
 */
export async function discardFileOp(lib: Library, job: JobRow): Promise<void> {
  const moved = followedAnchors(paramsOf(job).anchors);
  const at = (path: string) => (moved ? moved.follow(path) : path);
  const left = lib.store.fileOpItems.of(job.id).filter((it) => it.kind === 'file' && it.state === 'todo' && it.dst !== null);
  for (let i = 0; i < left.length; i += DISCARD_IN_FLIGHT) {
    await Promise.all(left.slice(i, i + DISCARD_IN_FLIGHT).map((it) => dropPartial(partialFor(dirname(at(it.dst!)), job.id, it.idx))));
  }
}

/** A source found gone when its copy began (the lstat's ENOENT, as it was). */
class SourceGone extends Error {}

/** A drive of the operation is away: the job waits for it (no attempt spent). */
class SideOffline extends Error {
  constructor(readonly path: string, name?: string) {
    super(`waiting for the drive${name ? ` "${name}"` : ''} of ${path} (offline)`);
  }
}

/** One run of one file operation job: its items not yet done, in order, each durable before it counts as done. */
class FileOpRun {
  private p: FileOpParams;
  private done = 0;
  private readonly partials = new Set<string>();
  private readonly started = Date.now();
  /** Items this run finished (done or skipped). */
  private finished = 0;
  /** Folders this run made or found (each checked once a run). */
  private readonly made = new Set<string>();
  /** Destination folders' names as first listed (null: too many to keep; each is looked up). */
  private readonly listed = new Map<string, Set<string> | null>();
  /** The files this run placed, with the BLAKE3 it verified: the index links them without reading them again. */
  private readonly known = new Map<string, KnownBytes>();
  /** Where this run's deleted files go (a delete into the trash), made at its first file. */
  private bin: TrashBin | undefined;
  /** Every item of the job by its idx, where it is now (paths followed to where its drive is mounted now). */
  private items: FileOpItemRecord[] = [];
  private readonly xattrs = new XattrCopier();
  /** Folders given their source's times and mode in this run (a move's next source folder does not redo them). */
  private readonly keptFolders = new Set<number>();
  /** The batch being flushed and placed while the next is copied, if any. */
  private landing: Promise<void> | undefined;
  /** The place of each folder this run touched in a location (undefined: in none), looked up once a run. */
  private readonly placeOfDir = new Map<string, LibraryPlace | undefined>();

  /** The Guardian's weighing of what this run takes away, held until it ends (null: it takes nothing away). */
  private hold: GuardedDrop | null = null;

  constructor(private readonly lib: Library, private readonly job: JobRow, private readonly ctx: JobRunContext, private readonly guard?: DropGuard) {
    this.p = paramsOf(job);
  }

  /** Whether it is a delete (those run one at a time: runFileOp). */
  get deletes(): boolean {
    return this.p.op === 'delete';
  }

  /** The job's items, their paths on drives mounted elsewhere since it was queued followed there. */
  private loadItems(): FileOpItemRecord[] {
    const items = this.lib.store.fileOpItems.of(this.job.id);
    const moved = followedAnchors(this.p.anchors);
    if (!moved) return (this.items = items);
    const { follow } = moved;
    log.info({ job: this.job.id, from: this.p.anchors.map((a) => a.path), to: moved.anchors.map((a) => a.path) }, 'a drive of a file operation is mounted elsewhere now: followed');
    this.p = { ...this.p, anchors: moved.anchors, ...(this.p.dst !== undefined ? { dst: follow(this.p.dst) } : {}) };
    // The locations on it follow too, now (not at the volume poll's next look): the copy is confined to, and indexed in, them.
    for (const row of this.lib.store.locations.ofDevice(this.lib.deviceId)) locationOnline(this.lib, row.id);
    return (this.items = items.map((it) => ({ ...it, src: follow(it.src), dst: it.dst === null ? null : follow(it.dst), final: it.final === null ? null : follow(it.final) })));
  }

  async run(): Promise<JobOutcome> {
    try {
      return await this.runItems();
    } finally {
      this.xattrs.close();
      await this.hold?.release();
    }
  }

  private async runItems(): Promise<JobOutcome> {
    const items = this.loadItems();
    for (const it of items) if (it.state !== 'todo') this.done += Math.max(0, it.size);
    this.report();
    try {
      this.checkSides();
      const todo = items.filter((i) => i.state === 'todo');
      const waiting = await this.guardAgain(todo);
      if (waiting) return waiting;
      for (let i = 0; i < todo.length;) {
        this.ctx.signal.throwIfAborted();
        const it = todo[i]!;
        if (it.kind === 'file') {
          const batch: FileOpItemRecord[] = [];
          let bytes = 0;
          while (i < todo.length && todo[i]!.kind === 'file' && batch.length < BATCH_FILES && (batch.length === 0 || bytes + todo[i]!.size <= BATCH_BYTES)) {
            bytes += todo[i]!.size;
            batch.push(todo[i++]!);
          }
          // Copied while the batch before it is flushed and placed; placed only after it.
          const ready = await this.copyAll(batch);
          await this.landing;
          this.landing = this.land(ready);
          this.landing.catch(() => undefined); // awaited below: a failure meanwhile is not an unhandled one
        } else if (this.intoTrash(it)) {
          await this.landing;
          this.landing = undefined;
          const batch: FileOpItemRecord[] = [];
          while (i < todo.length && this.intoTrash(todo[i]!) && batch.length < BATCH_FILES) batch.push(todo[i++]!);
          await this.trashAll(batch);
        } else {
          await this.landing;
          this.landing = undefined;
          // A move's source folders go last: the copies' folders get their times from them first.
          if (it.kind === 'dir' && it.dst === null) await this.keepFolders();
          await this.one(it);
          i++;
        }
      }
      await this.landing;
      this.landing = undefined;
      await this.keepFolders();
    } catch (err) {
      // A batch still landing ends first (its items are done or not, never half said).
      await this.landing?.catch(() => undefined);
      this.landing = undefined;
      await this.dropPartials();
      if (this.finished > 0) await this.reindex();
      const outcome = this.explain(err);
      if (outcome) return outcome;
      throw err;
    }
    // Also when this run had nothing left to do: a killed run may have finished every item but not indexed them.
    await this.reindex();
    const result = this.result();
    return { state: 'completed', note: summaryOf(result), result: JSON.stringify(result) };
  }

  /**
   * What is done goes into the index at once, whatever becomes of the rest (no rescan, no waiting
   * for the watcher). Never while a drive of the operation is away: its empty mount point would
   * read as a folder emptied (the next run does it).
   */
  private async reindex(): Promise<void> {
    if (!this.p.anchors.every(reachable)) return;
    const copied = Date.now();
    await reindexAfter(this.lib, this.p.op, this.items, this.known).catch((err: unknown) => log.warn({ err, job: this.job.id }, 'could not index what a file operation changed'));
    log.debug({ job: this.job.id, runMs: copied - this.started, indexMs: Date.now() - copied }, 'file operation ran');
  }

  /** A failure the job turns into a wait (a drive away) or a clear error of its own (a full or read-only destination). */
  private explain(err: unknown): JobOutcome | undefined {
    if (this.ctx.signal.aborted) return undefined;
    if (err instanceof SideOffline) return { state: 'wait', reason: err.message, delayMs: OFFLINE_RETRY_MS };
    // Whatever the failure said (a source "gone", an I/O error), a drive of the operation that is
    // away explains it: the job waits for that drive, source or destination alike.
    const away = this.p.anchors.find((a) => !reachable(a));
    if (away) return { state: 'wait', reason: new SideOffline(away.path, this.driveName(away)).message, delayMs: OFFLINE_RETRY_MS };
    const code = errnoCode(err);
    const where = this.p.dst ?? (err as { path?: string }).path ?? 'the destination';
    // Not the library's disk: the runner would pause generation for it. Said here, without the system error's code.
    if (code === 'ENOSPC' || code === 'EDQUOT') throw new VssError('IO', `the destination ${where} is full: ${this.whatIsKept()} (make room, then vss jobs retry ${this.job.id})`, { path: where });
    if (code === 'EROFS') throw new VssError('IO', `the destination ${where} is on a read-only drive`, { path: where });
    return undefined;
  }

  /** What a job stopped by a full destination leaves, said exactly: the files finished (verified, in place), and what was not copied. */
  private whatIsKept(): string {
    const files = this.items.filter((i) => i.kind === 'file' || (i.kind === 'rename' && !metaOf(i.meta).folder));
    const done = files.filter((i) => i.state === 'done');
    const left = files.filter((i) => i.state === 'todo');
    const leftBytes = formatBytes(left.reduce((n, i) => n + Math.max(0, i.size), 0));
    const notLeft = 'no partial file is left there';
    if (done.length === 0) return `nothing was ${this.p.op === 'move' ? 'moved' : 'copied'} (${notLeft}); the source${files.length === 1 ? ' is' : 's are'} untouched, ${leftBytes} in ${count(left.length, 'file')} still to ${this.p.op}`;
    const shown = done.slice(0, 3).map((i) => i.final ?? i.dst).join(', ') + (done.length > 3 ? ', …' : '');
    const kept = this.p.op === 'move' ? `${count(done.length, 'file')} of ${files.length} ${done.length === 1 ? 'was' : 'were'} moved there, verified (${shown})` : `${count(done.length, 'file')} of ${files.length} ${done.length === 1 ? 'was' : 'were'} copied and ${done.length === 1 ? 'is' : 'are'} kept there, verified (${shown})`;
    return `${kept}; ${count(left.length, 'file')} (${leftBytes}) ${left.length === 1 ? 'was' : 'were'} not, and ${left.length === 1 ? 'is' : 'are'} untouched at the source (${notLeft})`;
  }

  /** The drive of ANCHOR as a user knows it: its name or label where vss has one. */
  private driveName(anchor: Anchor): string | undefined {
    if (anchor.fingerprint === undefined) return undefined;
    const vol = this.lib.store.volumes.byFingerprint(anchor.fingerprint, this.lib.deviceId);
    return vol?.name ?? undefined;
  }

  private checkSides(): void {
    for (const a of this.p.anchors) if (!reachable(a)) throw new SideOffline(a.path, this.driveName(a));
  }

  /**
   * What the run takes away (a delete's files, a move's sources, what a replace gives up) weighed
   * by the Guardian as it runs, not only when it was asked: another delete run meanwhile, a file
   * changed, a device gone, can make what was safe then the last copy now. Refused whole then,
   * before anything more goes; a file another device counts on now makes the job wait. What the
   * weighing holds (the other devices' locks) is kept until the run ends. With --force only the
   * other devices' locks are respected.
   */
  private async guardAgain(todo: readonly FileOpItemRecord[]): Promise<JobOutcome | undefined> {
    if (!this.guard) return undefined;
    const leaving = leavingOf(this.lib, this.p.op, todo, this.p.on_conflict);
    if (leaving.length === 0) return undefined;
    const hold = await this.guard(leaving, this.p.forced === true, this.ctx.signal);
    if (hold.wait !== undefined) {
      await hold.release();
      return { state: 'wait', reason: hold.wait, delayMs: LOCKED_RETRY_MS };
    }
    if (hold.refusal) {
      await hold.release();
      throw hold.refusal;
    }
    this.hold = hold;
    return undefined;
  }

  /** Before a file goes: the witnesses the Guardian leaned on still hold, or the run stops (retried, weighed again). */
  private stillGuarded(): void {
    if (this.hold && !this.hold.holds()) throw new TryAgainLater('a device that vouched for a copy stopped holding it (its lock ended) before this finished: what is done is kept, the rest is weighed again');
  }

  private report(): void {
    this.ctx.progress(Math.min(this.job.bytes, Math.round(this.done)), this.job.bytes);
  }

  private finish(it: FileOpItemRecord, state: 'done' | 'skipped', final: string | null, hash: string | null, note: string | null = null): void {
    this.lib.store.fileOpItems.finish(this.job.id, it.idx, state, final, hash, note);
    this.finishedHere([{ idx: it.idx, state, final, blake3: hash, note }]);
  }

  /** A batch's items have ended: one statement for all of them. */
  private finishAll(rows: readonly FinishedItem[]): void {
    this.lib.store.fileOpItems.finishMany(this.job.id, rows);
    this.finishedHere(rows);
  }

  private finishedHere(rows: readonly FinishedItem[]): void {
    for (const { idx, state, final, blake3, note } of rows) {
      const mine = this.items[idx];
      if (mine) Object.assign(mine, { state, final, blake3, note });
    }
    this.finished += rows.length;
  }

  /** A step that is not a file's copy: a folder made or removed, a rename, a delete. */
  private async one(it: FileOpItemRecord): Promise<void> {
    if (it.kind === 'dir') {
      if (it.dst !== null) {
        this.makeFolder(it.dst);
        this.finish(it, 'done', it.dst, null);
      } else {
        removeEmptyFolders(it.src);
        this.finish(it, 'done', null, null);
      }
    } else if (it.kind === 'rename') {
      await this.rename(it);
    } else if (it.kind === 'delete') {
      const unnamed = metaOf(it.meta).unnamed;
      if (unnamed) return this.skip(it, UNNAMED[unnamed]);
      this.stillGuarded();
      // A folder still holding something (a name vss left, or one written since it was planned) stays, and is named.
      const at = this.inLocation(it.src, 'a path to delete');
      if (!at.disk.removeNow(at.rel)) return this.skip(it, keptFolderReason(it.src));
      await fsyncDirAsync(dirname(it.src));
      this.finish(it, 'done', null, null);
      this.done += Math.max(0, it.size);
      this.report();
    } else {
      await this.copyBatch([it]);
    }
  }

  /** Whether IT is a file this delete moves into the trash (a folder is removed once emptied, as for good). */
  private intoTrash(it: FileOpItemRecord): boolean {
    return this.p.op === 'delete' && this.p.trash === true && it.kind === 'delete' && it.size >= 0;
  }

  /** A delete's files moved into the trash, a batch at once (files/trash-bin.ts): one write for their rows, one flush a folder. */
  private async trashAll(batch: readonly FileOpItemRecord[]): Promise<void> {
    this.stillGuarded();
    const named = batch.filter((it) => !metaOf(it.meta).unnamed);
    for (const it of batch) {
      const unnamed = metaOf(it.meta).unnamed;
      if (unnamed) this.skip(it, UNNAMED[unnamed]);
    }
    const places = named.map((it) => {
      const at = this.inLocation(it.src, 'a path to delete');
      // inLocation looked its folder's place up (kept for the run).
      const place = this.placeOfDir.get(dirname(it.src))!;
      return { locationId: place.locationId, rel: at.rel, root: at.disk.root };
    });
    this.bin ??= new TrashBin(this.lib, this.job.id);
    const out = await this.bin.put(places);
    const rows: FinishedItem[] = [];
    for (const [i, it] of named.entries()) {
      const r = out[i]!;
      if ('kept' in r) rows.push({ idx: it.idx, state: 'skipped', final: null, blake3: null, note: r.kept });
      else {
        rows.push({ idx: it.idx, state: 'done', final: null, blake3: null, note: null });
        this.done += Math.max(0, it.size);
      }
    }
    this.finishAll(rows);
    this.report();
  }

  /** A move within one filesystem: one rename (a kill -9 leaves it at one place or the other, never neither). */
  private async rename(it: FileOpItemRecord): Promise<void> {
    this.stillGuarded();
    const dst = it.dst!;
    const srcThere = factsAt(it.src);
    const dstThere = factsAt(dst);
    let final = dst;
    if (!srcThere) {
      if (dstThere) return this.moved(it, dst); // renamed by a run killed before it could say so
      throw new VssError('NOT_FOUND', `${it.src} is gone (moved or deleted by something else)`, { path: it.src });
    }
    if (dstThere) {
      if (this.p.on_conflict === 'skip') return this.skip(it);
      if (this.p.on_conflict === 'keep-both') final = freeNameIn(dirname(dst), basename(dst));
      else if (dstThere.kind === 'dir' || srcThere.kind === 'dir') throw new VssError('IO', `${dst} is a folder: --on-conflict replace replaces files, not folders`, { path: dst });
    }
    this.makeFolder(dirname(final));
    try {
      await this.renameTo(it.src, final, final === dst && dstThere !== undefined);
    } catch (err) {
      if (errnoCode(err) !== 'EXDEV' || srcThere.kind !== 'file') throw err;
      // Another filesystem after all (a bind mount): copied, verified and flushed, then the source removed.
      return this.copyBatch([{ ...it, kind: 'file' }]);
    }
    this.moved(it, final);
  }

  /**
   * The one rename of a user's file: through its location's storage when both names are in the
   * same one, else across (two locations, or a folder the user named) on the local disk. A file
   * the user's --on-conflict replace gives up is replaced in the same step (a kill -9 leaves one
   * file or the other under the name, never none).
   */
  private async renameTo(src: string, final: string, replacing: boolean): Promise<void> {
    const from = this.placed(src);
    const to = this.placed(final);
    const opts = { replace: replacing };
    if (from && to && from.disk.rootPath === to.disk.rootPath) return from.disk.rename(from.rel, to.rel, opts);
    // Each name's folder checked inside its location, as the storage's rename checks them.
    await renameAcross(from ? from.disk.root.inFolder(from.rel) : src, to ? to.disk.root.inFolder(to.rel) : final, opts);
  }

  /** The location holding ABS as its storage and ABS's path there, its folder's place looked up once a run; undefined when in none. */
  private placed(abs: string): { disk: LocalDisk; rel: string } | undefined {
    const dir = dirname(abs);
    let place = this.placeOfDir.get(dir);
    if (place === undefined && !this.placeOfDir.has(dir)) this.placeOfDir.set(dir, (place = placeOf(this.lib, dir)));
    if (!place) return undefined;
    const name = basename(abs);
    return { disk: storageAt(place.root), rel: place.rel === '' ? name : `${place.rel}/${name}` };
  }

  /** As `placed`, refusing a path in no location of this device (vss files works on the library's own folders). */
  private inLocation(abs: string, what: string): { disk: LocalDisk; rel: string } {
    const at = this.placed(abs);
    if (!at) throw new PathRefusedError(abs, `${what} is not inside any location added on this device (vss files works on the library's own folders)`);
    return at;
  }

  private moved(it: FileOpItemRecord, final: string): void {
    this.finish(it, 'done', final, null);
    this.done += it.size;
    this.report();
  }

  private skip(it: FileOpItemRecord, note: string | null = null): void {
    this.finish(it, 'skipped', null, null, note);
    this.done += it.size;
    this.report();
  }

  /**
   * Copy BATCH: each file into a partial beside its place, verified by a full BLAKE3 of both
   * sides (several at once), given its source's mode, times and xattrs, then one flush pass over
   * the batch, then each partial put in place (the conflict policy applied there) and each folder
   * flushed once; for a move, only then the sources removed. Symlinks are made as links (never
   * followed), FIFOs as FIFOs; a second name of a hard-linked file becomes a link to the first's
   * copy; anything else is skipped with its reason. The items are marked done together: a kill -9
   * before that redoes the batch, finding placed files by their bytes.
   */
  private async copyBatch(batch: readonly FileOpItemRecord[]): Promise<void> {
    await this.land(await this.copyAll(batch));
  }

  /** The first half of copyBatch: each item of BATCH copied into its partial, proved and given what it keeps (nothing placed). */
  private async copyAll(batch: readonly FileOpItemRecord[]): Promise<Ready[]> {
    const move = this.p.op === 'move';
    const ready: Ready[] = [];
    // Extended attributes (see storage/local-copy.ts) are sent in chunks as copies are made, so
    // the helper sets them meanwhile; all are answered before the flush.
    const xattrsAsked: Array<Promise<void>> = [];
    let forXattrs: Ready[] = [];
    const askXattrs = () => {
      const rs = forXattrs;
      forXattrs = [];
      if (rs.length === 0) return;
      xattrsAsked.push(this.xattrs.copy(rs.map((r) => [r.it.src, r.partial!] as const)).then((notKept) => {
        rs.forEach((r, i) => { if (notKept[i]) r.note = `xattrs not kept: ${notKept[i]}`; });
      }));
    };
    await pool(batch, IN_FLIGHT, async (it) => {
      const dst = it.dst!;
      const unnamed = metaOf(it.meta).unnamed;
      // Never looked up: its path shows a name that is not UTF-8 and names nothing (or another file).
      if (unnamed) return void ready.push({ it, hash: '', skipped: true, note: UNNAMED[unnamed] });
      try {
        // Before any read: reading the source changes its access time.
        const st = factsAt(it.src);
        if (!st) throw new SourceGone();
        const there = this.mayHold(dst) ? factsAt(dst) : undefined;
        const link = metaOf(it.meta).link;
        const first = link !== undefined ? this.items[link] : undefined;
        if (first && st.kind === 'file' && (first.state === 'todo' || first.final !== null)) {
          // One file with two names: linked to the first name's copy once that is in place.
          const firstThere = there && factsAt(first.final ?? first.dst!);
          if (there && firstThere && firstThere.inode === there.inode && firstThere.dev === there.dev) return void ready.push({ it, hash: first.blake3 ?? '', final: dst }); // linked by a run killed before it could say so
          if (there && this.p.on_conflict === 'skip') return void ready.push({ it, hash: '', skipped: true, note: ALREADY_THERE });
          return void ready.push({ it, hash: '', linkOf: link });
        }
        const same = there ? await this.sameThere(it, st, there) : undefined;
        if (same !== undefined) {
          // The same there already (a resumed run placed it, or the user had it): nothing to copy.
          this.done += it.size;
          this.report();
          return void ready.push({ it, hash: same, final: dst });
        }
        if (there && this.p.on_conflict === 'skip') {
          this.done += it.size;
          this.report();
          return void ready.push({ it, hash: '', skipped: true, note: ALREADY_THERE });
        }
        const kind = specialKind(st);
        if (kind && st.kind !== 'symlink' && st.kind !== 'fifo') return void ready.push({ it, hash: '', skipped: true, note: `${kind}: not copied (vss copies files, folders, symlinks and FIFOs)` });
        this.makeFolder(dirname(dst));
        const partial = partialFor(dirname(dst), this.job.id, it.idx);
        this.partials.add(partial);
        let hash = '';
        let left: Ready['left'];
        if (st.kind === 'symlink') {
          copySymlink(it.src, partial);
        } else if (st.kind === 'fifo') {
          try {
            await makeFifo(partial, st.mode);
          } catch (err) {
            if (!(err instanceof NotKept)) throw err;
            return void ready.push({ it, hash: '', skipped: true, note: `a FIFO: not made (${err.reason})` });
          }
        } else {
          // The file looked at above, opened inside its location: never through a folder swapped for a symlink since.
          const source = { root: this.inLocation(it.src, 'a source').disk.rootPath, path: it.src, checked: { dev: st.dev, inode: st.inode } };
          const proved = await copyVerified(source, partial, {
            signal: this.ctx.signal,
            size: it.size,
            // Fewer blocks than bytes: holes, kept as holes.
            sparse: st.blocks * 512 < st.size,
            onBytes: (n) => { this.done += n; this.report(); },
            keep: st,
          });
          hash = proved.hash;
          if (proved.left) left = { ...proved.left, size: proved.size };
        }
        if (st.kind !== 'file') keepTimesAndMode(partial, st, st.kind === 'symlink');
        const r: Ready = { it, partial, hash, special: st.kind !== 'file', ...(left ? { left } : {}) };
        ready.push(r);
        forXattrs.push(r);
        if (forXattrs.length >= XATTRS_AT_ONCE) askXattrs();
      } catch (err) {
        // The source is gone (looked at only now: a lookup a file costs a small-file copy dearly).
        if ((!(err instanceof SourceGone) && errnoCode(err) !== 'ENOENT') || factsAt(it.src)) throw err;
        // A move killed after its source was removed: the copy in place is the item.
        if (move && factsAt(dst)) {
          ready.push({ it, hash: '', final: dst });
          return;
        }
        throw new VssError('NOT_FOUND', `${it.src} is gone (moved or deleted by something else)`, { path: it.src });
      }
    });
    askXattrs();
    await Promise.all(xattrsAsked);
    return ready;
  }

  /** The second half of copyBatch: the partials of READY flushed, then placed, their folders flushed, (a move's sources removed), the items marked. */
  private async land(ready: Ready[]): Promise<void> {
    const move = this.p.op === 'move';
    this.ctx.signal.throwIfAborted();
    const withCopy = ready.filter((r) => r.partial);

    // One flush for the batch before anything is placed (never one per file in the copy loop). A
    // symlink or FIFO has no bytes of its own: the folder's flush makes it durable.
    await flushAll(withCopy.filter((r) => !r.special).map((r) => r.partial!));
    this.ctx.signal.throwIfAborted();
    // What this batch replaces or moves away goes only while what vouched for its other copies still holds.
    this.stillGuarded();

    const folders = new Set<string>();
    const placed = new Map<number, Ready>();
    const alone: FileOpItemRecord[] = [];
    // In the plan's order: a first name is in place before its other names are linked to it.
    ready.sort((x, y) => x.it.idx - y.it.idx);
    for (const r of ready) {
      if (r.final) placed.set(r.it.idx, r);
      if (!r.partial && r.linkOf === undefined) continue;
      const dst = r.it.dst!;
      let final = dst;
      const there = factsAt(dst);
      if (there) {
        if (this.p.on_conflict === 'skip') {
          r.skipped = true;
          r.note = ALREADY_THERE;
          continue;
        }
        if (this.p.on_conflict === 'keep-both' || there.kind === 'dir') final = freeNameIn(dirname(dst), basename(dst));
      }
      if (r.linkOf !== undefined) {
        const first = placed.get(r.linkOf);
        const firstFinal = first ? first.final : this.items[r.linkOf]?.final;
        if (!firstFinal) {
          // The first name was skipped: this one is copied on its own, once this batch is done.
          alone.push(r.it);
          r.later = true;
          continue;
        }
        r.hash = (first ? first.hash : this.items[r.linkOf]?.blake3) ?? '';
        this.makeFolder(dirname(dst));
        r.partial = partialFor(dirname(dst), this.job.id, r.it.idx);
        this.partials.add(r.partial);
        linkAs(firstFinal, r.partial);
      }
      placeInBatch(r.partial!, final);
      this.partials.delete(r.partial!);
      // The copy as it was left once proved (a second name, a link, is looked up), with the ctime it
      // has now it is in place (the rename changed it) while it is still that file.
      const facts = factsAt(final);
      const st = r.left ?? (facts?.kind === 'file' ? facts : undefined);
      const inPlace = facts?.kind === 'file' && st && facts.inode === st.inode && facts.size === st.size && facts.mtimeMs === st.mtimeMs ? { ctimeMs: facts.ctimeMs } : {};
      if (st && r.hash) this.known.set(final, { blake3: r.hash, size: st.size, mtimeMs: st.mtimeMs, inode: st.inode, ...inPlace });
      folders.add(dirname(final));
      r.final = final;
      placed.set(r.it.idx, r);
    }
    await Promise.all([...folders].map(fsyncDirAsync));

    if (move) {
      // Only now, the copies verified and durable: the sources go.
      const left = new Set<string>();
      for (const r of ready) {
        if (r.skipped || r.later || !r.final) continue;
        const at = this.inLocation(r.it.src, 'a source');
        at.disk.removeNow(at.rel);
        left.add(dirname(r.it.src));
      }
      await Promise.all([...left].map(fsyncDirAsync));
    }
    // Partials of this batch not placed (skipped); the next batch's, being copied, stay.
    await Promise.all(ready.filter((r) => r.partial && this.partials.delete(r.partial)).map((r) => dropPartial(r.partial!)));
    this.finishAll(ready.filter((r) => !r.later).map((r) => ({ idx: r.it.idx, state: r.skipped ? 'skipped' : 'done', final: r.final ?? null, blake3: r.hash || null, note: r.note ?? null })));
    if (alone.length > 0) await this.copyBatch(alone.map((it) => ({ ...it, meta: null })));
  }

  /**
   * Whether what is at DST (THERE) is already the item: a file with the same bytes (its BLAKE3
   * answered), the same symlink or a FIFO ('' answered); undefined when it is not.
   */
  private async sameThere(it: FileOpItemRecord, st: LocalFacts, there: LocalFacts): Promise<string | undefined> {
    if (st.kind === 'file') {
      if (there.kind !== 'file' || there.size !== st.size) return undefined;
      const [a, b] = await Promise.all([fullBlake3(it.src, undefined, this.ctx.signal), fullBlake3(it.dst!, undefined, this.ctx.signal)]);
      return a.hash === b.hash ? a.hash : undefined;
    }
    if (st.kind === 'symlink') return there.kind === 'symlink' && sameSymlink(it.src, it.dst!) ? '' : undefined;
    if (st.kind === 'fifo') return there.kind === 'fifo' ? '' : undefined;
    return undefined;
  }

  /**
   * Give each folder this job made (or merged into) its source folder's times and mode as the
   * plan saw them, and its xattrs, deepest first: only now, once its contents are written (each
   * write changes a folder's times, and a read-only folder could not have been written into).
   */
  private async keepFolders(): Promise<void> {
    const folders = this.items.filter((i) => i.kind === 'dir' && i.dst !== null && i.state === 'done' && !this.keptFolders.has(i.idx)).reverse();
    if (folders.length === 0) return;
    for (const f of folders) this.keptFolders.add(f.idx);
    const pairs: Array<readonly [string, string]> = [];
    for (const f of folders) {
      const at = f.final ?? f.dst!;
      const m = metaOf(f.meta);
      if (factsAt(at)?.kind !== 'dir') continue;
      if (factsAt(f.src)?.kind === 'dir') pairs.push([f.src, at]);
      if (m.mtimeMs !== undefined && m.atimeMs !== undefined && m.mode !== undefined) keepTimesAndMode(at, { atimeMs: m.atimeMs, mtimeMs: m.mtimeMs, mode: m.mode });
    }
    // Setting an xattr leaves a folder's times alone.
    await this.xattrs.copy(pairs);
  }

  /**
   * Whether PATH's folder held its name when this run first listed the folder. Copies into a
   * folder are created while others are looked up there, and each lookup waits for them: a
   * listing once a folder spares one lookup a file (most of a small-file copy's time, measured).
   * What appears later is still found where the copy is put in place.
   */
  private mayHold(path: string): boolean {
    const dir = dirname(path);
    let names = this.listed.get(dir);
    if (names === undefined) {
      const all = namesIn(dir) ?? [];
      names = all.length > MAX_LISTED ? null : new Set(all);
      this.listed.set(dir, names);
    }
    return names === null || names.has(basename(path));
  }

  /** Make DIR for a copy: confined to its location when it is in one; refused inside the library folder (checked when planned). */
  private makeFolder(dir: string): void {
    if (this.made.has(dir)) return;
    this.made.add(dir);
    const place = placeOf(this.lib, dir);
    if (place) place.root.makeFolder(dir);
    else makeFolders(dir);
  }

  /** Partials of this run not placed: removed (a cancel keeps what is finished, never a part). */
  private async dropPartials(): Promise<void> {
    const all = [...this.partials];
    this.partials.clear();
    await Promise.all(all.map(dropPartial));
  }

  private result(): FileOpResult {
    const items = this.items;
    // The top of each tree: a folder's files and subfolders are not listed one by one.
    const tops = items.filter((i) => (i.kind === 'dir' && i.dst !== null) || (i.kind === 'delete' && i.size < 0)).map((i) => i.src);
    const nested = (i: FileOpItemRecord) => tops.some((f) => f !== i.src && i.src.startsWith(f + sep));
    const paths = items.filter((i) => i.state === 'done' && !(i.kind === 'dir' && i.dst === null) && !nested(i)).map((i) => i.final ?? i.src).slice(0, 100);
    // Files are counted as files, folders apart (a move's removal of its source folders is neither).
    const isFolder = (i: FileOpItemRecord) => (i.kind === 'dir' && i.dst !== null) || (i.kind === 'delete' && i.size < 0) || (i.kind === 'rename' && metaOf(i.meta).folder === true);
    const files = items.filter((i) => !isFolder(i) && !(i.kind === 'dir' && i.dst === null));
    const skipped = files.filter((i) => i.state === 'skipped');
    // A folder a delete kept (it still holds something) is named after the files: not counted as deleted, nor as a skipped file.
    const keptFolders = items.filter((i) => isFolder(i) && i.state === 'skipped');
    const notKept = files.filter((i) => i.state === 'done' && i.note !== null);
    return {
      op: this.p.op,
      items: files.length,
      done: files.filter((i) => i.state === 'done').length,
      skipped: skipped.length,
      folders: items.filter((i) => isFolder(i) && i.state === 'done').length,
      bytes: items.reduce((n, i) => n + (i.state === 'done' ? Math.max(0, i.size) : 0), 0),
      paths,
      skipped_items: [...skipped, ...keptFolders].slice(0, 100).map((i) => ({ path: i.src, reason: i.note ?? 'skipped' })),
      not_kept: notKept.slice(0, 100).map((i) => ({ path: i.final ?? i.dst ?? i.src, what: i.note! })),
      ...(this.xattrs.unavailable ? { xattrs_not_kept: this.xattrs.unavailable } : {}),
      outside_library: this.p.outside_library,
      ...(this.p.op === 'delete' && this.p.trash === true ? { trash: true } : {}),
    };
  }
}

/** An item of a batch once copied (or found there already, skipped, or to be linked): what its placing needs. */
type Ready = { it: FileOpItemRecord; partial?: string; hash: string; final?: string; skipped?: boolean; note?: string | null; linkOf?: number; later?: boolean; special?: boolean; left?: Verified['left'] & { size: number } };

/** Run FN over ITEMS, at most N at once; the first failure is thrown once the ones under way have ended. */
async function pool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (failed === undefined && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  if (failed !== undefined) throw failed;
}


/** What a source that is not a regular file is, in words; undefined for a regular file. */
function specialKind(st: LocalFacts): string | undefined {
  switch (st.kind) {
    case 'file': return undefined;
    case 'symlink': return 'a symlink';
    case 'fifo': return 'a FIFO';
    case 'socket': return 'a socket';
    case 'device': return 'a device file';
    case 'dir': return 'not a file';
  }
}

/** Why the folder DIR a delete emptied is kept: what it still holds, by name (a name that is not UTF-8 shown with \\xNN). */
function keptFolderReason(dir: string): string {
  let names: string[];
  try {
    names = entriesIn(dir).map((e) => e.name).sort();
  } catch {
    names = [];
  }
  const shown = names.slice(0, KEPT_NAMES_SHOWN).join(', ') + (names.length > KEPT_NAMES_SHOWN ? `, and ${names.length - KEPT_NAMES_SHOWN} more` : '');
  return `kept: it still holds ${names.length === 0 ? 'something' : shown}, not deleted`;
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/** The job's note: files counted as files (folders apart), and what was skipped, by name, with why. */
export function summaryOf(r: FileOpResult): string {
  const folders = r.folders > 0 ? ` (${count(r.folders, 'folder')})` : '';
  const some = <T>(list: readonly T[], total: number, say: (x: T) => string) => [...list.slice(0, 3).map(say), ...(total > 3 ? [`and ${total - 3} more`] : [])].join('; ');
  const skipped = r.skipped_items.length > 0 ? ` (${some(r.skipped_items, Math.max(r.skipped, r.skipped_items.length), (s) => `${s.path}: ${s.reason}`)})` : '';
  const notKept = r.not_kept.length > 0 ? `; not all kept: ${some(r.not_kept, r.not_kept.length, (n) => `${n.path}: ${n.what}`)}` : '';
  const xattrs = r.xattrs_not_kept ? `; xattrs not kept: ${r.xattrs_not_kept}` : '';
  return `${r.op}: ${count(r.done, 'file')} done${folders}, ${r.skipped} skipped${skipped}${notKept}${xattrs}`;
}
