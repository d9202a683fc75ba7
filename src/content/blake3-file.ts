import { Blake3Hasher } from '@napi-rs/blake-hash';
import { open } from 'node:fs/promises';
import { constants } from 'node:fs';

const CHUNK = 4 * 1024 * 1024;

/** BLAKE3 of a whole file, streamed in 4 MiB reads; never follows a symlink. */
export async function blake3File(path: string): Promise<{ checksum: string; size: number }> {
  const fh = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  try {
    const hasher = new Blake3Hasher();
    const buf = Buffer.allocUnsafe(CHUNK);
    let size = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, size);
      if (bytesRead === 0) break;
      hasher.update(bytesRead === CHUNK ? buf : buf.subarray(0, bytesRead));
      size += bytesRead;
    }
    return { checksum: hasher.digest('hex'), size };
  } finally {
    await fh.close();
  }
}
