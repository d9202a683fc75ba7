import { basename, dirname } from 'node:path';
import { errnoCode, VssError } from '../../../core/errors.js';
import { formatBytes } from '../../../core/format.js';
import { fsyncDirAsync } from '../../../core/fs-atomic.js';
import { freeNameIn } from '../../../core/free-name.js';
import { childLog } from '../../../core/log.js';
import { LocationOffline } from '../../../files/destination.js';
import { isInside } from '../../../library/confine.js';
import { fileOpResult, paramsOf, summaryOf, type FileOpParams } from '../../../files/file-op.js';
import { isFileItem } from '../../../files/plan.js';
import { metaOf } from '../../../files/kept-meta.js';
import { TrashBin } from '../../../files/trash-bin.js';
import { placeKey } from '../../../store/guard-copies.js';
import { followedAnchors, reachable, type Anchor } from '../../../files/volume-reach.js';
import type { JobOutcome } from '../../../jobs/job-kind.js';
import type { JobRow } from '../../../jobs/states.js';
import type { Library } from '../../../library/library.js';
import { dropPartial, keepTimesAndMode, XattrCopier } from '../../../storage/local-copy.js';
import { entriesIn, factsAt, removeEmptyFolders, renameAcross } from '../../../storage/local-tree.js';
import type { FileOpItemRecord } from '../../../store/file-op-items.js';
import { locationOnline } from '../../../volumes/location-online.js';
import { indexedSource } from '../../op-items.js';
import { copyAll, land, UNNAMED } from './here-copies.js';
import { HerePlaces } from './here-places.js';
import type { Batch, Landed, PutContext, TransferTarget } from './target.js';

const log = childLog('files');

/**
 * A batch of files is copied, flushed in one pass, and placed together: at most this many files
 * or bytes (a kill -9 redoes at most one batch; each batch costs one flush of the filesystem).
 */
const BATCH_FILES = 2048;
const BATCH_BYTES = 256 * 1024 * 1024;
/** How often a job whose drive is away looks again (no attempt spent). */
const OFFLINE_RETRY_MS = 2_000;
/** How many of the names a kept folder still holds are named. */
const KEPT_NAMES_SHOWN = 3;

/** A drive of the operation is away: the job waits for it (no attempt spent). */
class SideOffline extends Error {
  constructor(readonly path: string, name?: string) {
    super(`waiting for the drive${name ? ` "${name}"` : ''} of ${path} (offline)`);
  }
}

/** A batch here: files copied together, files trashed together, or one other step (a folder, a rename, a delete). */
interface HereBatch extends Batch {
  step: 'copy' | 'trash' | 'one';
}

/**
 * Where a copy, move or delete here lands (transfer/strategies.ts: here → here; a protect's copies
 * onto a drive): files copied into partials beside their places, verified, flushed and placed a
 * batch at a time (the next batch copied while one is placed), moves within one filesystem
 * renamed, folders made (and given their times once filled), a delete's files moved into the
 * trash or removed. The loop (run-transfer.ts) does the rest.
 */
export class HereTarget implements TransferTarget {
  readonly inFlight = 1;
  readonly landsHere = true;
  readonly jobId: number;
  p: FileOpParams;
  items: FileOpItemRecord[] = [];
  readonly places: HerePlaces;
  readonly partials = new Set<string>();
  readonly xattrs = new XattrCopier();
  /** Destination folders' names as first listed (null: too many to keep; each is looked up). */
  readonly listed = new Map<string, Set<string> | null>();
  /** The batch being flushed and placed while the next is copied, if any. */
  private landing: Promise<void> | undefined;
  /** Folders given their source's times and mode in this run (a move's next source folder does not redo them). */
  private readonly keptFolders = new Set<number>();
  private bin: TrashBin | undefined;
  /** The files this delete takes into the trash (goingToTrash). */
  private going: Set<string> | undefined;

