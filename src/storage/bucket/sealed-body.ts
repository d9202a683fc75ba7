import { VssError } from '../../core/errors.js';
import { CHUNK, sealedSize } from './age-object.js';
import { PartSealer } from './part-sealer.js';
import { openSealing } from './seal-thread.js';
import type { FileReader, UploadBody } from './s3-bucket.js';

/** Plaintext read from the file at once (16 chunks, 1 MiB): fewer reads than a chunk each, few enough held. */
const BLOCK = 16 * CHUNK;
/** Parts' worth of plaintext read ahead of the parts the upload took (the sealing worker's queue). */
const AHEAD = 2;

/**
 * What an upload to an encrypted bucket sends for a file of SIZE bytes read by FILE, in parts of
 * PART bytes (`S3Bucket.upload`'s): the age header HEAD, then the file's chunks sealed under
 * PAYLOADKEY as they are read (`PartSealer`). A file of more than one part is sealed in the
 * process's sealing worker (seal-thread.ts), a few parts ahead of the upload, so the cipher runs
 * beside the parts going out rather than between them; one of a single part, where there is
 * nothing to run beside, here. Memory either way: a few parts, whatever the file's size.
 */
export function sealedBody(head: Buffer, payloadKey: Buffer, file: FileReader, size: number, part: number, threaded = sealedSize(size) > part): UploadBody {
  return threaded ? threadedBody(head, payloadKey, file, size, part) : inlineBody(new PartSealer(head, payloadKey, size, part), file, size);
}

/** The next block of the file, read from byte AT: a whole number of chunks (an empty file's is empty). */
const blockAt = (file: FileReader, size: number, at: number) => file.next(Math.min(BLOCK, size - at));

/** The part a request of N bytes takes: the parts come in order, of the sizes asked, never other. */
function taken(part: Buffer | undefined, n: number, total: number): Buffer {
  if (!part || part.length !== n) throw new VssError('IO', `an upload asked ${n} bytes of its sealed file (${total} bytes) where its next part is ${part?.length ?? 0}`);
  return part;
}

function inlineBody(sealer: PartSealer, file: FileReader, size: number): UploadBody {
  const ready: Buffer[] = [];
  let at = 0;
  return {
    size: sealer.total,
    async next(n) {
      while (ready.length === 0 && !sealer.done) {
        const plain = await blockAt(file, size, at);
        at += plain.length;
        ready.push(...sealer.push(plain));
      }
      return taken(ready.shift(), n, sealer.total);
    },
  };
}

function threadedBody(head: Buffer, payloadKey: Buffer, file: FileReader, size: number, part: number): UploadBody {
  const total = sealedSize(size);
  const ready: Buffer[] = [];
  let failure: Error | undefined;
  let closed = false;
  let parts = 0;
  /** Wakes the request waiting for a part (one came, or a failure); wakes the reading waiting for room. */
  let partCame: (() => void) | undefined;
  let roomMade: (() => void) | undefined;
  const fail = (err: Error) => {
    failure ??= err;
    partCame?.();
  };
  const stream = openSealing(head, payloadKey, size, part, {
    onParts: (made) => {
      ready.push(...made);
      partCame?.();
    },
    onError: fail,
  });
  // The file read and handed to the worker, at most AHEAD parts' worth past the parts taken.
  void (async () => {
    for (let at = 0; at < size || (size === 0 && at === 0); ) {
      while (at >= (parts + AHEAD) * part && !closed) await new Promise<void>((r) => (roomMade = r));
      if (closed) return;
      const plain = await blockAt(file, size, at);
      if (closed) return;
      at += plain.length;
      stream.push(plain);
      if (size === 0) return;
    }
  })().catch(fail);
  return {
    size: total,
    async next(n) {
      for (;;) {
        if (failure) throw failure;
        if (ready.length > 0) break;
        if (closed) throw new VssError('IO', 'an upload asked for its sealed file once closed');
        await new Promise<void>((r) => (partCame = r));
      }
      parts++;
      roomMade?.();
      return taken(ready.shift(), n, total);
    },
    close() {
      closed = true;
      stream.close();
      roomMade?.();
      partCame?.();
    },
  };
}
