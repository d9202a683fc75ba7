import { Blake3Hasher } from '@napi-rs/blake-hash';
import { VssError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import type { BucketVolume } from '../store/buckets.js';
import { SealBroken } from '../storage/bucket/age-object.js';
import type { S3Bucket } from '../storage/bucket/s3-bucket.js';
import { applyJudgement } from './bucket-evidence.js';

/*
 * A bucket's objects read back whole (`vss guardian check-buckets --read`, issue 60: the scrub of
 * a bucket): each object vss recorded there streamed down, an encrypted one opened and
 * authenticated chunk by chunk, and the BLAKE3 of its plaintext held against the one recorded when
 * it was uploaded. An object that does not authenticate, or whose bytes hash otherwise, is marked
 * changed (it stops counting as a copy; `guardian protect` uploads it again). A HEAD and a listing
 * cannot see damage the service kept under the same ETag; this can, at the price of a download.
 */

/** Bytes one run reads back in a bucket at most: what a bucket's egress of a run may cost is bounded. */
export const READ_BYTES_PER_RUN = 4 * 1024 * 1024 * 1024;
/** Objects recorded read from the library at a time. */
const PAGE = 200;

export interface ReadCounts {
  /** Objects read back whole, and of them those that did not authenticate or hash as recorded. */
  read: number;
  read_bad: number;
}

/**
 * Read back the objects of VOL recorded as copies (not marked lost), in key order, until BYTES are
 * read: each one's plaintext hashed as it streams. Whether every object was read (the budget not
 * spent first). A bucket that stops answering throws (the caller skips it, saying why).
 */
export async function readBackBucket(lib: Library, vol: BucketVolume, bucket: S3Bucket, counts: ReadCounts, signal: AbortSignal | undefined, bytes = READ_BYTES_PER_RUN, now: () => number = Date.now): Promise<boolean> {
  let spent = 0;
  for (let after = ''; ;) {
    const recs = lib.store.buckets.objectsBetween(vol.volume_id, after, null, PAGE);
    if (recs.length === 0) return true;
    for (const r of recs) {
      if (r.lost_at !== null) continue;
      if (spent + r.size > bytes && counts.read > 0) return false;
      signal?.throwIfAborted();
      const wrong = await readOne(bucket, r.key, r.size, r.blake3, signal);
      spent += r.size;
      counts.read++;
      if (wrong === undefined) lib.store.buckets.markFound(vol.volume_id, r.key, now(), null);
      else {
        counts.read_bad++;
        applyJudgement(lib, vol, r, { is: 'changed', what: wrong }, now());
      }
    }
    after = recs[recs.length - 1]!.key;
  }
}

/** Why the object at KEY is not SIZE bytes hashing to BLAKE3 when read whole, or undefined when it is. */
async function readOne(bucket: S3Bucket, key: string, size: number, blake3: string, signal?: AbortSignal): Promise<string | undefined> {
  const hasher = new Blake3Hasher();
  let got = 0;
  try {
    for await (const chunk of bucket.read(key, signal)) {
      got += chunk.length;
      if (got > size) return `it reads back as more than the ${size} bytes uploaded`;
      hasher.update(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    }
  } catch (err) {
    if (err instanceof SealBroken) return `read back, it does not authenticate (${err.message.slice(0, 200)})`;
    if (err instanceof VssError && err.code === 'NOT_FOUND') return 'it is gone';
    throw err;
  }
  if (got !== size) return `it reads back as ${got} bytes, not the ${size} uploaded`;
  const h = hasher.digest('hex');
  return h === blake3 ? undefined : `read back, its bytes hash to ${h.slice(0, 16)}…, not the ${blake3.slice(0, 16)}… uploaded`;
}