  /** ASCONTENT: each item copies its content (a protect), its bytes held to the content's whole BLAKE3. */
  constructor(private readonly lib: Library, job: JobRow, private readonly asContent = false) {
    this.jobId = job.id;
    this.p = paramsOf(job);
    this.places = new HerePlaces(lib);
  }

  /** The job's items, their paths on drives mounted elsewhere since it was queued followed there. */
  load(rows: FileOpItemRecord[]): FileOpItemRecord[] {
    const moved = followedAnchors(this.p.anchors);
    if (!moved) return (this.items = rows);
    const { follow } = moved;
    log.info({ job: this.jobId, from: this.p.anchors.map((a) => a.path), to: moved.anchors.map((a) => a.path) }, 'a drive of a file operation is mounted elsewhere now: followed');
    this.p = { ...this.p, anchors: moved.anchors, ...(this.p.dst !== undefined ? { dst: follow(this.p.dst) } : {}), ...(this.p.sources_outside ? { sources_outside: this.p.sources_outside.map(follow) } : {}) };
    // The locations on it follow too, now (not at the volume poll's next look): the copy is confined to, and indexed in, them.
    for (const row of this.lib.store.locations.ofDevice(this.lib.deviceId)) locationOnline(this.lib, row.id);
    return (this.items = rows.map((it) => ({ ...it, src: follow(it.src), dst: it.dst === null ? null : follow(it.dst), final: it.final === null ? null : follow(it.final) })));
  }

  /** Every drive of the operation there, and the destination's location where its drive is now (never under a mount point its drive left): else the job waits (`explain`). */
  async ready(): Promise<void> {
    for (const a of this.p.anchors) if (!reachable(a)) throw new SideOffline(a.path, this.driveName(a));
    const dst = this.p.dst !== undefined ? this.places.placeOfFolder(this.p.dst) ?? this.places.placeOfFolder(dirname(this.p.dst)) : undefined;
    if (dst) this.places.checkPresent(dst);
  }

  /** Whether the index may be told now: never while a drive of the operation is away (its empty mount point would read as a folder emptied). */
  indexable(): boolean {
    return this.p.anchors.every(reachable);
  }

  batches(todo: readonly FileOpItemRecord[]): HereBatch[] {
    const out: HereBatch[] = [];
    for (let i = 0; i < todo.length;) {
      const it = todo[i]!;
      if (it.kind === 'file') {
        const items: FileOpItemRecord[] = [];
        let bytes = 0;
        while (i < todo.length && todo[i]!.kind === 'file' && items.length < BATCH_FILES && (items.length === 0 || bytes + todo[i]!.size <= BATCH_BYTES)) {
          bytes += todo[i]!.size;
          items.push(todo[i++]!);
        }
        out.push({ step: 'copy', items });
      } else if (this.intoTrash(it)) {
        const items: FileOpItemRecord[] = [];
        while (i < todo.length && this.intoTrash(todo[i]!) && items.length < BATCH_FILES) items.push(todo[i++]!);
        out.push({ step: 'trash', items });
      } else {
        out.push({ step: 'one', items: [it] });
        i++;
      }
    }
    return out;
  }

  async put(b: Batch, ctx: PutContext): Promise<JobOutcome | undefined> {
    const batch = b as HereBatch;
    if (batch.step === 'copy') {
      // Copied while the batch before it is flushed and placed; placed only after it.
      const ready = await copyAll(this, batch.items, ctx);
      await this.landed();
      this.landing = land(this, ready, ctx, (alone) => this.copyNow(alone, ctx));
      this.landing.catch(() => undefined); // awaited by the next put or settle: a failure meanwhile is not an unhandled one
      return undefined;
    }
    await this.landed();
    if (batch.step === 'trash') await this.trashAll(batch.items, ctx);
    else {
      const it = batch.items[0]!;
      // A move's source folders go last: the copies' folders get their times from them first.
      if (it.kind === 'dir' && it.dst === null) await this.keepFolders();
      await this.one(it, ctx);
    }
    return undefined;
  }

