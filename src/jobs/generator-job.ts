import { existsSync, mkdirSync, readdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TEMP_PREFIX } from '../core/fs-atomic.js';
import { GeneratorError, type Generator, type GeneratorContext } from '../generators/types.js';
import { sidecarAbsPath, sidecarAddress, type SidecarAddress } from '../sidecars/address.js';
import { checkFormat, SIDECAR_KINDS } from '../sidecars/kinds.js';
import { SidecarManager, type SidecarRow } from '../sidecars/manager.js';
import type { Library } from '../library/library.js';
import { RunnerStopped, type JobKind, type JobOutcome, type JobRunContext } from './job-kind.js';
import { timeoutFor, type KindSchedule } from './schedule.js';
import { isTransient } from './transient.js';
import { contentRecord, findSourceFile, metadataOf } from './source-file.js';
import type { JobRow } from './states.js';
import { readRegularFile } from '../library/confine.js';

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
    timeoutMs: (job) => timeoutFor(schedule, job.bytes),
    run: (job, ctx) => runGenerator(gen, job, ctx),
    recover: (lib) => recoverGenerating(gen, lib),
  };
}

/**
 * Sidecars a killed or abandoned run left `generating`: pending again while a job for them is
 * open, else failed with that job's reason; and the temporary files such a run left beside their
 * final paths (a half-written proxy can be gigabytes).
 */
function recoverGenerating(gen: Generator, lib: Library): void {
  const manager = new SidecarManager(lib);
  const rows = lib.db.prepare("SELECT * FROM sidecars WHERE kind = ? AND status = 'generating'").all(gen.kind) as SidecarRow[];
  const lastJob = lib.db.prepare('SELECT status, error FROM jobs WHERE kind = ? AND content_uuid = ? ORDER BY id DESC LIMIT 1');
  for (const r of rows) {
    const a: SidecarAddress = { contentUuid: r.content_uuid, kind: r.kind, variant: r.variant, format: r.format };
    const job = lastJob.get(gen.kind, r.content_uuid) as { status: string; error: string | null } | undefined;
    const open = job?.status === 'queued' || job?.status === 'paused';
    const error = open ? null : job?.error ?? 'interrupted, and no job is left to finish it';
    manager.record(a, { status: open ? 'pending' : 'failed', source: 'generated', size: null, checksum: null, sourceEntryId: null, error });
    removeTempFiles(dirname(sidecarAbsPath(lib.root, a)));
  }
}

