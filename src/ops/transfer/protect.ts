import { VssError } from '../../core/errors.js';
import { MAX_PARAMS_CHARS, type FileOpResult } from '../../files/file-op.js';
import { discardHere, fileOpTimeoutMs, runHere } from './run/here-run.js';
import { targetOf } from '../../core/address.js';
import { markProtectedVerified, markSourcesVerified, planProtect, type ProtectPlanned } from '../../guardian/protect.js';
import type { JobKind } from '../../jobs/job-kind.js';
import { queueUserJob } from '../../jobs/user-job.js';
import type { JobRow } from '../../jobs/states.js';
import { endedResult, paramsJson } from '../../jobs/wait-for-job.js';
import type { GuardianProtectPlan } from '../../wire/guardian.js';
import type { OpHost, Plan, Way } from '../op.js';
import { runBucketUploads, type ToBucketParams } from '../bucket-uploads.js';
import { pairedTarget, runToDevice, toDeviceParams, type ToDeviceParams } from './to-device-run.js';

/** `guardian protect` as asked: where to (absent: a drive chosen among this device's). */
export interface ProtectInput {
  to?: string;
}

/** What a protect did: its plan (`not_planned` cut to the first 50; `not_planned_count`: all) and its copy job's result (null: nothing to copy). */
export interface ProtectResult extends GuardianProtectPlan {
  not_planned_count: number;
  copied: FileOpResult | null;
}

const NAME = 'guardian-protect';
const MAX_ATTEMPTS = 5;
/** Contents not planned a job keeps by name (its params must read back whole). */
const NAMED_NOT_PLANNED = 50;

/**
 * `vss guardian protect` (issue 30): the copies that bring contents up to their policy, planned
 * by guardian/protect.ts and run as one file operation's copy items (ops/transfer/run/here-target.ts: each
 * verified by BLAKE3, resumed after a kill -9, indexed), its job a kind of its own so the action
 * log says `protect`. Once done, the copies and their sources are marked verified.
 */
export const guardianProtect: Way<ProtectInput, ProtectResult, GuardianProtectPlan> = {
  name: NAME,
  plan: (host, input) => queued(host, planned(notUnderWay(host), input)),
  preview: (host, input) => planned(notUnderWay(host), input, true).shown,
  kind: (host: OpHost): JobKind => ({
    name: NAME, concurrency: 1, timeoutMs: fileOpTimeoutMs,
    run: async (job, ctx) => {
      const params = paramsJson(job, MAX_PARAMS_CHARS) as { to_device?: ToDeviceParams; to_bucket?: ToBucketParams } | undefined;
      if (params?.to_bucket) {
        const out = await runBucketUploads(host, job, params.to_bucket, ctx, 'protect');
        if (out.state === 'completed') markSourcesVerified(host.lib, job.id);
        return out;
      }
      const device = params?.to_device;
      if (device) {
        const out = await runToDevice(host, job, device, ctx);
        if (out.state !== 'completed') return out;
        markSourcesVerified(host.lib, job.id);
        const r = JSON.parse(out.result!) as FileOpResult;
        return { ...out, note: `protect: ${r.done} file${r.done === 1 ? '' : 's'} copied to ${device.location_name} on the paired device, verified there` };
      }
      const out = await runHere(host.lib, job, ctx, undefined, { asContent: true });
      if (out.state !== 'completed') return out;
      markProtectedVerified(host.lib, job.id);
      return out.note === undefined ? out : { ...out, note: out.note.replace(/^copy: /, 'protect: ') };
    },
    // Onto a drive here: its copies' partials. A device's are the device's to expire (its .vss-drop, 2 days); a bucket's unfinished upload is aborted only when a cancel stops its run (it is recorded by key, not by job).
    discard: async (job, lib) => {
      const params = paramsJson(job, MAX_PARAMS_CHARS) as { to_device?: unknown; to_bucket?: unknown } | undefined;
      if (params && params.to_device === undefined && params.to_bucket === undefined) await discardHere(lib, job);
    },
  }),
  result(row: JobRow): ProtectResult {
    const kept = (paramsJson(row, MAX_PARAMS_CHARS) as { protect?: Omit<ProtectResult, 'copied'> } | undefined)?.protect;
    if (!kept) throw new VssError('IO', `job ${row.id} does not say what it protected`);
    if (row.status === 'completed' && row.result === null) return { ...kept, copied: null };
    return { ...kept, copied: endedResult<FileOpResult>(row, 'the protect', 'the copies finished are kept') };
  },
};

/**
 * HOST, refused while a protect is queued or running: a second would plan the copies the first is
 * making (each onto the same drive again, under a free name).
 */
function notUnderWay(host: OpHost): OpHost {
  const open = host.lib.store.jobs.openFor(NAME, null, 0);
  if (open) throw new VssError('WRONG_STATE', `a protect is under way (job ${open.id}, ${open.status}): wait for it (vss jobs info ${open.id}) or cancel it (vss jobs cancel ${open.id})`);
  return host;
}

/**
 * INPUT planned on HOST. To a paired device (`DEVICE:/…`) the daemon's node must be up to run it
 * (a dry run, SHOWN, needs only the pairing).
 */
function planned(host: OpHost, input: ProtectInput, shown = false): ProtectPlanned {
  // Resolved as `files copy` resolves it (a paired device of the library, one of its locations).
  const device = (to: string) => pairedTarget(host, to);
  if (!shown && input.to !== undefined && targetOf(input.to, '--to').kind === 'device') {
    // The device named first (the same refusal in-process and through the daemon), then the node that reaches it.
    device(input.to);
    if (!host.network()) throw new VssError('NO_DAEMON', `a protect to another device needs the daemon's P2P node: start it (vss daemon start) and protect again`);
  }
  return planProtect(host.lib, input.to, { device });
}

/** What a protect's job keeps of its plan, to answer with once it ends. */
function summary(p: GuardianProtectPlan): Omit<ProtectResult, 'copied'> {
  return { ...p, not_planned: p.not_planned.slice(0, NAMED_NOT_PLANNED), not_planned_count: p.not_planned.length };
}

/** PLAN queued as a user's request: the job and its copy items in one transaction; nothing to copy: answered at once. */
function queued(host: OpHost, plan: ProtectPlanned): Plan<ProtectResult> {
  const size = { files: plan.items.length, bytes: plan.shown.bytes };
  if (plan.items.length === 0) return { size, now: () => Promise.resolve({ ...summary(plan.shown), copied: null }) };
  return {
    size,
    queue() {
      const params = JSON.stringify({
        ...plan.params, protect: summary(plan.shown),
        ...(plan.device ? { to_device: toDeviceParams(host.lib, plan.device) } : {}), ...(plan.bucket ? { to_bucket: { volume_id: plan.bucket.volumeId } satisfies ToBucketParams } : {}),
      });
      return queueUserJob(host.lib, { kind: NAME, maxAttempts: MAX_ATTEMPTS, bytes: plan.shown.bytes, params, items: plan.items }, 'the protect');
    },
  };
}