  async settle(failed: boolean): Promise<void> {
    if (failed) {
      // A batch still landing ends first (its items are done or not, never half said).
      await this.landing?.catch(() => undefined);
      this.landing = undefined;
      const all = [...this.partials];
      this.partials.clear();
      await Promise.all(all.map(dropPartial));
      return;
    }
    await this.landed();
    await this.keepFolders();
  }

  close(): void {
    this.xattrs.close();
  }

  /** A failure the job turns into a wait (a drive away) or a clear error of its own (a full or read-only destination). */
  explain(err: unknown): JobOutcome | undefined {
    if (err instanceof SideOffline) return this.wait(err.message);
    if (err instanceof LocationOffline) return this.wait(`waiting: ${err.message}`);
    // Whatever the failure said (a source "gone", an I/O error), a drive of the operation that is
    // away explains it: the job waits for that drive, source or destination alike.
    const away = this.p.anchors.find((a) => !reachable(a));
    if (away) return this.wait(new SideOffline(away.path, this.driveName(away)).message);
    const code = errnoCode(err);
    const where = this.p.dst ?? (err as { path?: string }).path ?? 'the destination';
    // Not the library's disk: the runner would pause generation for it. Said here, without the system error's code.
    if (code === 'ENOSPC' || code === 'EDQUOT') throw new VssError('IO', `the destination ${where} is full: ${this.whatIsKept()} (make room, then vss jobs retry ${this.jobId})`, { path: where });
    if (code === 'EROFS') throw new VssError('IO', `the destination ${where} is on a read-only drive`, { path: where });
    return undefined;
  }

  /** What a copy, move or delete here made, from its rows once all ended: its note and result. */
  said(rows: readonly FileOpItemRecord[]): { note: string; result: unknown } {
    const result = fileOpResult(this.p, rows, this.xattrs.unavailable);
    return { note: summaryOf(result), result };
  }

  /** The BLAKE3 IT's bytes must have (a protect copies a content: its whole BLAKE3 as indexed); undefined: the file as it is now. */
  expected(it: FileOpItemRecord): string | undefined {
    return this.asContent ? indexedSource(this.lib, it.src)?.blake3 ?? undefined : undefined;
  }

  /**
   * The folder source SRC is read beneath (storage/confined-open.ts): its location's, or the folder
   * of a source this machine's user named outside every location (issue 59); refused elsewhere.
   */
  sourceRoot(src: string): string {
    const at = this.places.placed(src);
    return at ? at.disk.rootPath : this.outsideRoot(src) ?? this.places.inLocation(src, 'a source').disk.rootPath;
  }

  outsideRoot(src: string): string | undefined {
    return (this.p.sources_outside ?? []).filter((dir) => isInside(dir, src)).sort((a, b) => b.length - a.length)[0];
  }

  /** A source found gone: the job waits where a drive of it is away (this throws), else it is left out. */
  goneSource(it: FileOpItemRecord, ctx: PutContext, when: string): void {
    const away = this.p.anchors.find((a) => !reachable(a));
    if (away) throw new SideOffline(away.path, this.driveName(away));
    ctx.leaveOut(it, `${it.src} is gone (moved or deleted by something else ${when}): left out`);
  }

  private wait(reason: string): JobOutcome {
    return { state: 'wait', reason, delayMs: OFFLINE_RETRY_MS };
  }

  private async landed(): Promise<void> {
    const l = this.landing;
    this.landing = undefined;
    await l;
  }

  /** ITEMS copied and placed now (a second name whose first was skipped; a rename across filesystems after all). */
  private async copyNow(items: FileOpItemRecord[], ctx: PutContext): Promise<void> {
    await land(this, await copyAll(this, items, ctx), ctx, (alone) => this.copyNow(alone, ctx));
  }

