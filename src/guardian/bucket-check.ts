import { UsageError, VssError } from '../core/errors.js';
import type { JobOutcome, JobRunContext } from '../jobs/job-kind.js';
import type { JobRow } from '../jobs/states.js';
import { paramsJson } from '../jobs/wait-for-job.js';
import type { Library } from '../library/library.js';
import type { BucketObjectRecord, BucketVolume } from '../store/buckets.js';
import type { S3Bucket } from '../storage/bucket/s3-bucket.js';
import { openBucket, probeBucket } from '../volumes/buckets.js';
import type { BucketCheckResult, BucketCheckView } from '../wire/guardian.js';
import { applyJudgement, judgeObject } from './bucket-evidence.js';
import { READ_BYTES_PER_RUN, readBackBucket } from './bucket-read.js';

/*
 * The listing check of this device's bucket volumes (`vss guardian check-buckets`, and the
 * daemon's schedule): each bucket's keys under its prefix listed (ListObjectsV2: keys, sizes and
 * ETags, requests and no download) and held against the objects vss recorded there; an object
 * missing from the listing, or listed with another size or ETag, is asked again by a HEAD (a
 * listing may lag a write) and marked gone or changed by the one judgement of
 * `bucket-evidence.ts`; one found back as recorded is counted again. A run lists a bounded
 * number of keys and asks a bounded number of HEADs, from where the pass under way stopped
 * (`bucket_volumes.check_after`), so a large bucket is covered over several runs.
 */

/** The job kind of `vss guardian check-buckets` and of the daemon's scheduled checks. */
export const GUARDIAN_CHECK_BUCKETS = 'guardian-check-buckets';
/** Keys one run lists in a bucket at most (20 requests of 1000): a million objects are one pass over two days of hourly runs. */
export const KEYS_PER_RUN = 20_000;
/** HEAD requests one run makes in a bucket at most (an object the listing does not show as recorded, or one with no ETag kept). */
export const HEADS_PER_RUN = 500;
/** A bucket whose last pass ended this long ago is due again. */
export const CHECK_EVERY_MS = 24 * 3600_000;
/** A check the user asked for: ahead of background generation, as a scrub asked. */
export const CHECK_ASKED_PRIORITY = 5;
/** A scheduled check: behind every kind of generation. */
export const CHECK_SCHEDULED_PRIORITY = 60;
const MAX_ATTEMPTS = 3;
/** Objects recorded read from the library at a time. */
const RECORDS_PAGE = 500;
/** Objects marked gone or changed a result names, per bucket. */
const LOST_NAMED = 20;
const MAX_PARAMS_CHARS = 64 * 1024;

interface CheckParams {
  volumes: number[];
  /** Read every object back whole too (`--read`): the scrub of a bucket (bucket-read.ts). */
  read?: boolean;
}

/** What a run may spend in one bucket. */
export interface CheckBudget {
  keys: number;
  heads: number;
}

/** The bucket volumes of this device named by REFS (name, id, fingerprint or URL; none: all of them), refused at once when one is not. */
export function checkedBuckets(lib: Library, refs: readonly string[]): BucketVolume[] {
  const all = lib.store.buckets.ofDevice(lib.deviceId);
  if (refs.length === 0) {
    if (all.length === 0) throw new UsageError('this device has no bucket volume to check: add one (vss volumes add s3://BUCKET/PREFIX)');
    return all;
  }
  const out = new Map<number, BucketVolume>();
  for (const ref of refs) {
    const b = all.find((v) => v.name === ref) ?? all.find((v) => v.mount_point === ref.replace(/\/+$/, '') || v.fingerprint === ref)
      ?? (/^[0-9]{1,15}$/.test(ref) ? all.find((v) => v.volume_id === Number(ref)) : undefined);
    if (!b) throw new VssError('NOT_FOUND', `${JSON.stringify(ref)}: no bucket volume of this device has that name, id or URL (vss volumes list)`);
    out.set(b.volume_id, b);
  }
  return [...out.values()];
}

/**
 * Queue a check of VOLUMEIDS, or join the one of the same buckets under way (one open job per
 * set: its `content_uuid` names them).
 */
