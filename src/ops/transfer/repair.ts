import { endedResult } from '../../jobs/wait-for-job.js';
import { discardRepair, GUARDIAN_REPAIR, queueRepair, repairTimeoutMs, rottenFiles, runRepair } from '../../guardian/repair-job.js';
import type { PeerOriginals } from '../../guardian/repair.js';
import { receiveFromPeers } from '../../sync/library/get-original.js';
import type { RepairResult } from '../../wire/guardian.js';
import type { OpHost, Way } from '../op.js';

/** The contents (uuids) whose rotten files to repair; none: every rotten file of this device. */
export interface RepairInput {
  contents: string[];
}

/**
 * `vss guardian repair` (issue 30 item 5): each rotten file replaced by a verified copy of its
 * content from elsewhere on this device, else (through the daemon) from an online paired device's
 * original, the damaged file kept aside until the new bytes verify, as a durable job
 * (`guardian-repair`) worked in the CLI's process too (then from this device only). Nothing
 * rotten is answered at once, with nothing repaired and no job; a file with no good copy is
 * refused with its reason when the job runs (it must hash every candidate to know).
 */
export const guardianRepair: Way<RepairInput, RepairResult> = {
  name: GUARDIAN_REPAIR,
  plan(host, { contents }) {
    const files = rottenFiles(host.lib, contents);
    if (files.length === 0) return { size: { files: 0, bytes: 0 }, now: async () => ({ repaired: [], refused: [] }) };
    return { size: { files: files.length, bytes: files.reduce((n, f) => n + f.size, 0) }, queue: () => queueRepair(host.lib, contents, files) };
  },
  kind: (host) => ({ name: GUARDIAN_REPAIR, concurrency: 1, timeoutMs: repairTimeoutMs, run: (job, ctx) => runRepair(host.lib, job, ctx, peerOriginals(host)), discard: (job, lib) => discardRepair(lib, job) }),
  result: (job) => endedResult<RepairResult>(job, 'the repair'),
};

/** A paired device's original through the daemon's network, while it is up (none in a process without the daemon). */
function peerOriginals(host: OpHost): PeerOriginals | undefined {
  const network = host.network();
  if (!network) return undefined;
  return async (uuid, dir, signal) => receiveFromPeers(host.lib, uuid, dir, network, signal);
}