function removeTempFiles(dir: string): void {
  let names: string[];
  try {
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
  const { lib } = ctx;
  const manager = new SidecarManager(lib);
  const contentUuid = job.content_uuid;
  if (!contentUuid) throw new GeneratorError(`a ${gen.kind} job needs a content`, { permanent: true });
  const content = contentRecord(lib, contentUuid);
  if (!content) return { state: 'completed', note: 'the content is no longer in the library' };

  const todo = variantsToMake(lib.root, manager, rowsOf(ctx, contentUuid, gen.kind));
  if (todo.length === 0) return { state: 'completed', note: 'already made' };

  const availability = gen.availability(ctx.settings);
  if (!availability.ok) return { state: 'completed', note: `not made: ${availability.reason}` };

  const format = SIDECAR_KINDS[gen.kind].formats[0];
  const addresses = new Map(todo.map((r) => [r.variant, sidecarAddress(contentUuid, gen.kind, r.variant, r.format || format)] as const));
  const generatorId = `${gen.name}@${gen.version}`;
  const setAll = (status: 'generating' | 'pending' | 'failed', error: string | null) => {
    lib.db.transaction(() => {
      for (const a of addresses.values()) manager.record(a, { status, source: 'generated', size: null, checksum: null, sourceEntryId: null, error, generator: generatorId });
    })();
  };

  const source = findSourceFile(lib, content);
  if (!source) {
    const reason = 'no file with this content is on this device now (moved or deleted since indexing?)';
    setAll('failed', reason);
    throw new GeneratorError(reason, { permanent: true });
  }

  setAll('generating', null);
  const scratchDir = join(lib.layout.scratchDir, `job-${job.id}-${process.pid}`);
  mkdirSync(scratchDir, { recursive: true });
  const temps = new Set<string>();
  const gctx: GeneratorContext = {
    source: { contentUuid, kind: content.kind, mime: content.mime, size: content.size, path: source, metadata: metadataOf(content.media_metadata) },
    variants: [...addresses.keys()],
    signal: ctx.signal,
    timeoutMs: ctx.timeoutMs,
    settings: ctx.settings,
    scratchDir,
    tempFileFor: (variant, fmt) => {
      const a = addresses.get(variant);
      if (!a) throw new GeneratorError(`${gen.kind} variant ${variant} was not asked for`, { permanent: true });
      const t = manager.tempFileFor({ ...a, format: fmt });
      temps.add(t);
      return t;
    },
    readSidecar: (kind, variant) => readReadySidecar(manager, contentUuid, kind, variant),
  };
  try {
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
        manager.record(a, { status: 'failed', source: 'generated', size: null, checksum: null, sourceEntryId: null, error: `${out.wait}, which is not coming`, generator: generatorId });
        notes.push(`${gen.kind}/${out.variant}: ${out.wait}, which is not coming`);
      } else {
        waiting = out.wait;
        manager.record(a, { status: 'pending', source: 'generated', size: null, checksum: null, sourceEntryId: null, error: null });
      }
      // Settled: a failure after this point must not touch this variant's record.
      addresses.delete(out.variant);
    }
    if (addresses.size > 0) {
      throw new GeneratorError(`${gen.name} made nothing for ${[...addresses.keys()].join(', ')}`, { permanent: true });
    }
    if (waiting) return { state: 'wait', reason: waiting, delayMs: WAIT_DELAY_MS };
    return { state: 'completed', ...(notes.length ? { note: notes.join('; ') } : {}) };
  } catch (err) {
    if (ctx.signal.reason instanceof RunnerStopped) {
      // Not the input's fault: the job resumes on the next run.
      setAll('pending', null);
      throw err;
    }
    const permanent = !isTransient(err) || job.attempts >= job.max_attempts || ctx.signal.aborted;
    const reason = err instanceof Error ? err.message : String(err);
    // Sidecars still owed go back to pending (to be retried) or to failed with the reason.
    setAll(permanent ? 'failed' : 'pending', reason);
    throw err instanceof GeneratorError ? err : new GeneratorError(reason, { permanent: true, path: source, cause: err });
  } finally {
    for (const t of temps) {
      try { unlinkSync(t); } catch { /* renamed into place, or never written */ }
    }
    rmSync(scratchDir, { recursive: true, force: true });
  }
}

/**
 * Whether no other job of this content is queued or running: nothing that a waiting job waits for
 * can still appear (a paused job counts as not coming, or a pause would hold `--until-idle`).
 */
function nothingElseComing(ctx: JobRunContext, job: JobRow): boolean {
  const other = ctx.lib.db.prepare(`SELECT 1 FROM jobs WHERE content_uuid = ? AND kind <> ? AND status IN ('queued', 'running') LIMIT 1`).get(job.content_uuid, job.kind);
  return other === undefined;
}

function rowsOf(ctx: JobRunContext, contentUuid: string, kind: string): SidecarRow[] {
  return ctx.lib.db.prepare('SELECT * FROM sidecars WHERE content_uuid = ? AND kind = ? ORDER BY variant').all(contentUuid, kind) as SidecarRow[];
}

/**
 * The rows this job must make: everything not ready, and ready generated files that are gone or
 * have the wrong size (a verified ready sidecar is the fast path; references are never remade).
 */
function variantsToMake(root: string, manager: SidecarManager, rows: SidecarRow[]): SidecarRow[] {
  return rows.filter((r) => {
    if (r.source === 'reference') return false;
    if (r.status !== 'ready') return true;
    const a: SidecarAddress = { contentUuid: r.content_uuid, kind: r.kind, variant: r.variant, format: r.format };
    try {
      if (statSync(sidecarAbsPath(root, a)).size === r.size) return false;
    } catch { /* gone */ }
    manager.markMissing(a, 'file missing or changed before a job ran');
    return true;
  });
}

function readReadySidecar(manager: SidecarManager, contentUuid: string, kind: Parameters<GeneratorContext['readSidecar']>[0], variant: string): Buffer | undefined {
  const formats = SIDECAR_KINDS[kind].formats;
  const info = manager.get(sidecarAddress(contentUuid, kind, variant, formats[0]));
  if (!info || info.status !== 'ready' || !info.path || !existsSync(info.path)) return undefined;
  return readRegularFile(info.path);
}
