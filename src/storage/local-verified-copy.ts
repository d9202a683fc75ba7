import { closeSync, constants, fstatSync, openSync, read, readSync, writeSync } from 'node:fs';
import { copyFile, open, rm, type FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import { blake3, Blake3Hasher } from '@napi-rs/blake-hash';
import { blake3File, blake3Of, SMALL_FILE as SMALL } from '../core/file-blake3.js';
import { openInside, openInsideNow, type FileIdentity, type OpenedInside, type OpenedInsideNow } from './confined-open.js';
import { keepTimesAndMode, keepTimesAndModeOf } from './local-copy.js';

const CHUNK = 4 * 1024 * 1024;
/** The sparse copy's read buffers, one per copy in flight, reused. */
const buffers: Buffer[] = [];
/** The small copies' buffers (a whole small file and the byte that tells it did not grow), one per copy in flight, reused. */
const smallBuffers: Buffer[] = [];
const readAt = promisify(read);
/** The partial a small copy writes: never through a symlink at its name; a partial left by a killed run is written over. */
const PARTIAL_FLAGS = constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC | (constants.O_NOFOLLOW ?? 0);

/** The full BLAKE3 of PATH (never a sampled content id: a copy must be proved whole), the quickest way for its size. */
export async function fullBlake3(path: string, onBytes?: (n: number) => void, signal?: AbortSignal): Promise<{ hash: string; size: number }> {
  const { checksum, size } = await blake3File(path, { ...(onBytes ? { onBytes } : {}), ...(signal ? { signal } : {}) });
  return { hash: checksum, size };
}

/** A copy's source: the file at PATH, checked to lie inside ROOT (its location), and which file the check found. */
export interface CopySource {
  root: string;
  path: string;
  checked?: FileIdentity;
}

export class CopyMismatch extends Error {
  constructor(readonly src: string, readonly dst: string) {
    super(`the copy of ${src} does not match it (its bytes changed while it was copied, or the destination wrote them wrong)`);
    this.name = 'CopyMismatch';
  }
}

export interface CopyOptions {
  signal?: AbortSignal;
  onBytes?: (n: number) => void;
  size?: number;
  sparse?: boolean;
  /** The source's times and mode as it was looked at: given to the copy once it is proved (local-copy.ts keepTimesAndMode). */
  keep?: { atimeMs: number; mtimeMs: number; mode: number };
}

/** A proved copy: the full BLAKE3 both sides have, and where it was looked at once kept, the copy's inode and modification time then. */
export interface Verified {
  hash: string;
  size: number;
  left?: { inode: number; mtimeMs: number };
}

/**
 * Copy SRC to PARTIAL (a new file beside its final place) and prove it: a small file is read once
 * and written from what was hashed; a larger one is copied by the kernel (a clone where the
 * filesystem has them) while the source is hashed. Either way the copy is then read back and
 * hashed, and given KEEP's times and mode after that read. Answers the full BLAKE3 both have.
 * ONBYTES counts half of each side's reads, so a file reports its size once when it is done.
 * The source is opened once, inside its location (storage/confined-open.ts), and both its copy and
 * its hash read that open file: a folder on its way swapped for a symlink since it was checked
 * leads nowhere (where the kernel cannot name the open file, the copy reads by path and the
 * descriptor's hash proves it read the same bytes).
 */
export async function copyVerified(src: CopySource, partial: string, opts: CopyOptions = {}): Promise<Verified> {
  if (!opts.sparse && opts.size !== undefined && opts.size <= SMALL) {
    const now = openInsideNow(src.root, src.path, src.checked);
    // Grown past SMALL since it was planned: copied as a larger file is.
    if (now && now.facts.size <= SMALL) {
      try {
        return await copySmall(now, src.path, partial, opts);
      } finally {
        closeSync(now.fd);
      }
    }
    if (now) closeSync(now.fd);
  }
  const from = await openInside(src.root, src.path, src.checked);
  try {
    return await copyOpen(from, src.path, partial, opts);
  } finally {
    await from.fh.close();
  }
}

async function copyOpen(from: OpenedInside, src: string, partial: string, opts: CopyOptions): Promise<Verified> {
  const half = (n: number) => opts.onBytes?.(n / 2);
  let source: { hash: string; size: number };
  // Made new either way (O_EXCL: never through a symlink at its name; libuv's copyfile opens
  // without O_NOFOLLOW): a partial a killed run left, or anything else there, is removed first.
  await rm(partial, { force: true });
  if (opts.sparse) {
    source = await copySparse(from.fh, partial, half, opts.signal);
  } else {
    const [, hashed] = await Promise.all([
      copyFile(from.selfPath, partial, constants.COPYFILE_FICLONE | constants.COPYFILE_EXCL),
      blake3Of(from.fh, { ...(opts.signal ? { signal: opts.signal } : {}), onBytes: half }),
    ]);
    source = { hash: hashed.checksum, size: hashed.size };
  }
  opts.signal?.throwIfAborted();
  const copy = await fullBlake3(partial, half, opts.signal);
  if (copy.hash !== source.hash || copy.size !== source.size) throw new CopyMismatch(src, partial);
  if (opts.keep) keepTimesAndMode(partial, opts.keep);
  return source;
}

/**
 * A small file (opened at once, FROM): its bytes read in one read on the thread pool (they may
 * still be on the disk; nothing else waits for them), hashed, and written to the partial from
 * that buffer, so the source is read once (`cp -a` reads it once too). The copy is read back
 * through the descriptor it was written by, from the page cache, and must hash the same; then it
 * is given its times and mode there (each lookup of its path costs). Everything but the source's
 * read is done at once: a trip through the thread pool costs a small file more than its bytes.
 * One byte more than the file had as opened is asked: a file grown since differs, and is refused.
 */
async function copySmall(from: OpenedInsideNow, src: string, partial: string, opts: CopyOptions): Promise<Verified> {
  const half = (n: number) => opts.onBytes?.(n / 2);
  const want = from.facts.size + 1;
  const buf = smallBuffers.pop() ?? Buffer.allocUnsafe(SMALL + 1);
  try {
    let got = (await readAt(from.fd, buf, 0, want, 0)).bytesRead;
    // A regular file answers a read short only at its end: the rest is asked only after a read
    // short of the size it had (rare), not after every file for the 0 that ends it.
    while (got < from.facts.size) {
      const n = readSync(from.fd, buf, got, want - got, got);
      if (n === 0) break;
      got += n;
    }
    opts.signal?.throwIfAborted();
    if (got !== from.facts.size) throw new CopyMismatch(src, partial);
    const bytes = buf.subarray(0, got);
    const source: Verified = { hash: blake3(bytes).toString('hex'), size: got };
    half(got);
    const fd = openSync(partial, PARTIAL_FLAGS, 0o600);
    try {
      for (let off = 0; off < got;) off += writeSync(fd, bytes, off, got - off, off);
      // Read back into the same buffer (its bytes are written and hashed), one byte more than
      // written asked as for the source: a partial holding anything else differs (no fstat first).
      let back = 0;
      do {
        const n = readSync(fd, buf, back, want - back, back);
        if (n === 0) break;
        back += n;
      } while (back < got);
      if (back !== got || blake3(buf.subarray(0, back)).toString('hex') !== source.hash) throw new CopyMismatch(src, partial);
      half(back);
      if (!opts.keep) return source;
      // Its mode set without looking first: one call either way (a new partial's 0600 is never a source's kept mode but for a private file's).
      keepTimesAndModeOf(fd, opts.keep, null);
      // As the index will find it (a rename keeps both): its caller need not look it up again.
      const left = fstatSync(fd);
      return { ...source, left: { inode: left.ino, mtimeMs: left.mtimeMs } };
    } finally {
      closeSync(fd);
    }
  } finally {
    smallBuffers.push(buf);
  }
}

/** A filesystem block: the unit a hole is made of. */
const BLOCK = 4096;
const ZEROS = Buffer.alloc(BLOCK);

/**
 * Copy the file open as FROM (a sparse file: fewer blocks than its size) to PARTIAL, keeping its holes: every block
 * of zeros is skipped, not written, and the file is given its size at the end. Node has no
 * lseek(SEEK_HOLE), and the kernel's copy (copy_file_range, sendfile) writes holes out as zeros
 * on ext4 (measured: a 100 MiB file with one byte took 100 MiB), so the bytes pass here, hashed
 * on the way. A run of zeros that was data at the source becomes a hole, as with `cp -a`.
 */
async function copySparse(from: FileHandle, partial: string, onBytes: (n: number) => void, signal?: AbortSignal): Promise<{ hash: string; size: number }> {
  const buf = buffers.pop() ?? Buffer.allocUnsafe(CHUNK);
  try {
    const to = await open(partial, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      const hasher = new Blake3Hasher();
      let size = 0;
      for (;;) {
        signal?.throwIfAborted();
        const { bytesRead } = await from.read(buf, 0, CHUNK, size);
        if (bytesRead === 0) break;
        hasher.update(buf.subarray(0, bytesRead));
        // Write each run of blocks that are not all zeros, at its place.
        let run = -1;
        for (let o = 0; ; o += BLOCK) {
          const end = Math.min(o + BLOCK, bytesRead);
          const data = o < bytesRead && !buf.subarray(o, end).equals(ZEROS.subarray(0, end - o));
          if (data && run < 0) run = o;
          if (!data && run >= 0) {
            await writeAll(to, buf, run, Math.min(o, bytesRead) - run, size + run);
            run = -1;
          }
          if (o >= bytesRead) break;
        }
        size += bytesRead;
        onBytes(bytesRead);
      }
      await to.truncate(size);
      return { hash: hasher.digest('hex'), size };
    } finally {
      await to.close();
    }
  } finally {
    buffers.push(buf);
  }
}

async function writeAll(fh: FileHandle, buf: Buffer, offset: number, length: number, position: number): Promise<void> {
  while (length > 0) {
    const { bytesWritten } = await fh.write(buf, offset, length, position);
    offset += bytesWritten;
    length -= bytesWritten;
    position += bytesWritten;
  }
}
