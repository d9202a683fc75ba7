import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { blake3, Blake3Hasher } from '@napi-rs/blake-hash';
import { VssError } from '../core/errors.js';

/** Files up to this size are read and hashed in one synchronous step (most sidecars: thumbnails, JSON). */
const SMALL_FILE = 1024 * 1024;
const CHUNK = 4 * 1024 * 1024;

// O_NOFOLLOW: a sidecar path that became a symlink is refused, never followed out of sidecars/.
// O_NONBLOCK: a path that became a FIFO cannot hang us on open.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

export type ChecksumOutcome =
  | { ok: true; size: number; checksum: string }
  /** Not a regular file, or its size is not EXPECTEDSIZE (so it cannot be the recorded bytes: no need to read it). */
  | { ok: false; size: number; reason: 'not-a-file' | 'size' };

/**
 * Size and BLAKE3 of a sidecar file. Small files use one shared buffer and a synchronous read
 * (an async round trip per thumbnail would halve the verify rate); large ones (proxies) are
 * streamed in 4 MiB reads so the event loop stays free and memory stays flat.
 */
export class FileChecksummer {
  private readonly small = Buffer.allocUnsafe(SMALL_FILE);
  private chunks: [Buffer, Buffer] | undefined;

  async checksum(path: string, expectedSize?: number): Promise<ChecksumOutcome> {
    const fd = openSync(path, OPEN_FLAGS);
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) return { ok: false, size: st.size, reason: 'not-a-file' };
      if (expectedSize !== undefined && st.size !== expectedSize) return { ok: false, size: st.size, reason: 'size' };
      if (st.size <= SMALL_FILE) {
        // The size fstat saw, in as few reads as the kernel allows (one, normally): sidecars are
        // replaced by rename, never rewritten in place, so the bytes behind this fd do not change.
        let got = 0;
        while (got < st.size) {
          const n = readSync(fd, this.small, got, st.size - got, got);
          if (n === 0) break;
          got += n;
        }
        return { ok: true, size: got, checksum: blake3(this.small.subarray(0, got)).toString('hex') };
      }
    } finally {
      closeSync(fd);
    }
    return this.streamed(path);
  }

  private async streamed(path: string): Promise<ChecksumOutcome> {
    const fh = await open(path, OPEN_FLAGS);
    try {
      if (!(await fh.stat()).isFile()) return { ok: false, size: 0, reason: 'not-a-file' };
      // Two buffers: the next chunk is read (in the thread pool) while this one is hashed, so a
      // large file costs about the longer of its read and its hash, not their sum.
      this.chunks ??= [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
      let [buf, spare] = this.chunks;
      const hasher = new Blake3Hasher();
      let size = 0;
      let reading = fh.read(buf, 0, CHUNK, 0);
      for (;;) {
        const { bytesRead } = await reading;
        if (bytesRead === 0) break;
        size += bytesRead;
        reading = fh.read(spare, 0, CHUNK, size);
        hasher.update(bytesRead === CHUNK ? buf : buf.subarray(0, bytesRead));
        [buf, spare] = [spare, buf];
      }
      return { ok: true, size, checksum: hasher.digest('hex') };
    } finally {
      await fh.close();
    }
  }
}

/**
 * BLAKE3 and size of one whole regular file, never following a symlink; throws when the path
 * is not a regular file. A fresh checksummer per call: its buffers are not shared across awaits.
 */
export async function blake3File(path: string): Promise<{ checksum: string; size: number }> {
  const out = await new FileChecksummer().checksum(path);
  if (!out.ok) throw new VssError('IO', 'not a regular file', { path });
  return { checksum: out.checksum, size: out.size };
}
