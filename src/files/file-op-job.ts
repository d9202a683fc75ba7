import { lstatSync, mkdirSync, readdirSync, renameSync, rmdirSync, unlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import { errnoCode, VssError } from '../core/errors.js';
import { formatBytes } from '../core/format.js';
import { fsyncDirAsync } from '../core/fs-atomic.js';
import { childLog } from '../core/log.js';
import { type JobKind, type JobOutcome, type JobRunContext } from '../jobs/job-kind.js';
import type { JobRow } from '../jobs/states.js';
import type { Library } from '../library/library.js';
import type { FileOpItemRecord } from '../store/file-op-items.js';
import { FILES_COPY, FILES_DELETE, FILES_MOVE, paramsOf, type FileOpParams, type FileOpResult } from './file-op.js';
import { flushAll } from './flush.js';
import { freeNameIn } from '../core/free-name.js';
import { partialFor } from './partial-name.js';
import { placeOf } from './places.js';
import { reindexAfter } from './reindex.js';
import type { KnownBytes } from '../indexer/identification.js';
import { copyVerified, fullBlake3 } from './verified-copy.js';
import { looksGone, reachable } from './volume-reach.js';

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
/** How often a job whose drive is away looks again (no attempt spent). */
const OFFLINE_RETRY_MS = 2_000;
/** A destination folder with more names than this is not listed: each of its names is looked up instead. */
const MAX_LISTED = 100_000;

/** The job kinds of file operations, for LIB's job work (the daemon's `moreKinds`, or a run in the CLI's process). */
export function fileOpKinds(lib: Library): JobKind[] {
  const timeoutMs = (job: JobRow) => Math.max(MIN_TIMEOUT_MS, (job.bytes / SLOWEST_BYTES_PER_S) * 1000);
  const run = (job: JobRow, ctx: JobRunContext) => new FileOpRun(lib, job, ctx).run();
  return [
    { name: FILES_COPY, concurrency: 2, timeoutMs, run },
    { name: FILES_MOVE, concurrency: 2, timeoutMs, run },
    { name: FILES_DELETE, concurrency: 2, timeoutMs, run },
  ];
}

/** A drive of the operation is away: the job waits for it (no attempt spent). */
class SideOffline extends Error {
  constructor(readonly path: string) {
    super(`waiting for the drive of ${path} (offline)`);
  }
}

/** One run of one file operation job: its items not yet done, in order, each durable before it counts as done. */
class FileOpRun {
  private readonly p: FileOpParams;
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

  constructor(private readonly lib: Library, private readonly job: JobRow, private readonly ctx: JobRunContext) {
    this.p = paramsOf(job);
  }

  async run(): Promise<JobOutcome> {
    const items = this.lib.store.fileOpItems.of(this.job.id);
    for (const it of items) if (it.state !== 'todo') this.done += Math.max(0, it.size);
    this.report();
    try {
      this.checkSides();
      const todo = items.filter((i) => i.state === 'todo');
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
          await this.copyBatch(batch);
        } else {
          await this.one(it);
          i++;
        }
      }
    } catch (err) {
      await this.dropPartials();
      if (this.finished > 0) await this.reindex();
      const outcome = this.explain(err);
      if (outcome) return outcome;
      throw err;
    }
    // Also when this run had nothing left to do: a killed run may have finished every item but not indexed them.
    await this.reindex();
    const result = this.result();
    return { state: 'completed', note: `${this.p.op}: ${result.done} done, ${result.skipped} skipped`, result: JSON.stringify(result) };
  }

  /**
   * What is done goes into the index at once, whatever becomes of the rest (no rescan, no waiting
   * for the watcher). Never while a drive of the operation is away: its empty mount point would
   * read as a folder emptied (the next run does it).
   */
  private async reindex(): Promise<void> {
    if (!this.p.anchors.every(reachable)) return;
    const copied = Date.now();
    await reindexAfter(this.lib, this.p.op, this.lib.store.fileOpItems.of(this.job.id), this.known).catch((err: unknown) => log.warn({ err, job: this.job.id }, 'could not index what a file operation changed'));
    log.debug({ job: this.job.id, runMs: copied - this.started, indexMs: Date.now() - copied }, 'file operation ran');
  }

  /** A failure the job turns into a wait (a drive away) or a clear error of its own (a full or read-only destination). */
  private explain(err: unknown): JobOutcome | undefined {
    if (this.ctx.signal.aborted) return undefined;
    if (err instanceof SideOffline) return { state: 'wait', reason: err.message, delayMs: OFFLINE_RETRY_MS };
    if (looksGone(err)) {
      const away = this.p.anchors.find((a) => !reachable(a));
      if (away) return { state: 'wait', reason: `waiting for the drive of ${away.path} (offline)`, delayMs: OFFLINE_RETRY_MS };
    }
    const code = errnoCode(err);
    const where = this.p.dst ?? (err as { path?: string }).path ?? 'the destination';
    // Not the library's disk: the runner would pause generation for it. Said here, without the system error's code.
    if (code === 'ENOSPC' || code === 'EDQUOT') throw new VssError('IO', `the destination ${where} is full: ${formatBytes(Math.max(0, this.job.bytes - this.done))} were still to copy; what was copied is kept, the source is untouched (make room, then vss jobs retry ${this.job.id})`, { path: where });
    if (code === 'EROFS') throw new VssError('IO', `the destination ${where} is on a read-only drive`, { path: where });
    return undefined;
  }

  private checkSides(): void {
    for (const a of this.p.anchors) if (!reachable(a)) throw new SideOffline(a.path);
  }

  private report(): void {
    this.ctx.progress(Math.min(this.job.bytes, Math.round(this.done)), this.job.bytes);
  }

  private finish(it: FileOpItemRecord, state: 'done' | 'skipped', final: string | null, hash: string | null): void {
    this.lib.store.fileOpItems.finish(this.job.id, it.idx, state, final, hash);
    this.finished++;
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
      const st = lstatSync(it.src, { throwIfNoEntry: false });
      if (st) {
        if (st.isDirectory()) {
          try { rmdirSync(it.src); } catch (err) { if (errnoCode(err) !== 'ENOTEMPTY') throw err; }
        } else {
          unlinkSync(it.src);
        }
        await fsyncDirAsync(dirname(it.src));
      }
      this.finish(it, 'done', null, null);
      this.done += Math.max(0, it.size);
      this.report();
    } else {
      await this.copyBatch([it]);
    }
  }

  /** A move within one filesystem: one rename (a kill -9 leaves it at one place or the other, never neither). */
  private async rename(it: FileOpItemRecord): Promise<void> {
    const dst = it.dst!;
    const srcThere = lstatSync(it.src, { throwIfNoEntry: false });
    const dstThere = lstatSync(dst, { throwIfNoEntry: false });
    let final = dst;
    if (!srcThere) {
      if (dstThere) return this.moved(it, dst); // renamed by a run killed before it could say so
      throw new VssError('NOT_FOUND', `${it.src} is gone (moved or deleted by something else)`, { path: it.src });
    }
    if (dstThere) {
      if (this.p.on_conflict === 'skip') return this.skip(it);
      if (this.p.on_conflict === 'keep-both') final = freeNameIn(dirname(dst), basename(dst));
      else if (dstThere.isDirectory() || srcThere.isDirectory()) throw new VssError('IO', `${dst} is a folder: --on-conflict replace replaces files, not folders`, { path: dst });
    }
    this.makeFolder(dirname(final));
    try {
      renameSync(it.src, final);
    } catch (err) {
      if (errnoCode(err) !== 'EXDEV' || !srcThere.isFile()) throw err;
      // Another filesystem after all (a bind mount): copied, verified and flushed, then the source removed.
      return this.copyBatch([{ ...it, kind: 'file' }]);
    }
    await Promise.all([fsyncDirAsync(dirname(final)), fsyncDirAsync(dirname(it.src))]);
    this.moved(it, final);
  }

  private moved(it: FileOpItemRecord, final: string): void {
    this.finish(it, 'done', final, null);
    this.done += it.size;
    this.report();
  }

  private skip(it: FileOpItemRecord): void {
    this.finish(it, 'skipped', null, null);
    this.done += it.size;
    this.report();
  }

  /**
   * Copy BATCH: each file into a partial beside its place, verified by a full BLAKE3 of both
   * sides (several at once), then one flush pass over the batch, then each partial put in place
   * (the conflict policy applied there) and each folder flushed once; for a move, only then the
   * sources removed. The items are marked done together: a kill -9 before that redoes the batch,
   * finding placed files by their bytes.
   */
  private async copyBatch(batch: readonly FileOpItemRecord[]): Promise<void> {
    const move = this.p.op === 'move';
    type Ready = { it: FileOpItemRecord; partial?: string; hash: string; final?: string; skipped?: boolean };
    const ready: Ready[] = [];
    await pool(batch, IN_FLIGHT, async (it) => {
      const dst = it.dst!;
      try {
        const there = this.mayHold(dst) ? lstatSync(dst, { throwIfNoEntry: false }) : undefined;
        if (there?.isFile() && there.size === it.size) {
          // The same bytes there already (a resumed run placed it, or the user had it): nothing to copy.
          const [a, b] = await Promise.all([fullBlake3(it.src, undefined, this.ctx.signal), fullBlake3(dst, undefined, this.ctx.signal)]);
          if (a.hash === b.hash) {
            this.done += it.size;
            this.report();
            ready.push({ it, hash: a.hash, final: dst });
            return;
          }
        }
        if (there && this.p.on_conflict === 'skip') {
          this.done += it.size;
          this.report();
          ready.push({ it, hash: '', skipped: true });
          return;
        }
        this.makeFolder(dirname(dst));
        const partial = partialFor(dirname(dst), this.job.id, it.idx);
        this.partials.add(partial);
        const { hash } = await copyVerified(it.src, partial, {
          signal: this.ctx.signal,
          size: it.size,
          onBytes: (n) => { this.done += n; this.report(); },
        });
        ready.push({ it, partial, hash });
      } catch (err) {
        // The source is gone (looked at only now: a lookup a file costs a small-file copy dearly).
        if (errnoCode(err) !== 'ENOENT' || lstatSync(it.src, { throwIfNoEntry: false })) throw err;
        // A move killed after its source was removed: the copy in place is the file.
        if (move && lstatSync(dst, { throwIfNoEntry: false })?.isFile()) {
          ready.push({ it, hash: '', final: dst });
          return;
        }
        throw new VssError('NOT_FOUND', `${it.src} is gone (moved or deleted by something else)`, { path: it.src });
      }
    });
    this.ctx.signal.throwIfAborted();

    // One flush for the batch before anything is placed (never one per file in the copy loop).
    await flushAll(ready.filter((r) => r.partial).map((r) => r.partial!));
    this.ctx.signal.throwIfAborted();

    const folders = new Set<string>();
    for (const r of ready) {
      if (!r.partial) continue;
      const dst = r.it.dst!;
      let final = dst;
      const there = lstatSync(dst, { throwIfNoEntry: false });
      if (there) {
        if (this.p.on_conflict === 'skip') {
          r.skipped = true;
          continue;
        }
        if (this.p.on_conflict === 'keep-both' || there.isDirectory()) final = freeNameIn(dirname(dst), basename(dst));
      }
      renameSync(r.partial, final);
      this.partials.delete(r.partial);
      const st = lstatSync(final);
      this.known.set(final, { blake3: r.hash, size: st.size, mtimeMs: st.mtimeMs, inode: st.ino });
      folders.add(dirname(final));
      r.final = final;
    }
    await Promise.all([...folders].map(fsyncDirAsync));

    if (move) {
      // Only now, the copies verified and durable: the sources go.
      const left = new Set<string>();
      for (const r of ready) {
        if (r.skipped || !r.final) continue;
        try {
          unlinkSync(r.it.src);
        } catch (err) {
          if (errnoCode(err) !== 'ENOENT') throw err;
        }
        left.add(dirname(r.it.src));
      }
      await Promise.all([...left].map(fsyncDirAsync));
    }
    await this.dropPartials();
    this.lib.store.transaction(() => {
      for (const r of ready) this.finish(r.it, r.skipped ? 'skipped' : 'done', r.final ?? null, r.hash || null);
    });
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
      try {
        const all = readdirSync(dir);
        names = all.length > MAX_LISTED ? null : new Set(all);
      } catch (err) {
        if (errnoCode(err) !== 'ENOENT') throw err;
        names = new Set();
      }
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
    else mkdirSync(dir, { recursive: true });
  }

  /** Partials of this run not placed: removed (a cancel keeps what is finished, never a part). */
  private async dropPartials(): Promise<void> {
    const all = [...this.partials];
    this.partials.clear();
    await Promise.all(all.map((p) => rm(p, { force: true }).catch(() => undefined)));
  }

  private result(): FileOpResult {
    const items = this.lib.store.fileOpItems.of(this.job.id);
    // The top of each tree: a folder's files and subfolders are not listed one by one.
    const folders = items.filter((i) => (i.kind === 'dir' && i.dst !== null) || (i.kind === 'delete' && i.size < 0)).map((i) => i.src);
    const nested = (i: FileOpItemRecord) => folders.some((f) => f !== i.src && i.src.startsWith(f + sep));
    const paths = items.filter((i) => i.state === 'done' && !(i.kind === 'dir' && i.dst === null) && !nested(i)).map((i) => i.final ?? i.src).slice(0, 100);
    return {
      op: this.p.op,
      items: items.length,
      done: items.filter((i) => i.state === 'done').length,
      skipped: items.filter((i) => i.state === 'skipped').length,
      bytes: items.reduce((n, i) => n + (i.state === 'done' ? Math.max(0, i.size) : 0), 0),
      paths,
      outside_library: this.p.outside_library,
    };
  }
}

/** Remove the folders of DIR (and DIR) left empty, deepest first; a folder still holding something stays. */
function removeEmptyFolders(dir: string): void {
  const st = lstatSync(dir, { throwIfNoEntry: false });
  if (!st?.isDirectory()) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeEmptyFolders(join(dir, e.name));
  try {
    rmdirSync(dir);
  } catch (err) {
    if (errnoCode(err) !== 'ENOTEMPTY' && errnoCode(err) !== 'EEXIST') throw err;
  }
}

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

