import { existsSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { errnoCode } from '../core/errors.js';
import { TEMP_PREFIX } from '../core/fs-atomic.js';
import { log } from '../core/log.js';
import { GeneratorError, type Generator, type GeneratorContext } from '../generators/types.js';
import { sidecarAbsPath, sidecarAddress, type SidecarAddress } from '../sidecars/address.js';
import { checksumFile } from '../core/file-blake3.js';
import { checkFormat, SIDECAR_KINDS, type SidecarKind } from '../sidecars/kinds.js';
import { SidecarManager } from '../sidecars/manager.js';
import type { SidecarRecord } from '../store/sidecars.js';
import type { Library } from '../library/library.js';
import { DiskFullError, diskFullPause } from './disk-full.js';
import { JobTimedOut, RunnerStopped, type JobKind, type JobOutcome, type JobRunContext } from './job-kind.js';
import { MAX_ATTEMPTS, timeoutFor, type KindSchedule } from './schedule.js';
import { queueStranded } from './stranded.js';
import { isDiskFull, isTransient, pathOf } from './transient.js';
import { fetchBucketSource } from './bucket-source.js';
import { findSourceFile, metadataOf, OFFLINE_WAIT_MS, OFFLINE_WAIT_NOTE, offlineReason } from './source-file.js';
import type { JobRow } from './states.js';
import { PathRefusedError, readRegularFile } from '../library/confine.js';

/** How long a job that waits for another sidecar (embeddings for OCR) sleeps before trying again. */
const WAIT_DELAY_MS = 5_000;

/**
 * A generator as a job kind (DESIGN §4, Generate → Record): one job makes every wanted variant of
 * one kind for one content, from one decode. Sidecars already ready with their file in place are
 * the fast path; the rest are marked generating, made, written atomically and recorded.
 */
export function generatorJobKind(gen: Generator, schedule: KindSchedule): JobKind {
  return {
    name: gen.kind,
    concurrency: schedule.concurrency,
    ...(schedule.after !== undefined ? { after: schedule.after } : {}),
    timeoutMs: (job) => timeoutFor(schedule, job.bytes),
    run: (job, ctx) => runGenerator(gen, job, ctx),
    recover: (lib) => recoverGenerating(gen, lib),
    // Also when this device cannot make the kind now (no model): the job then forgets the
    // requests with a note, rather than leaving them pending with no job (reconcile re-pends a
    // lost file by the kinds table alone); queueing asks again once the model is added.
    queueStranded: (lib) => queueStranded(lib, gen.kind, { priority: schedule.priority, maxAttempts: MAX_ATTEMPTS }),
  };
}

/**
 * Sidecars a killed or abandoned run left `generating`: pending again while a job for them is
 * open, else failed with that job's reason; and the temporary files such a run left beside their
 * final paths (a half-written proxy can be gigabytes).
 */
function recoverGenerating(gen: Generator, lib: Library): void {
  const manager = new SidecarManager(lib);
  for (const r of lib.store.sidecars.ofKindWithStatus(gen.kind, 'generating')) {
    const a = addressOf(r);
    const job = lib.store.jobs.latest(gen.kind, r.content_uuid);
    const open = job?.status === 'queued' || job?.status === 'paused';
    const error = open ? null : job?.error ?? 'interrupted, and no job is left to finish it';
    manager.record(a, { status: open ? 'pending' : 'failed', source: 'generated', size: null, checksum: null, sourceEntryId: null, error });
    removeTempFiles(lib, dirname(sidecarAbsPath(lib.root, a)));
  }
}

function removeTempFiles(lib: Library, dir: string): void {
  let names: string[];
  try {
    // A sidecar folder swapped for a symlink would lead the removal outside the library.
    lib.roots.library.checkFolder(dir);
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    if (!n.startsWith(TEMP_PREFIX)) continue;
    try { unlinkSync(join(dir, n)); } catch { /* already gone */ }
  }
}

async function runGenerator(gen: Generator, job: JobRow, ctx: JobRunContext): Promise<JobOutcome> {
  const contentUuid = job.content_uuid;
  if (!contentUuid) throw new GeneratorError(`a ${gen.kind} job needs a content`, { permanent: true });
  const owed = new OwedSidecars(ctx.lib, gen.kind, contentUuid, `${gen.name}@${gen.version}`);
  try {
    return await makeSidecars(gen, job, ctx, contentUuid, owed);
  } catch (err) {
    // The source's drive was unplugged mid-way (EIO, ENOENT from an empty mount point): wait for
    // it without spending an attempt, and without failing its sidecars as if the file were bad.
    const gone = owed.sourceLocation !== undefined && !ctx.untilIdle && !ctx.signal.aborted ? offlineReason(ctx.lib, owed.sourceLocation) : undefined;
    if (gone) {
      owed.settle('pending', null, job.attempts - 1);
      return { state: 'wait', reason: gone, delayMs: OFFLINE_WAIT_MS };
    }
    // Whatever failed, and wherever: every sidecar still owed is settled with the job, so none is
    // left pending without a job to make it, nor failed while its job retries.
    throw settleFailure(err, job, ctx, owed);
  }
}

async function makeSidecars(gen: Generator, job: JobRow, ctx: JobRunContext, contentUuid: string, owed: OwedSidecars): Promise<JobOutcome> {
  const { lib } = ctx;
  const manager = owed.manager;
  const content = lib.store.contents.byUuid(contentUuid);
  if (!content) {
    owed.forget();
    return { state: 'completed', note: 'the content is no longer in the library' };
  }
  const availability = gen.availability(ctx.settings);
  if (!availability.ok) {
    // Not this device's to make now: forgotten, so queueing asks again once the engine or model
    // is here (`vss models add` queues it), instead of a pending row no job will ever work.
    owed.forget();
    return { state: 'completed', note: `not made: ${availability.reason}` };
  }

  const todo = await variantsToMake(lib, manager, lib.store.sidecars.ofContentKind(contentUuid, gen.kind));
  if (todo.length === 0) return { state: 'completed', note: 'already made' };

  const format = SIDECAR_KINDS[gen.kind].formats[0];
  const addresses = new Map(todo.map((r) => [r.variant, sidecarAddress(contentUuid, gen.kind, r.variant, r.format || format)] as const));
  const generatorId = owed.generator;

  const fetched = await fetchFirst(ctx, manager, [...addresses.values()]);
  for (const v of fetched) addresses.delete(v);
  if (addresses.size === 0) return { state: 'completed', note: 'fetched from a peer' };

  const found = findSourceFile(lib, content);
  if (found.path === undefined && !found.inBucket) {
    // An unplugged drive comes back: waited for (no attempt spent) by a runner that keeps going,
    // retried with backoff by one that stops when idle. Gone or refused: a verdict.
    if (found.offline && !ctx.untilIdle) return { state: 'wait', reason: `${OFFLINE_WAIT_NOTE}: ${found.reason}`, delayMs: OFFLINE_WAIT_MS };
    throw new GeneratorError(found.reason, { permanent: !found.offline });
  }
  owed.sourceLocation = found.path !== undefined ? found.locationId : found.inBucket!.locationId;

  owed.record([...addresses.values()], 'generating', null, job.attempts);
  // Per run, not per job: an abandoned run winding down must not remove its retry's files.
  const scratchDir = join(lib.layout.scratchDir, `job-${job.id}-${job.run_token}-${process.pid}`);
  const temps = new Set<string>();
  try {
    lib.roots.library.makeFolder(scratchDir);
    // A content only in a bucket here is fetched whole for the tools that need a file; a bucket
    // that does not answer is waited for as an unplugged drive is (runGenerator asks offlineReason).
    const source = found.path ?? await fetchBucketSource(lib, found.inBucket!, content, scratchDir, ctx.signal);
    const gctx: GeneratorContext = {
      source: { contentUuid, kind: content.kind, mime: content.mime, size: content.size, path: source, metadata: metadataOf(content.media_metadata) },
      variants: [...addresses.keys()],
      signal: ctx.signal,
      timeoutMs: ctx.timeoutMs,
      ...(ctx.deadline !== undefined ? { deadline: ctx.deadline } : {}),
      settings: ctx.settings,
      scratchDir,
      tempFileFor: (variant, fmt) => {
        const a = addresses.get(variant);
        if (!a) throw new GeneratorError(`${gen.kind} variant ${variant} was not asked for`, { permanent: true });
        const t = manager.tempFileFor({ ...a, format: fmt });
        temps.add(t);
        return t;
      },
      readSidecar: (kind, variant) => readReadySidecar(lib, manager, contentUuid, kind, variant),
      notApplicable: (kind, variant) => manager.notApplicable({ contentUuid, kind, variant }),
    };
    const outputs = await gen.generate(gctx);
    const notes: string[] = [];
    let waiting: string | undefined;
    for (const out of outputs) {
      const a = addresses.get(out.variant);
      if (!a) continue;
      if ('data' in out || 'file' in out) checkFormat(gen.kind, out.format);
      if ('data' in out) manager.writeGenerated({ ...a, format: out.format }, out.data, generatorId);
      else if ('file' in out) await manager.adoptGenerated({ ...a, format: out.format }, out.file, generatorId);
      else if ('skip' in out) {
        manager.markNotApplicable(a, out.skip, generatorId);
        notes.push(`${gen.kind}/${out.variant}: ${out.skip}`);
      } else if (nothingElseComing(ctx, job)) {
        // It waits for a sidecar no job will make any more (its OCR failed for good): give up now,
        // or `--until-idle` would wait forever; `jobs retry` tries again.
        owed.record([a], 'failed', `${out.wait}, which is not coming`, job.attempts);
        notes.push(`${gen.kind}/${out.variant}: ${out.wait}, which is not coming`);
      } else {
        // Waiting spends no attempt (the runner gives it back).
        waiting = out.wait;
        owed.record([a], 'pending', null, job.attempts - 1);
      }
      addresses.delete(out.variant);
    }
    if (addresses.size > 0) {
      throw new GeneratorError(`${gen.name} made nothing for ${[...addresses.keys()].join(', ')}`, { permanent: true });
    }
    if (waiting) return { state: 'wait', reason: waiting, delayMs: WAIT_DELAY_MS };
    return { state: 'completed', ...(notes.length ? { note: notes.join('; ') } : {}) };
  } finally {
    for (const t of temps) {
      try { unlinkSync(t); } catch { /* renamed into place, or never written */ }
    }
    rmSync(scratchDir, { recursive: true, force: true });
  }
}

/**
 * Fetch-before-generate: the variants of ADDRESSES the job's hook fetched from a peer, counted
 * only where the library now has them ready (what the hook says is not taken on trust). Before the
 * source file is looked for: a device whose copy is offline can still have them. Any failure of
 * the hook leaves everything to be made here.
 */
async function fetchFirst(ctx: JobRunContext, manager: SidecarManager, addresses: SidecarAddress[]): Promise<Set<string>> {
  if (!ctx.fetchFirst || addresses.length === 0) return new Set();
  let said: Set<string>;
  try {
    said = await ctx.fetchFirst(addresses, ctx.signal);
  } catch (err) {
    log.debug({ err: (err as Error).message }, 'fetch before generate failed; making them here');
    return new Set();
  }
  ctx.signal.throwIfAborted();
  const ready = new Set<string>();
  for (const a of addresses) if (said.has(a.variant) && manager.get(a)?.status === 'ready') ready.add(a.variant);
  return ready;
}

/**
 * How a failed job leaves its sidecars, and what the runner is told:
 * - stopped (Ctrl-C): pending, no attempt spent; it resumes on the next run;
 * - a full disk: pending, no attempt spent; the runner pauses generation (DiskFullError);
 * - a timeout or a transient error (EIO, EAGAIN, EMFILE, a busy database, a tool that could not
 *   start) with attempts left: pending, retried with backoff;
 * - anything else, a cancel, or the last attempt: failed with the reason.
 */
function settleFailure(err: unknown, job: JobRow, ctx: JobRunContext, owed: OwedSidecars): unknown {
  const reason = ctx.signal.aborted && ctx.signal.reason instanceof Error ? ctx.signal.reason.message : err instanceof Error ? err.message : String(err);
  try {
    if (ctx.signal.reason instanceof RunnerStopped) {
      owed.settle('pending', null, job.attempts - 1);
      return err;
    }
    if (isDiskFull(err)) {
      owed.settle('pending', null, job.attempts - 1);
      return err instanceof DiskFullError ? err : new DiskFullError(diskFullPause(ctx.lib, err), err);
    }
    const timedOut = ctx.signal.reason instanceof JobTimedOut;
    const cancelled = ctx.signal.aborted && !timedOut;
    const permanent = cancelled || !(timedOut || isTransient(err)) || job.attempts >= job.max_attempts;
    owed.settle(permanent ? 'failed' : 'pending', reason, job.attempts);
    if (err instanceof GeneratorError && err.permanent === permanent) return err;
    return new GeneratorError(reason, { permanent, ...(pathOf(err) ? { path: pathOf(err) } : {}), cause: err });
  } catch (recordErr) {
    // The sidecars could not be recorded (the database is busy or its disk full): the runner
    // records what it can; a job left running resumes, and recovery settles them, on the next start.
    log.warn({ job: job.id, err: (recordErr as Error).message }, 'could not record the sidecars of a failed job');
    return isDiskFull(recordErr) || isDiskFull(err) ? recordErr : err;
  }
}

/** The sidecars of one kind of one content that its job owes, and how they are recorded. */
class OwedSidecars {
  readonly manager: SidecarManager;
  /** The location the source file was read from, once found. */
  sourceLocation: number | undefined;

  constructor(private readonly lib: Library, private readonly kind: SidecarKind, private readonly contentUuid: string, readonly generator: string) {
    this.manager = new SidecarManager(lib);
  }

  /** The rows still owed: wanted and not yet made, failed or found not applicable. */
  rows(): SidecarRecord[] {
    return this.lib.store.sidecars.ofContentKindIn(this.contentUuid, this.kind, ['pending', 'generating']);
  }

  /** Record ADDRESSES as STATUS, with the attempts their job has spent on them (`sidecars.attempts`). */
  record(addresses: readonly SidecarAddress[], status: 'generating' | 'pending' | 'failed', error: string | null, attempts: number): void {
    this.lib.store.transaction(() => {
      for (const a of addresses) {
        this.manager.record(a, { status, source: 'generated', size: null, checksum: null, sourceEntryId: null, error, generator: this.generator, attempts: Math.max(0, attempts) });
      }
    });
  }

  /** Every sidecar still owed, as STATUS. */
  settle(status: 'pending' | 'failed', error: string | null, attempts: number): void {
    this.record(this.rows().map(addressOf), status, error, attempts);
  }

  /** Drop every request still owed (see SidecarManager.forgetOwed). */
  forget(): void {
    for (const r of this.rows()) this.manager.forgetOwed(addressOf(r));
  }
}

function addressOf(r: SidecarRecord): SidecarAddress {
  return { contentUuid: r.content_uuid, kind: r.kind, variant: r.variant, format: r.format };
}

/**
 * Whether no other job of this content is queued or running: nothing that a waiting job waits for
 * can still appear (a paused job counts as not coming, or a pause would hold `--until-idle`).
 */
function nothingElseComing(ctx: JobRunContext, job: JobRow): boolean {
  return job.content_uuid === null || !ctx.lib.store.jobs.otherKindActive(job.content_uuid, job.kind);
}

/**
 * The rows this job must make: those still owed, and ready generated files that are gone or
 * whose bytes no longer match the recorded checksum (a verified ready sidecar is the fast path).
 * Never the user's own bytes (references, converted files), and never a failed one: a failure
 * is final until `jobs retry` asks again.
 */
async function variantsToMake(lib: Library, manager: SidecarManager, rows: SidecarRecord[]): Promise<SidecarRecord[]> {
  const root = lib.root;
  const todo: SidecarRecord[] = [];
  for (const r of rows) {
    if (r.source === 'reference' || r.source === 'converted' || r.status === 'failed') continue;
    if (r.status !== 'ready') {
      todo.push(r);
      continue;
    }
    const a = addressOf(r);
    if (await intact(lib, sidecarAbsPath(root, a), r)) continue;
    manager.markMissing(a, 'file missing or changed before a job ran');
    todo.push(r);
  }
  return todo;
}

/** Whether the file at PATH is the one recorded: its size, then its BLAKE3. */
async function intact(lib: Library, path: string, r: SidecarRecord): Promise<boolean> {
  if (r.size === null || r.checksum === null) return false;
  try {
    lib.roots.library.checkFolder(dirname(path));
    const out = await checksumFile(path, r.size);
    return out.ok && out.checksum === r.checksum;
  } catch (err) {
    // Gone, or not a plain file any more (a symlink is refused, never followed): make it anew.
    // Anything else (EIO, EMFILE) is the machine's, and fails the attempt like any other error.
    if (err instanceof PathRefusedError || ['ENOENT', 'ELOOP', 'ENOTDIR', 'EISDIR'].includes(errnoCode(err) ?? '')) return false;
    throw err;
  }
}

function readReadySidecar(lib: Library, manager: SidecarManager, contentUuid: string, kind: Parameters<GeneratorContext['readSidecar']>[0], variant: string): Buffer | undefined {
  const formats = SIDECAR_KINDS[kind].formats;
  const info = manager.get(sidecarAddress(contentUuid, kind, variant, formats[0]));
  if (!info || info.status !== 'ready' || !info.path || !existsSync(info.path)) return undefined;
  lib.roots.library.checkFolder(dirname(info.path));
  return readRegularFile(info.path);
}
