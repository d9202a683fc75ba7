import { endedResult } from '../../jobs/wait-for-job.js';
import { GUARDIAN_SCRUB, queueScrub, runScrub, SCRUB_ASKED_PRIORITY, scrubbedLocations, scrubTimeoutMs } from '../../guardian/scrub-job.js';
import type { ScrubResult } from '../../wire/guardian.js';
import type { DurableOp } from '../op.js';

/** This device's locations to scrub (ids); none: all of them. */
export interface ScrubInput {
  locations: number[];
}

/**
 * `vss guardian scrub` (issue 30 item 5): originals hashed whole again at the device's read rate,
 * rot recorded, as a durable job (`guardian-scrub`) that gives its slot back every slice and goes
 * on after a kill -9 from where its pass stopped. Worked in the CLI's process without a daemon
 * (it needs no network); the daemon queues the same job on its schedule.
 */
export const guardianScrub: DurableOp<ScrubInput, ScrubResult> = {
  name: GUARDIAN_SCRUB,
  action: 'scrub',
  asked: ({ locations }) => ({ sources: locations.map(String), target: null }),
  plan(host, input) {
    const rows = scrubbedLocations(host.lib, input.locations);
    const size = { files: rows.reduce((n, r) => n + r.files, 0), bytes: rows.reduce((n, r) => n + r.bytes, 0) };
    return { size, queue: () => queueScrub(host.lib, rows.map((r) => r.id), SCRUB_ASKED_PRIORITY) };
  },
  kinds: (host) => [({ name: GUARDIAN_SCRUB, concurrency: 1, timeoutMs: scrubTimeoutMs, run: (job, ctx) => runScrub(host.lib, host.dataDir, job, ctx) })],
  result: (job) => endedResult<ScrubResult>(job, 'the scrub'),
};