export function queueBucketCheck(lib: Library, volumeIds: readonly number[], priority: number, read = false): JobRow {
  const ids = [...new Set(volumeIds)].sort((a, b) => a - b);
  const key = `check-buckets:${ids.join(',')}${read ? ':read' : ''}`;
  return lib.store.immediate(() => {
    lib.store.jobs.enqueueUrgent({ kind: GUARDIAN_CHECK_BUCKETS, contentUuid: key, priority, maxAttempts: MAX_ATTEMPTS, params: JSON.stringify({ volumes: ids, ...(read ? { read } : {}) } satisfies CheckParams) });
    const open = lib.store.jobs.openOf(GUARDIAN_CHECK_BUCKETS, key)[0];
    if (!open) throw new VssError('IO', 'the check of the buckets could not be queued');
    return open;
  });
}

/**
 * The daemon's schedule: queue a check of every bucket volume of this device that is due (a pass
 * under way goes on at each look; a bucket whose last pass ended CHECK_EVERY_MS ago or never ran
 * starts one), unless a check is open already. The job queued, or null.
 */
export function queueDueBucketCheck(lib: Library, now = Date.now()): JobRow | null {
  if (lib.store.jobs.openKinds().includes(GUARDIAN_CHECK_BUCKETS)) return null;
  const due = lib.store.buckets.ofDevice(lib.deviceId).filter((b) => b.check_after !== null || b.check_done_at === null || now - b.check_done_at >= CHECK_EVERY_MS);
  return due.length > 0 ? queueBucketCheck(lib, due.map((b) => b.volume_id), CHECK_SCHEDULED_PRIORITY) : null;
}

/** One run of check job JOB: each of its buckets checked within the run's budget; a bucket that does not answer is skipped, saying why. */
export async function runBucketCheck(lib: Library, job: JobRow, ctx: JobRunContext, budget: CheckBudget = { keys: KEYS_PER_RUN, heads: HEADS_PER_RUN }): Promise<JobOutcome> {
  const { volumes, read } = paramsOf(job);
  const views: BucketCheckView[] = [];
  for (const id of volumes) {
    ctx.signal.throwIfAborted();
    const vol = lib.store.buckets.byVolume(id);
    if (!vol || vol.device_id !== lib.deviceId) continue;
    views.push(await checkBucket(lib, vol, budget, ctx.signal, Date.now, read === true));
  }
  const result: BucketCheckResult = { buckets: views, gone: sum(views, 'gone'), changed: sum(views, 'changed'), lost: sum(views, 'lost') };
  const readNote = read === true ? `; ${sum(views, 'read')} read back whole, ${sum(views, 'read_bad')} of them not as uploaded` : '';
  const note = `${sum(views, 'listed')} keys listed in ${views.length} bucket${views.length === 1 ? '' : 's'}: ${result.gone} found gone, ${result.changed} changed, ${result.lost} not counted${readNote}`;
  return { state: 'completed', note, result: JSON.stringify(result) };
}

/**
 * One bounded run of VOL's listing check: from where its pass under way stopped (or the first
 * key), pages of its keys listed and held against the objects recorded in the same range of keys,
 * until BUDGET is spent or the listing ends (the pass done). A bucket that does not answer is
 * skipped (its pass kept where it was).
 */
export async function checkBucket(lib: Library, vol: BucketVolume, budget: CheckBudget, signal?: AbortSignal, now: () => number = Date.now, read = false): Promise<BucketCheckView> {
  const counts = { listed: 0, heads: 0, found: 0, gone: 0, changed: 0, back: 0 };
  const reads = { read: 0, read_bad: 0 };
  let readAll: boolean | null = null;
  let passDone = false;
  let skipped: string | null = null;
  const why = await probeBucket(lib, vol, now());
  if (why !== undefined) skipped = `it does not answer now (${why.slice(0, 200)})`;
  else {
    const bucket = openBucket(lib, vol);
    try {
      passDone = await checkPages(lib, vol, bucket, budget, counts, signal, now);
      if (read) readAll = await readBackBucket(lib, vol, bucket, reads, signal, READ_BYTES_PER_RUN, now);
    } catch (err) {
      if (signal?.aborted || !(err instanceof VssError) || err.code !== 'UNAVAILABLE') throw err;
      lib.store.buckets.setReach(vol.volume_id, now(), err.message.slice(0, 500));
      skipped = `it stopped answering (${err.message.slice(0, 200)}); the check goes on from there next time`;
    } finally {
      bucket.close();
    }
  }
  const after = lib.store.buckets.byVolume(vol.volume_id)!;
  const tally = lib.store.buckets.tally(vol.volume_id);
  return {
    volume_id: vol.volume_id, name: vol.name ?? vol.mount_point, url: vol.mount_point, ...counts, ...reads, read_all: readAll, ...tally,
    lost_items: lib.store.buckets.lostIn(vol.volume_id, LOST_NAMED).map((o) => ({ key: o.key, content_uuid: o.content_uuid, why: o.lost_why ?? 'found gone or changed' })),
    pass_done: passDone, done_at: after.check_done_at, skipped,
  };
}

