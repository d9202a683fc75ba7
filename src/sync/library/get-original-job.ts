import { UsageError, VssError } from '../../core/errors.js';
import type { JobOutcome, JobRunContext } from '../../jobs/job-kind.js';
import { FOREGROUND_PRIORITY } from '../../jobs/schedule.js';
import type { JobRow } from '../../jobs/states.js';
import { TryAgainLater } from '../../jobs/transient.js';
import { paramsJson } from '../../jobs/wait-for-job.js';
import type { Library } from '../../library/library.js';
import type { PeerLink } from '../peer-link.js';
import { deviceWaitNote, waitForDevice, waitForNetwork } from '../network-wait.js';
import { copyOriginal, copyTarget, holdersAway, type GetPlan } from './get-original.js';
import { partialName } from './originals.js';

/** The job kind of `vss content get` (DESIGN §15): a content's original copied into a folder, verified. */
export const CONTENT_GET = 'content-get';

/**
 * Tries before a copy fails for good (its backoff: 2 s, 8 s, 32 s, 2 min). Only a try that met a
 * device holding it counts: while none is reachable the copy waits without spending one.
 */
const MAX_ATTEMPTS = 5;
/**
 * How often a copy waiting for a device holding it looks again. A holder that connects wakes it at
 * once (LibraryLink's `connected`); this is for one that does not say (another library's link).
 */
const HOLDER_WAIT_MS = 10_000;
/** `params` longer than this are not ours (a path is at most 4 KiB on Linux). */
const MAX_PARAMS_CHARS = 8192;

type Peers = Required<Pick<PeerLink, 'connected' | 'open'>> & Pick<PeerLink, 'settling' | 'redial'>;

interface GetParams {
  dir: string;
  name?: string;
}

/** The network a copy job reads from: the daemon's, while the library is linked to its paired devices. */
export type GetNetwork = Peers;

/**
 * Run the copy job JOB of LIB (the `run` of the kind `content-get`, src/ops/transfer/get.ts).
 * NETWORK: the daemon's network as it is when the job runs (undefined until the library is
 * linked to its paired devices: a copy from one of them waits).
 */
export async function runContentGet(lib: Library, network: Peers | undefined, job: JobRow, ctx: JobRunContext): Promise<JobOutcome> {
  const p = paramsOf(job);
  const plan: GetPlan = { contentUuid: job.content_uuid!, size: job.bytes, dir: p.dir, ...(p.name !== undefined ? { name: p.name } : {}) };
  try {
    const got = await copyOriginal(lib, plan, network, { signal: ctx.signal, onProgress: ctx.progress });
    return { state: 'completed', note: `copied to ${got.path}`, result: JSON.stringify(got) };
  } catch (err) {
    // Stopped or paused: the partial file stays, the next run resumes after it (cancelled: `discardContentGet`).
    if (!ctx.signal.aborted && err instanceof VssError && (err.code === 'UNAVAILABLE' || err.code === 'NO_DAEMON')) {
      // No device holding it is reachable now (the relay to it down, it asleep, this daemon just
      // started and not met it yet): no try is spent, and the copy goes on when one connects, from
      // the bytes already there. A failure with a holder reachable (cut off, refused, wrong bytes)
      // spends one, unless this daemon's network has only just come up.
      const away = network ? holdersAway(lib, plan.contentUuid, network) : undefined;
      if (network && away !== undefined) return waitForDevice(network, away, deviceWaitNote(away, err.message), HOLDER_WAIT_MS);
      const wait = waitForNetwork(network, 'the devices holding it to connect');
      if (wait) return wait;
      throw new TryAgainLater(err.message, { cause: err });
    }
    throw err;
  }
}

/**
 * What the cancelled copy JOB leaves, removed: its partial in the folder it copies into, kept
 * between its tries to resume from (a cancel keeps nothing; running or not, `JobKind.discard`).
 */
export async function discardContentGet(job: JobRow): Promise<void> {
  if (job.content_uuid === null) return;
  await copyTarget(paramsOf(job).dir).remove(partialName(job.content_uuid));
}

/**
 * Queue the copy PLAN describes, as a user's request (ahead of the background work), or join the
 * copy of the same content into the same folder already under way. A copy of that content into
 * another folder under way is refused: one at a time.
 */
export function queueGet(lib: Library, plan: GetPlan): JobRow {
  const params: GetParams = { dir: plan.dir, ...(plan.name !== undefined ? { name: plan.name } : {}) };
  const jobs = lib.store.jobs;
  return lib.store.immediate(() => {
    jobs.enqueueUrgent({ kind: CONTENT_GET, contentUuid: plan.contentUuid, priority: FOREGROUND_PRIORITY, maxAttempts: MAX_ATTEMPTS, bytes: plan.size, params: JSON.stringify(params) });
    const open = jobs.openOf(CONTENT_GET, plan.contentUuid)[0];
    if (!open) throw new VssError('IO', `the copy of content ${plan.contentUuid} could not be queued`);
    const to = paramsOf(open).dir;
    if (to !== plan.dir) throw new UsageError(`content ${plan.contentUuid} is being copied into ${to} already (job ${open.id}); wait for it, or cancel it (vss jobs cancel ${open.id})`);
    return open;
  });
}

function paramsOf(job: JobRow): GetParams {
  const o = paramsJson(job, MAX_PARAMS_CHARS) as Partial<GetParams> | undefined;
  if (!o || typeof o.dir !== 'string' || (o.name !== undefined && typeof o.name !== 'string')) {
    throw new VssError('USAGE', `job ${job.id} does not say where to copy to`);
  }
  return { dir: o.dir, ...(o.name !== undefined ? { name: o.name } : {}) };
}
