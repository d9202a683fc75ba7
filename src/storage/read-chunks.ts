import type { RangeReader } from './port.js';

/**
 * The bytes of READER from START up to END (exclusive), in chunks of CHUNK bytes, each in a
 * buffer of its own (a consumer may hold on to it, as a stream writer does), the next one read
 * while the consumer uses the last, so the disk and the consumer overlap. Ends early, without
 * an error, where the file ends early (a file that shrank: its consumer counts the bytes).
 */
export async function* readChunks(reader: RangeReader, start: number, end: number, chunk: number): AsyncGenerator<Buffer> {
  const readAt = async (pos: number): Promise<Buffer | null> => {
    if (pos >= end) return null;
    const buf = Buffer.allocUnsafe(Math.min(chunk, end - pos));
    const n = await reader.read(buf, 0, buf.length, pos);
    return n === 0 ? null : n === buf.length ? buf : buf.subarray(0, n);
  };
  let pos = start;
  let next = readAt(pos);
  try {
    for (;;) {
      const got = await next;
      if (got === null) return;
      pos += got.length;
      next = readAt(pos);
      yield got;
    }
  } finally {
    // A consumer that stopped early leaves one read in flight: it ends before the reader is closed.
    await next.catch(() => undefined);
  }
}
