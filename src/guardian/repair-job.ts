import { VssError } from '../core/errors.js';
import { timeoutForBytes, type JobOutcome, type JobRunContext } from '../jobs/job-kind.js';
import { FOREGROUND_PRIORITY, MAX_ATTEMPTS } from '../jobs/schedule.js';
import type { JobRow } from '../jobs/states.js';
import { paramsJson } from '../jobs/wait-for-job.js';
import type { Library } from '../library/library.js';
import type { RotFile } from '../store/rot.js';
import type { RepairResult } from '../wire/guardian.js';
import { discardRepairOf, repairRotten, type PeerOriginals } from './repair.js';

/** The job kind of `vss guardian repair`. */
export const GUARDIAN_REPAIR = 'guardian-repair';
/** Rotten files one repair takes at most. */
export const MAX_REPAIR = 10_000;
const MAX_PARAMS_CHARS = 64 * 1024 + MAX_REPAIR * 40;

interface RepairParams {
  /** The contents whose rotten files to repair; empty: every rotten file. */
  contents: string[];
}

/** The rotten files of CONTENTS (uuids; empty: all of this device's), as recorded now: none is nothing to repair, not a failure. */
export function rottenFiles(lib: Library, contents: readonly string[]): RotFile[] {
  return lib.store.rot.list(MAX_REPAIR, contents.length > 0 ? contents : undefined);
}

/** Each file is copied and hashed twice: as if at 10 MB/s. */
export function repairTimeoutMs(job: JobRow): number {
  return timeoutForBytes(2 * job.bytes, 10_000_000);
}

/** Queue the repair of FILES (those of CONTENTS), as a user's request: one open repair per set of contents asked. */
export function queueRepair(lib: Library, contents: readonly string[], files: readonly RotFile[]): JobRow {
  const key = `repair:${contents.length > 0 ? [...contents].sort().join(',') : '*'}`;
  const bytes = files.reduce((n, f) => n + f.size, 0);
  const jobs = lib.store.jobs;
  return lib.store.immediate(() => {
    jobs.enqueueUrgent({ kind: GUARDIAN_REPAIR, contentUuid: key, priority: FOREGROUND_PRIORITY, maxAttempts: MAX_ATTEMPTS, bytes, params: JSON.stringify({ contents: [...contents] } satisfies RepairParams) });
    const open = jobs.openOf(GUARDIAN_REPAIR, key)[0];
    if (!open) throw new VssError('IO', 'the repair could not be queued');
    return open;
  });
}

/**
 * Repair job JOB: each rotten file of its contents (as recorded when it runs: one repaired by an
 * earlier, killed run is no longer listed), from a good copy on this device, else through PEERS
 * (the daemon's network) from a paired device's original. Completed with the
 * files repaired and those refused with why (`skipped`: the action log says partial); failed when
 * none could be repaired.
 */
export async function runRepair(lib: Library, job: JobRow, ctx: JobRunContext, peers?: PeerOriginals): Promise<JobOutcome> {
  const { contents } = paramsOf(job);
  const files = rottenFiles(lib, contents);
  const result: RepairResult & { skipped: number } = { repaired: [], refused: [], skipped: 0 };
  let done = 0;
  for (const rot of files) {
    ctx.signal.throwIfAborted();
    const out = await repairRotten(lib, rot, { signal: ctx.signal, ...(peers ? { peers } : {}) });
    if ('repaired' in out) result.repaired.push(out.repaired);
    else result.refused.push({ content_uuid: rot.content_uuid, path: `${rot.location_path}/${rot.rel_path}`, reason: out.refused });
    ctx.progress((done += rot.size), job.bytes);
  }
  result.skipped = result.refused.length;
  if (result.repaired.length === 0 && result.refused.length > 0) {
    throw new VssError('UNAVAILABLE', `nothing repaired: ${result.refused.map((r) => `${r.path}: ${r.reason}`).join('; ')}`);
  }
  return { state: 'completed', note: `${result.repaired.length} repaired, ${result.refused.length} refused`, result: JSON.stringify(result) };
}

/**
 * What the cancelled repair JOB leaves, removed: the partial beside each rotten file it had not
 * repaired yet (those it repaired are no longer listed as rot, their partials placed).
 */
export async function discardRepair(lib: Library, job: JobRow): Promise<void> {
  const { contents } = paramsOf(job);
  for (const rot of lib.store.rot.list(MAX_REPAIR, contents.length > 0 ? contents : undefined)) await discardRepairOf(lib, rot);
}

function paramsOf(job: JobRow): RepairParams {
  const o = paramsJson(job, MAX_PARAMS_CHARS) as Partial<RepairParams> | undefined;
  if (!o || !Array.isArray(o.contents) || !o.contents.every((c) => typeof c === 'string')) throw new VssError('USAGE', `job ${job.id} does not say which contents to repair`);
  return { contents: o.contents };
}
