import { existsSync, mkdirSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { ContentKind } from '../content/kinds.js';
import { GeneratorError, type Generator, type GeneratorContext } from '../generators/types.js';
import { sidecarAbsPath, sidecarAddress, type SidecarAddress } from '../sidecars/address.js';
import { SIDECAR_KINDS } from '../sidecars/kinds.js';
import { SidecarManager, type SidecarRow } from '../sidecars/manager.js';
import type { Library } from '../library/library.js';
import type { JobKind, JobOutcome, JobRunContext } from './job-kind.js';
import { timeoutFor, type KindSchedule } from './schedule.js';
import { contentRecord, findSourceFile, parseMetadata } from './source-file.js';
import type { JobRow } from './states.js';

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
    priority: schedule.priority,
    concurrency: schedule.concurrency,
    maxAttempts: 3,
    timeoutMs: (job) => timeoutFor(schedule, job.bytes),
    run: (job, ctx) => runGenerator(gen, job, ctx),
    interrupted: (job, lib) => settleInterrupted(gen, job, lib),
  };
}

/**
 * Sidecars a killed run left `generating`: pending again while their job is queued, failed with
 * the job's reason once it has given up (a file that kills the process every time).
 */
function settleInterrupted(gen: Generator, job: JobRow, lib: Library): void {
  if (!job.content_uuid) return;
  const manager = new SidecarManager(lib);
  const rows = lib.db.prepare("SELECT * FROM sidecars WHERE content_uuid = ? AND kind = ? AND status = 'generating'").all(job.content_uuid, gen.kind) as SidecarRow[];
  lib.db.transaction(() => {
    for (const r of rows) {
      const a: SidecarAddress = { contentUuid: r.content_uuid, kind: r.kind, variant: r.variant, format: r.format };
      const failed = job.status === 'failed';
      manager.record(a, { status: failed ? 'failed' : 'pending', source: 'generated', size: null, checksum: null, sourceEntryId: null, error: failed ? job.error : null });
    }
  })();
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
    source: { contentUuid, kind: content.kind as ContentKind, mime: content.mime, size: content.size, path: source, metadata: parseMetadata(content.media_metadata) },
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
      addresses.delete(out.variant);
      if ('data' in out) manager.writeGenerated({ ...a, format: out.format }, out.data, generatorId);
      else if ('file' in out) await manager.adoptGenerated({ ...a, format: out.format }, out.file, generatorId);
      else if ('skip' in out) {
        manager.markNotApplicable(a, out.skip, generatorId);
        notes.push(`${out.variant}: ${out.skip}`);
      } else if (nothingElseComing(ctx, job)) {
        // It waits for a sidecar no job will make any more (its OCR failed for good): give up now,
        // or `--until-idle` would wait forever; `jobs retry` tries again.
        manager.record(a, { status: 'failed', source: 'generated', size: null, checksum: null, sourceEntryId: null, error: `${out.wait}, which is not coming`, generator: generatorId });
        notes.push(`${out.variant}: ${out.wait}, which is not coming`);
      } else {
        waiting = out.wait;
        manager.record(a, { status: 'pending', source: 'generated', size: null, checksum: null, sourceEntryId: null, error: null });
      }
    }
    if (addresses.size > 0) {
      const missing = [...addresses.keys()].join(', ');
      addresses.clear();
      throw new GeneratorError(`${gen.name} made nothing for ${missing}`, { permanent: true });
    }
    if (waiting) return { state: 'wait', reason: waiting, delayMs: WAIT_DELAY_MS };
    return { state: 'completed', ...(notes.length ? { note: notes.join('; ') } : {}) };
  } catch (err) {
    const permanent = !(err instanceof GeneratorError) || err.permanent || job.attempts >= job.max_attempts || ctx.signal.aborted;
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

/** Whether any other job for this content is still queued or running (what a waiting job waits for). */
function nothingElseComing(ctx: JobRunContext, job: JobRow): boolean {
  const other = ctx.lib.db.prepare(`SELECT 1 FROM jobs WHERE content_uuid = ? AND id <> ? AND status IN ('queued', 'running', 'paused') LIMIT 1`).get(job.content_uuid, job.id);
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
  return readFileSync(info.path);
}