  /** What a job stopped by a full destination leaves, said exactly: the files finished (verified, in place), and what was not copied. */
  private whatIsKept(): string {
    const files = this.items.filter(isFileItem);
    const done = files.filter((i) => i.state === 'done');
    const left = files.filter((i) => i.state === 'todo');
    const leftBytes = formatBytes(left.reduce((n, i) => n + Math.max(0, i.size), 0));
    const notLeft = 'no partial file is left there';
    const n = (k: number) => `${k} file${k === 1 ? '' : 's'}`;
    if (done.length === 0) return `nothing was ${this.p.op === 'move' ? 'moved' : 'copied'} (${notLeft}); the source${files.length === 1 ? ' is' : 's are'} untouched, ${leftBytes} in ${n(left.length)} still to ${this.p.op}`;
    const shown = done.slice(0, 3).map((i) => i.final ?? i.dst).join(', ') + (done.length > 3 ? ', …' : '');
    const kept = this.p.op === 'move' ? `${n(done.length)} of ${files.length} ${done.length === 1 ? 'was' : 'were'} moved there, verified (${shown})` : `${n(done.length)} of ${files.length} ${done.length === 1 ? 'was' : 'were'} copied and ${done.length === 1 ? 'is' : 'are'} kept there, verified (${shown})`;
    return `${kept}; ${n(left.length)} (${leftBytes}) ${left.length === 1 ? 'was' : 'were'} not, and ${left.length === 1 ? 'is' : 'are'} untouched at the source (${notLeft})`;
  }

  /** The drive of ANCHOR as a user knows it: its name or label where vss has one. */
  private driveName(anchor: Anchor): string | undefined {
    if (anchor.fingerprint === undefined) return undefined;
    return this.lib.store.volumes.byFingerprint(anchor.fingerprint, this.lib.deviceId)?.name ?? undefined;
  }

  /** Whether IT is a file this delete moves into the trash (a folder is removed once emptied, as for good). */
  private intoTrash(it: FileOpItemRecord): boolean {
    return this.p.op === 'delete' && this.p.trash === true && it.kind === 'delete' && it.size >= 0;
  }

  /** A step that is not a file's copy: a folder made or removed, a rename, a delete. */
  private async one(it: FileOpItemRecord, ctx: PutContext): Promise<void> {
    const ended = (landed: Landed) => ctx.confirm([{ it, landed }]);
    if (it.kind === 'dir') {
      if (it.dst !== null) {
        const made = factsAt(it.dst) === undefined;
        this.places.makeFolder(it.dst);
        return ended({ final: it.dst, ...(made ? { made } : {}) });
      }
      removeEmptyFolders(it.src);
      return ended({ final: null });
    }
    if (it.kind === 'rename') return this.rename(it, ctx);
    if (it.kind === 'delete') {
      const unnamed = metaOf(it.meta).unnamed;
      if (unnamed) return ctx.leaveOut(it, UNNAMED[unnamed]);
      ctx.stillGuarded();
      // A folder still holding something (a name vss left, or one written since it was planned) stays, and is named.
      const at = this.places.inLocation(it.src, 'a path to delete');
      if (!at.disk.removeNow(at.rel)) return ctx.leaveOut(it, keptFolderReason(it.src));
      await fsyncDirAsync(dirname(it.src));
      return ended({ final: null });
    }
  }

  /** The files this delete takes into the trash (their `placeKey`s): no copy left behind by them. Listed once a run. */
  private goingToTrash(): ReadonlySet<string> {
    if (!this.going) {
      this.going = new Set();
      for (const it of this.items) {
        const at = this.intoTrash(it) ? this.places.placed(it.src) : undefined;
        if (at) this.going.add(placeKey(at.locationId, at.rel));
      }
    }
    return this.going;
  }

