import { endedResult } from '../../jobs/wait-for-job.js';
import { GUARDIAN_REPAIR, queueRepair, repairTimeoutMs, rottenFiles, runRepair } from '../../guardian/repair-job.js';
import type { RepairResult } from '../../wire/guardian.js';
import type { DurableOp } from '../op.js';

/** The contents (uuids) whose rotten files to repair; none: every rotten file of this device. */
export interface RepairInput {
  contents: string[];
}

/**
 * `vss guardian repair` (issue 30 item 5): each rotten file replaced by a verified copy of its
 * content from elsewhere on this device, the damaged file kept aside until the new bytes verify,
 * as a durable job (`guardian-repair`) worked in the CLI's process too (no network needed). Its
 * plan refuses at once when there is nothing rotten to repair; a file with no good copy is
 * refused with its reason when the job runs (it must hash every candidate to know).
 */
export const guardianRepair: DurableOp<RepairInput, RepairResult> = {
  name: GUARDIAN_REPAIR,
  action: 'repair',
  asked: ({ contents }) => ({ sources: contents, target: null }),
  plan(host, { contents }) {
    const files = rottenFiles(host.lib, contents);
    return { size: { files: files.length, bytes: files.reduce((n, f) => n + f.size, 0) }, queue: () => queueRepair(host.lib, contents, files) };
  },
  kind: (host) => ({ name: GUARDIAN_REPAIR, concurrency: 1, timeoutMs: repairTimeoutMs, run: (job, ctx) => runRepair(host.lib, job, ctx) }),
  result: (job) => endedResult<RepairResult>(job, 'the repair'),
};
