import { CHECK_ASKED_PRIORITY, checkedBuckets, GUARDIAN_CHECK_BUCKETS, queueBucketCheck, runBucketCheck } from '../../guardian/bucket-check.js';
import { endedResult } from '../../jobs/wait-for-job.js';
import type { BucketCheckResult } from '../../wire/guardian.js';
import type { DurableOp } from '../op.js';

/** This device's bucket volumes to check (name, id or URL); none: all of them. */
export interface CheckBucketsInput {
  buckets: string[];
  /** Read every object back whole too: the scrub of a bucket (`--read`). */
  read?: boolean;
}

/** A run lists at most this many keys a bucket and asks a few HEADs: requests, never a download. */
const RUN_TIMEOUT_MS = 30 * 60_000;

/**
 * `vss guardian check-buckets` (issue 42): the objects vss put in this device's buckets held
 * against a listing of each bucket (keys, sizes, ETags), those gone or changed marked so they no
 * longer count (guardian/bucket-check.ts), as a durable job (`guardian-check-buckets`) that
 * lists a bounded number of keys a run and goes on from there the next run. Worked in the CLI's
 * process without a daemon (it needs no peer); the daemon queues the same job on its schedule.
 */
export const guardianCheckBuckets: DurableOp<CheckBucketsInput, BucketCheckResult> = {
  name: GUARDIAN_CHECK_BUCKETS,
  action: 'check',
  asked: ({ buckets }) => ({ sources: buckets, target: null }),
  plan(host, input) {
    const vols = checkedBuckets(host.lib, input.buckets);
    const size = { files: vols.reduce((n, v) => n + host.lib.store.buckets.tally(v.volume_id).objects, 0), bytes: 0 };
    return { size, queue: () => queueBucketCheck(host.lib, vols.map((v) => v.volume_id), CHECK_ASKED_PRIORITY, input.read === true) };
  },
  kinds: (host) => [({ name: GUARDIAN_CHECK_BUCKETS, concurrency: 1, timeoutMs: () => RUN_TIMEOUT_MS, run: (job, ctx) => runBucketCheck(host.lib, job, ctx) })],
  result: (job) => endedResult<BucketCheckResult>(job, 'the check of the buckets'),
};
