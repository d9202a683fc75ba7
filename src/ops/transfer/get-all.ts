import { resolve } from 'node:path';
import { diskSpace } from '../../core/disk-space.js';
import { UsageError, VssError } from '../../core/errors.js';
import { FOREGROUND_PRIORITY } from '../../jobs/schedule.js';
import type { JobRow } from '../../jobs/states.js';
import { endedResult, paramsJson } from '../../jobs/wait-for-job.js';
import type { Library } from '../../library/library.js';
import { localFolderProblem } from '../../storage/local-read.js';
import type { OpHost, Plan, Way } from '../op.js';
import { fromVolume, itemOf, missingPages, missingSize, type GetAllInput, type GetAllParams } from './get-all-plan.js';
import { discardGetAll, runGetAll, type GetAllResult } from './run/get-all-run.js';
import { fileOpTimeoutMs } from './run/here-run.js';

export const CONTENT_GET_ALL = 'content-get-all';
const MAX_ATTEMPTS = 5;
const MAX_PARAMS_CHARS = 8192;

/** What `content get --all --dry-run` shows: what would be copied, from where, and the room there is for it. */
export interface GetAllPreview {
  dir: string;
  from: string | null;
  files: number;
  bytes: number;
  free_bytes: number;
  /** Contents no copy of which this device can reach (only on another device's own disks as last heard: after a recovery, the lost computer's). */
  unreachable: { files: number; bytes: number };
}

/**
 * `vss content get --all --to DIR [--from VOLUME]` (issue 60): every content no location of this
 * device holds a file of, copied into DIR under the path the library recorded for it
 * (`LOCATION/its/path/name.ext`, else `Unfiled/UUID.ext`), each verified by the machinery of
 * `content get` — a library recovered on a new computer brought back whole in one command. One
 * durable job of many items (`content-get-all`), planned and run a page at a time, by the one item
 * loop; worked in the CLI's process too where no daemon runs (then from this device's drives and
 * buckets only: a paired device's copy needs the daemon's network). A second get into the same
 * folder while one is open joins it.
 */
export const contentGetAll: Way<GetAllInput, GetAllResult, GetAllPreview> = {
  name: CONTENT_GET_ALL,
  plan(host, input): Plan<GetAllResult> {
    const { lib } = host;
    const dir = folderOf(input.dir);
    const from = fromVolume(lib, input.from);
    const open = lib.store.jobs.openFor(CONTENT_GET_ALL, null, 0);
    if (open) {
      const to = paramsOf(open).dir;
      if (to !== dir) throw new UsageError(`a get of every content is under way into ${to} already (job ${open.id}); wait for it, or cancel it (vss jobs cancel ${open.id})`);
      return { size: { files: 0, bytes: open.bytes }, queue: () => open };
    }
    const size = missingSize(lib, from?.id ?? null);
    if (size.files === 0) return { size, now: () => Promise.resolve({ dir, files: 0, bytes: 0, skipped: 0, failed: 0, failures: [], unreachable: lib.store.contentReach.unreachableFrom(lib.deviceId) }) };
    const params: GetAllParams = { dir, from_volume: from?.id ?? null, from_name: from?.name ?? null };
    return { size, queue: () => queueGetAll(lib, params, size.bytes) };
  },
  preview(host, input) {
    const dir = folderOf(input.dir);
    const from = fromVolume(host.lib, input.from);
    return { dir, from: from?.name ?? null, ...missingSize(host.lib, from?.id ?? null), free_bytes: diskSpace(dir).freeBytes, unreachable: host.lib.store.contentReach.unreachableFrom(host.lib.deviceId) };
  },
  kind: (host: OpHost) => ({
    name: CONTENT_GET_ALL, concurrency: 1, timeoutMs: fileOpTimeoutMs,
    run: (job, ctx) => runGetAll(host.lib, host.network(), job, paramsOf(job), ctx),
    discard: (job, lib) => discardGetAll(lib, job, paramsOf(job).dir),
  }),
  result: (job) => endedResult<GetAllResult>(job, 'the get', 'the copies finished are kept'),
};

/** DIR as an absolute folder that is there. */
function folderOf(dir: string): string {
  const abs = resolve(dir);
  const problem = localFolderProblem(abs);
  if (problem !== undefined) throw new VssError('NOT_FOUND', `${abs} ${problem}`, { path: abs });
  return abs;
}

/**
 * The job and its items (one a content), queued as a user's request in one transaction, the
 * contents read and their items written a page at a time.
 */
function queueGetAll(lib: Library, params: GetAllParams, bytes: number): JobRow {
  const store = lib.store;
  return store.immediate(() => {
    const queued = store.jobs.enqueueUrgent({ kind: CONTENT_GET_ALL, contentUuid: null, priority: FOREGROUND_PRIORITY, maxAttempts: MAX_ATTEMPTS, bytes, params: JSON.stringify(params) });
    const id = store.fileOpItems.lastInsertedId();
    const row = queued ? store.jobs.get(id) : undefined;
    if (!row || row.kind !== CONTENT_GET_ALL) throw new VssError('IO', 'the get could not be queued');
    let idx = 0;
    for (const page of missingPages(lib, params.from_volume)) {
      store.fileOpItems.addMany(id, page.map(itemOf), idx);
      idx += page.length;
    }
    return row;
  });
}

function paramsOf(job: JobRow): GetAllParams {
  const o = paramsJson(job, MAX_PARAMS_CHARS) as Partial<GetAllParams> | undefined;
  if (!o || typeof o.dir !== 'string' || (o.from_volume !== null && typeof o.from_volume !== 'number')) throw new VssError('USAGE', `job ${job.id} does not say where to copy to`);
  return { dir: o.dir, from_volume: o.from_volume ?? null, from_name: typeof o.from_name === 'string' ? o.from_name : null };
}
