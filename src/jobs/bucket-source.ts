import { createWriteStream } from 'node:fs';
import { extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { VssError } from '../core/errors.js';
import { hashFileAsIs } from '../content/hash-file.js';
import type { Library } from '../library/library.js';
import type { ContentRecord } from '../store/contents.js';
import { openBucketLocation, probeBucketLocation } from '../volumes/bucket-locations.js';
import type { BucketSource } from './source-file.js';

/**
 * The object of a bucket location holding CONTENT, fetched whole into DIR (a job's scratch
 * folder, removed with it) for the tools that need a file (ffmpeg, ExifTool, an OCR engine), and
 * checked to be that content: an object replaced since it was indexed is refused, not made into
 * another content's sidecars. A bucket that does not answer is UNAVAILABLE (its location goes
 * offline until it answers; the job waits, as for an unplugged drive).
 */
export async function fetchBucketSource(lib: Library, at: BucketSource, content: Pick<ContentRecord, 'uuid' | 'cas_id' | 'size'>, dir: string, signal?: AbortSignal): Promise<string> {
  const storage = await openBucketLocation(lib, at.locationId);
  if (!storage) throw new VssError('NOT_FOUND', `location ${at.locationId} is no longer a bucket location of this device`);
  // The name keeps its extension: some tools choose their reader by it.
  const path = join(dir, `source${extname(at.rel).slice(0, 16)}`);
  try {
    const chunks = storage.bucket.read(storage.bucket.key(at.rel), signal);
    let got = 0;
    const bounded = async function* (): AsyncGenerator<Uint8Array> {
      for await (const c of chunks) {
        got += c.length;
        if (got > content.size) throw new VssError('IO', `${storage.describe}/${at.rel} is larger than its content (${content.size} bytes): changed since it was indexed`);
        yield c;
      }
    };
    await pipeline(Readable.from(bounded()), createWriteStream(path, { flags: 'wx' }), { signal });
    if (got !== content.size) throw new VssError('IO', `${storage.describe}/${at.rel} gave ${got} bytes of ${content.size}: changed since it was indexed`);
  } catch (err) {
    // Whether the bucket went away, recorded: its location shows offline until it answers again.
    if (err instanceof VssError && err.code === 'UNAVAILABLE') await probeBucketLocation(lib, at.locationId).catch(() => undefined);
    throw err;
  } finally {
    storage.close();
  }
  const hashed = await hashFileAsIs(path, lib.config.settings.hashThresholdBytes);
  if (!hashed.ok || hashed.casId !== content.cas_id) {
    throw new VssError('IO', `${at.rel} in its bucket is not the content indexed there any more (${hashed.ok ? 'other bytes' : hashed.reason}): rescan the location`);
  }
  return path;
}