  /** A delete's files moved into the trash, a batch at once (files/trash-bin.ts): one write for their rows, one flush a folder. */
  private async trashAll(batch: readonly FileOpItemRecord[], ctx: PutContext): Promise<void> {
    ctx.stillGuarded();
    const named = batch.filter((it) => !metaOf(it.meta).unnamed);
    for (const it of batch) {
      const unnamed = metaOf(it.meta).unnamed;
      if (unnamed) ctx.leaveOut(it, UNNAMED[unnamed]);
    }
    const places = named.map((it) => {
      const at = this.places.inLocation(it.src, 'a path to delete');
      return { locationId: at.locationId, rel: at.rel, root: at.disk.root };
    });
    this.bin ??= new TrashBin(this.lib, this.jobId);
    // Let go for a photo kept in their place: none is deleted whole (the emptying weighs them by it).
    const out = await this.bin.put(places, Date.now(), this.goingToTrash(), this.p.kept_instead === undefined);
    const done: Array<{ it: FileOpItemRecord; landed: Landed }> = [];
    for (const [i, it] of named.entries()) {
      const r = out[i]!;
      if ('kept' in r) ctx.leaveOut(it, r.kept);
      else done.push({ it, landed: { final: null } });
    }
    await ctx.confirm(done);
  }

  /** A move within one filesystem: one rename (a kill -9 leaves it at one place or the other, never neither). */
  private async rename(it: FileOpItemRecord, ctx: PutContext): Promise<void> {
    ctx.stillGuarded();
    const dst = it.dst!;
    const srcThere = factsAt(it.src);
    const dstThere = factsAt(dst);
    let final = dst;
    if (!srcThere) {
      if (dstThere) return ctx.confirm([{ it, landed: { final: dst } }]); // renamed by a run killed before it could say so
      return this.goneSource(it, ctx, 'since it was planned');
    }
    if (dstThere) {
      if (this.p.on_conflict === 'skip') return ctx.leaveOut(it, 'its name is taken at the destination (--on-conflict skip)');
      if (this.p.on_conflict === 'keep-both') final = freeNameIn(dirname(dst), basename(dst));
      else if (dstThere.kind === 'dir' || srcThere.kind === 'dir') throw new VssError('IO', `${dst} is a folder: --on-conflict replace replaces files, not folders`, { path: dst });
    }
    this.places.makeFolder(dirname(final));
    const replacing = final === dst && dstThere !== undefined;
    let renamed: Landed['renamed'];
    try {
      renamed = await this.renameTo(it.src, final, replacing);
    } catch (err) {
      if (errnoCode(err) !== 'EXDEV' || srcThere.kind !== 'file') throw err;
      // Another filesystem after all (a bind mount): copied, verified and flushed, then the source removed.
      return this.copyNow([{ ...it, kind: 'file' }], ctx);
    }
    await ctx.confirm([{ it, landed: { final, ...(renamed ? { renamed } : {}) } }]);
  }

  /**
   * The one rename of a user's file: through its location's storage when both names are in the
   * same one, else across (two locations, or a folder the user named) on the local disk. A file
   * the user's --on-conflict replace gives up is replaced in the same step (a kill -9 leaves one
   * file or the other under the name, never none). Its paths in their location when it stays in
   * one (the index moves its entry), else undefined.
   */
  private async renameTo(src: string, final: string, replacing: boolean): Promise<Landed['renamed']> {
    const from = this.places.placed(src);
    const to = this.places.placed(final);
    const opts = { replace: replacing };
    if (from && to && from.disk.rootPath === to.disk.rootPath) await from.disk.rename(from.rel, to.rel, opts);
    // Each name's folder checked inside its location, as the storage's rename checks them.
    else await renameAcross(from ? from.disk.root.inFolder(from.rel) : src, to ? to.disk.root.inFolder(to.rel) : final, opts);
    return from && to && from.locationId === to.locationId && !replacing ? { locationId: from.locationId, from: from.rel, to: to.rel } : undefined;
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
