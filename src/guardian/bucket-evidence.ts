import { VssError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import type { BucketObjectRecord, BucketVolume } from '../store/buckets.js';
import type { HeadFound } from '../storage/bucket/s3-bucket.js';
import { openBucket } from '../volumes/buckets.js';

/*
 * Whether an object vss put in a bucket still vouches for its content (DESIGN §19: a bucket
 * object counts only after a HEAD confirms its size and recorded ETag/metadata). Nothing looks
 * at an object again after its upload otherwise: a HEAD before the guard counts it, and the
 * listing check (`bucket-check.ts`) now and then, decide here whether it is still what was
 * uploaded; one found gone or changed is marked (`bucket_objects.lost_at`) and stops counting
 * everywhere until a look finds it back as recorded.
 */

/** What a look at an object says: it counts, or why not (in words a person acts on). */
export type BucketVerdict = { counts: true } | { counts: false; why: string };

/** An object of a bucket volume, by its volume and its whole key (the prefix included). */
export interface BucketObjectRef {
  volume_id: number;
  key: string;
}

/** What the bucket's answer says of a recorded object. */
export type ObjectJudgement =
  | { is: 'recorded'; etag: string | null }
  | { is: 'gone' }
  | { is: 'changed'; what: string };

/**
 * What FOUND (a HEAD's answer, or a listing's line: undefined where the key is not there) says of
 * RECORDED. The size must be the one uploaded; where the ETag was kept it must be the same (an
 * object written again over the key, even with the same size and `x-amz-meta-vss-*` metadata,
 * has another); an object recorded before ETags were kept is compared by its metadata (a listing
 * gives none: undefined, not judged here) and its ETag is learnt from then on.
 */
export function judgeObject(recorded: Pick<BucketObjectRecord, 'size' | 'etag' | 'blake3' | 'content_uuid'>, found: Pick<HeadFound, 'size' | 'etag'> & { meta?: HeadFound['meta'] } | undefined): ObjectJudgement | undefined {
  if (!found) return { is: 'gone' };
  if (found.size !== recorded.size) return { is: 'changed', what: `it holds ${found.size} bytes, not the ${recorded.size} uploaded` };
  if (recorded.etag !== null) {
    if (found.etag !== recorded.etag) return { is: 'changed', what: `its ETag is ${found.etag ?? 'none'}, not the ${recorded.etag} it had when uploaded` };
    return { is: 'recorded', etag: found.etag };
  }
  if (!found.meta) return undefined;
  if (found.meta['vss-blake3'] !== recorded.blake3) return { is: 'changed', what: `its metadata says BLAKE3 ${short(found.meta['vss-blake3'])}, not the ${short(recorded.blake3)} uploaded` };
  if (found.meta['vss-content'] !== recorded.content_uuid) return { is: 'changed', what: `its metadata says content ${found.meta['vss-content'] ?? 'none'}, not ${recorded.content_uuid}` };
  return { is: 'recorded', etag: found.etag };
}

/**
 * Whether OBJECT (recorded in `bucket_objects`) counts now: its bucket is asked (a HEAD) and the
 * key must be there with the size and ETag recorded (or, recorded before ETags were kept, the
 * `x-amz-meta-vss-*` metadata it was uploaded with). Found gone or changed, it is marked so (it
 * stops counting everywhere) and the answer says why; found as recorded, a mark it had is
 * cleared. A bucket that does not answer now confirms nothing (its object is not marked: it may
 * well be there); that is said too. The one function the guard asks before a bucket copy vouches.
 */
export async function confirmBucketCopy(lib: Library, object: BucketObjectRef, signal?: AbortSignal, now = Date.now()): Promise<BucketVerdict> {
  const rec = lib.store.buckets.object(object.volume_id, object.key);
  const vol = lib.store.buckets.byVolume(object.volume_id);
  if (!rec || !vol || vol.device_id !== lib.deviceId) return { counts: false, why: `no object is recorded at ${object.key} in a bucket of this device` };
  const bucket = openBucket(lib, vol);
  let found: HeadFound | undefined;
  try {
    found = await bucket.head(rec.key, signal);
  } catch (err) {
    if (signal?.aborted) throw err;
    const said = err instanceof VssError ? err.message : String(err);
    lib.store.buckets.setReach(vol.volume_id, now, said.slice(0, 500));
    return { counts: false, why: `${nameOf(vol)} does not answer now (${said.slice(0, 200)}): its copy ${rec.key} cannot be confirmed` };
  } finally {
    bucket.close();
  }
  lib.store.buckets.setReach(vol.volume_id, now, null);
  return applyJudgement(lib, vol, rec, judgeObject(rec, found ?? undefined)!, now);
}

/** JUDGED kept for REC of VOL (marked lost, or found as recorded), and what it says. */
export function applyJudgement(lib: Library, vol: BucketVolume, rec: BucketObjectRecord, judged: ObjectJudgement, now: number): BucketVerdict {
  if (judged.is === 'recorded') {
    lib.store.buckets.markFound(vol.volume_id, rec.key, now, judged.etag);
    return { counts: true };
  }
  const why = lostWhy(vol, rec, judged);
  lib.store.buckets.markLost(vol.volume_id, rec.key, now, why);
  return { counts: false, why };
}

/** Why REC no longer counts, in words: "the object home/vss-protect/loc/b.bin in Offsite is gone: …". */
export function lostWhy(vol: Pick<BucketVolume, 'name' | 'mount_point'>, rec: Pick<BucketObjectRecord, 'key'>, judged: Exclude<ObjectJudgement, { is: 'recorded' }>): string {
  const what = judged.is === 'gone' ? 'is gone (deleted outside vss)' : `was replaced: ${judged.what}`;
  return `the object ${rec.key} in ${nameOf(vol)} ${what}; it no longer counts as a copy (vss guardian protect --to ${JSON.stringify(nameOf(vol))} uploads it again)`;
}

function nameOf(vol: Pick<BucketVolume, 'name' | 'mount_point'>): string {
  return vol.name ?? vol.mount_point;
}

function short(hash: string | undefined): string {
  return hash === undefined ? 'none' : `${hash.slice(0, 16)}…`;
}
