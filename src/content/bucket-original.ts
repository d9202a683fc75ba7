import { VssError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import type { BucketStorage } from '../storage/bucket/bucket-storage.js';
import type { RangeReader } from '../storage/port.js';
import { readChunks } from '../storage/read-chunks.js';
import { openBucketLocation, probeBucketLocation } from '../volumes/bucket-locations.js';
import { openBucket } from '../volumes/buckets.js';
import { CAS_WHOLE } from './identity.js';
import { locationOnline } from '../volumes/location-online.js';

/** How many of a content's copies are looked at for one in a bucket. */
const MAX_COPIES = 32;
const CHUNK = 1024 * 1024;

/** An object of a bucket location holding a content, as the index recorded it. */
export interface BucketCopy {
  locationId: number;
  rel: string;
  size: number;
  mtimeMs: number;
  mime: string;
  casId: string;
  casVersion: number;
}

/**
 * A copy of CONTENTUUID in a bucket location of this device whose bucket answered when last asked
 * (the index alone: nothing is requested here), for a content no file on this device holds.
 */
export function bucketCopyOf(lib: Library, contentUuid: string): BucketCopy | undefined {
  const content = lib.store.contents.byUuid(contentUuid);
  if (!content) return undefined;
  for (const c of lib.store.entries.filesOfContent(content.id, lib.deviceId, MAX_COPIES)) {
    if (c.mtime_ms === null || lib.store.locations.byId(c.location_id)?.kind !== 'bucket') continue;
    if (locationOnline(lib, c.location_id)?.online !== true) continue;
    return { locationId: c.location_id, rel: c.rel_path, size: content.size, mtimeMs: c.mtime_ms, mime: content.mime, casId: content.cas_id, casVersion: content.cas_version };
  }
  return undefined;
}

/**
 * COPY opened to read: refused when the object is no longer what was indexed (another size or
 * time: a rescan identifies it again). A bucket that does not answer is recorded so (its location
 * shows offline), and the error says so. The caller closes both.
 */
export async function openBucketCopy(lib: Library, copy: BucketCopy): Promise<{ storage: BucketStorage; reader: RangeReader }> {
  const storage = await openBucketLocation(lib, copy.locationId);
  if (!storage) throw new VssError('NOT_FOUND', `location ${copy.locationId} is no longer a bucket location of this device`);
  let reader: RangeReader;
  try {
    reader = await storage.openRead(copy.rel);
  } catch (err) {
    storage.close();
    if (err instanceof VssError && err.code === 'UNAVAILABLE') await probeBucketLocation(lib, copy.locationId).catch(() => undefined);
    throw err;
  }
  if (reader.facts.size !== copy.size || reader.facts.mtimeMs !== copy.mtimeMs) {
    await reader.close();
    storage.close();
    throw new VssError('IO', `${storage.describe}/${copy.rel} changed since it was indexed (a rescan identifies it again)`);
  }
  return { storage, reader };
}

/** LENGTH bytes of COPY from START, read as they are asked for (nothing is kept). */
export async function* readBucketCopy(lib: Library, copy: BucketCopy, start: number, length: number, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const { storage, reader } = await openBucketCopy(lib, copy);
  try {
    for await (const chunk of readChunks(reader, start, Math.min(copy.size, start + length), CHUNK)) {
      signal?.throwIfAborted();
      yield chunk;
    }
  } finally {
    await reader.close();
    storage.close();
  }
}

/** A content served from a bucket location as a peer's copy is (daemon routes): its facts, and its bytes read as asked for. */
export interface BucketOriginal {
  size: number;
  mime: string;
  casId: string;
  read(start: number, length: number, signal?: AbortSignal): AsyncGenerator<Uint8Array>;
}

/** CONTENTUUID as a bucket location of this device holds it, or else an object vss put in one of its bucket volumes; undefined where none does. */
export function bucketOriginal(lib: Library, contentUuid: string): BucketOriginal | undefined {
  const copy = bucketCopyOf(lib, contentUuid);
  if (copy) return { size: copy.size, mime: copy.mime, casId: copy.casId, read: (start, length, signal) => readBucketCopy(lib, copy, start, length, signal) };
  const object = bucketObjectOf(lib, contentUuid);
  return object && { size: object.size, mime: object.mime, casId: object.casId, read: (start, length, signal) => readBucketObject(lib, object, start, length, signal) };
}

/**
 * An object vss put in a bucket volume of this device (a protect's copy, a `files copy` into a
 * bucket; plain or encrypted) holding a content: what it must hash to when read whole (the
 * content's whole BLAKE3, else the BLAKE3 the object was verified as when uploaded).
 */
export interface BucketObjectCopy {
  volumeId: number;
  key: string;
  size: number;
  mime: string;
  casId: string;
  casVersion: number;
  blake3: string;
}

/**
 * An object of CONTENTUUID in a bucket volume of this device that is not found gone or changed and
 * whose bucket answered when last asked (the index alone: nothing is requested here).
 */
export function bucketObjectOf(lib: Library, contentUuid: string): BucketObjectCopy | undefined {
  const content = lib.store.contents.byUuid(contentUuid);
  if (!content) return undefined;
  for (const o of lib.store.buckets.objectsOf(contentUuid).slice(0, MAX_COPIES)) {
    const vol = lib.store.buckets.byVolume(o.volume_id);
    if (!vol || vol.device_id !== lib.deviceId || vol.unreachable !== null || o.size !== content.size || o.verified_at === null) continue;
    return { volumeId: o.volume_id, key: o.key, size: o.size, mime: content.mime, casId: content.cas_id, casVersion: content.cas_version, blake3: content.cas_version === CAS_WHOLE ? content.cas_id : o.blake3 };
  }
  return undefined;
}

/**
 * LENGTH bytes of the object COPY from START, read as they are asked for, a block at a time (an
 * encrypted bucket's opens only the chunks that hold them, each authenticated; nothing is kept).
 */
export async function* readBucketObject(lib: Library, copy: BucketObjectCopy, start: number, length: number, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const vol = lib.store.buckets.byVolume(copy.volumeId);
  if (!vol) throw new VssError('NOT_FOUND', `bucket volume ${copy.volumeId} is no longer known to this library`);
  const bucket = openBucket(lib, vol);
  try {
    const end = Math.min(copy.size, start + length);
    for (let at = start; at < end; at += CHUNK) {
      signal?.throwIfAborted();
      yield await bucket.readRange(copy.key, at, Math.min(end, at + CHUNK), signal);
    }
  } finally {
    bucket.close();
  }
}

/** The whole object COPY as it streams (a content got from it: the caller lands and verifies it). */
export async function* streamBucketObject(lib: Library, copy: BucketObjectCopy, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const vol = lib.store.buckets.byVolume(copy.volumeId);
  if (!vol) throw new VssError('NOT_FOUND', `bucket volume ${copy.volumeId} is no longer known to this library`);
  const bucket = openBucket(lib, vol);
  try {
    yield* bucket.read(copy.key, signal);
  } finally {
    bucket.close();
  }
}