/** The pages of one run; whether the listing's end was reached (the pass done). */
async function checkPages(lib: Library, vol: BucketVolume, bucket: S3Bucket, budget: CheckBudget, counts: Record<'listed' | 'heads' | 'found' | 'gone' | 'changed' | 'back', number>, signal: AbortSignal | undefined, now: () => number): Promise<boolean> {
  const store = lib.store.buckets;
  const prefix = vol.prefix === '' ? '' : `${vol.prefix}/`;
  let after = store.beginCheck(vol.volume_id, now())?.check_after ?? '';
  while (counts.listed < budget.keys) {
    signal?.throwIfAborted();
    const page = await bucket.listKeys(prefix, after, budget.keys - counts.listed, signal);
    counts.listed += page.objects.length;
    // This page speaks for the recorded keys after AFTER up to its last key; the last page, for every key after AFTER.
    const upTo = page.more ? page.objects[page.objects.length - 1]!.key : null;
    const listed = new Map(page.objects.map((o) => [o.key, o]));
    for (let from = after; ;) {
      const recs = store.objectsBetween(vol.volume_id, from, upTo, RECORDS_PAGE);
      if (recs.length === 0) break;
      const found: string[] = [];
      for (const r of recs) {
        const l = listed.get(r.key);
        const judged = l ? judgeObject(r, l) : { is: 'gone' as const };
        if (judged?.is === 'recorded') {
          found.push(r.key);
          counts.found++;
          if (r.lost_at !== null) counts.back++;
          continue;
        }
        // Not as recorded in the listing (or no ETag kept to tell): a HEAD decides, within the run's budget.
        if (counts.heads >= budget.heads) {
          store.markFoundMany(vol.volume_id, found, now());
          store.keepCheck(vol.volume_id, lastBefore(recs, r) ?? from);
          return false;
        }
        counts.heads++;
        await asked(lib, vol, bucket, r, counts, signal, now());
      }
      store.markFoundMany(vol.volume_id, found, now());
      from = recs[recs.length - 1]!.key;
      store.keepCheck(vol.volume_id, from);
    }
    if (upTo === null) {
      store.finishCheck(vol.volume_id, now());
      return true;
    }
    after = upTo;
    store.keepCheck(vol.volume_id, after);
  }
  return false;
}

/** REC asked by a HEAD, and judged: found as recorded (back, if it was marked), or marked gone or changed. */
async function asked(lib: Library, vol: BucketVolume, bucket: S3Bucket, rec: BucketObjectRecord, counts: Record<'found' | 'gone' | 'changed' | 'back', number>, signal: AbortSignal | undefined, now: number): Promise<void> {
  const head = await bucket.head(rec.key, signal);
  const judged = judgeObject(rec, head ?? undefined)!;
  applyJudgement(lib, vol, rec, judged, now);
  if (judged.is === 'recorded') {
    counts.found++;
    if (rec.lost_at !== null) counts.back++;
  } else if (rec.lost_at === null) counts[judged.is]++;
}

/** The key of the record before R in RECS (the last one a run got through), undefined when R is the first. */
function lastBefore(recs: readonly BucketObjectRecord[], r: BucketObjectRecord): string | undefined {
  const i = recs.indexOf(r);
  return i > 0 ? recs[i - 1]!.key : undefined;
}

function sum<K extends 'listed' | 'gone' | 'changed' | 'lost' | 'read' | 'read_bad'>(views: readonly BucketCheckView[], key: K): number {
  return views.reduce((n, v) => n + v[key], 0);
}

function paramsOf(job: JobRow): CheckParams {
  const o = paramsJson(job, MAX_PARAMS_CHARS) as Partial<CheckParams> | undefined;
  if (!o || !Array.isArray(o.volumes) || !o.volumes.every((n) => Number.isInteger(n))) throw new VssError('USAGE', `job ${job.id} does not say which buckets to check`);
  return { volumes: o.volumes, ...(o.read === true ? { read: true } : {}) };
}
