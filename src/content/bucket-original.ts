import { VssError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import type { BucketStorage } from '../storage/bucket/bucket-storage.js';
import type { RangeReader } from '../storage/port.js';
import { readChunks } from '../storage/read-chunks.js';
import { openBucketLocation, probeBucketLocation } from '../volumes/bucket-locations.js';
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

/** CONTENTUUID as a bucket location of this device holds it, or undefined where none does. */
export function bucketOriginal(lib: Library, contentUuid: string): BucketOriginal | undefined {
  const copy = bucketCopyOf(lib, contentUuid);
  return copy && { size: copy.size, mime: copy.mime, casId: copy.casId, read: (start, length, signal) => readBucketCopy(lib, copy, start, length, signal) };
}
