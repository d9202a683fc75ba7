import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';

const MiB = 1024 * 1024;

/** A file of SIZE bytes no two MiB alike (a copy cannot be faked by repeating a block). */
export function writeBigFile(path: string, size: number): void {
  const block = randomBytes(MiB);
  const fd = openSync(path, 'w');
  try {
    for (let i = 0; i * MiB < size; i++) {
      block.writeUInt32LE(i, 0);
      writeSync(fd, block, 0, Math.min(MiB, size - i * MiB));
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The SHA-256 of a file, read as a stream: an independent check of what vss verified with BLAKE3.
 * In 4 MiB reads: at the stream's default 64 KiB, a GiB cost 5 s of CPU, against 1 s.
 */
export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * MiB })) h.update(chunk as Buffer);
  return h.digest('hex');
}
