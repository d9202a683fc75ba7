import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { blake3, Blake3Hasher } from '@napi-rs/blake-hash';
import { VssError } from './errors.js';

/*
 * The one whole-file BLAKE3 reader (a sidecar's checksum, a verified copy's both sides, a send's
 * offer to an older peer): never following a symlink, small files at once, large ones streamed.
 */

/** Files up to this size are read and hashed in one synchronous step (most sidecars: thumbnails, JSON). */
export const SMALL_FILE = 1024 * 1024;
const CHUNK = 4 * 1024 * 1024;
/** The small files' buffer, this thread's: used only within one synchronous step, so shared. */
let small: Buffer | undefined;
/** Pairs of chunk buffers for streamed files, one per read in flight, reused. */
const chunkPairs: Array<[Buffer, Buffer]> = [];

// O_NOFOLLOW: a sidecar path that became a symlink is refused, never followed out of sidecars/.
// O_NONBLOCK: a path that became a FIFO cannot hang us on open.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

export type ChecksumOutcome =
  | { ok: true; size: number; checksum: string }
  /** Not a regular file, or its size is not EXPECTEDSIZE (so it cannot be the recorded bytes: no need to read it). */
  | { ok: false; size: number; reason: 'not-a-file' | 'size' };

export interface ReadOptions {
  /** Hears each read's byte count. */
  onBytes?: (n: number) => void;
  /** Awaited after each streamed read of N bytes (a read rate kept by the caller: a scrub's). */
  pace?: (n: number) => Promise<void> | undefined;
  signal?: AbortSignal;
}

/** For `blake3Of`: the size the caller's own look at the open file found (not asked again). */
export interface OpenReadOptions extends ReadOptions {
  size?: number;
}

/**
 * Size and BLAKE3 of a file; EXPECTEDSIZE: answered without a read when its size is another.
 * Small files are read in one synchronous step on the shared buffer (an async round trip per
 * thumbnail would halve the verify rate); large ones (proxies, originals) are streamed in 4 MiB
 * reads so the event loop stays free and memory stays flat.
 */
export async function checksumFile(path: string, expectedSize?: number, opts: ReadOptions = {}): Promise<ChecksumOutcome> {
  const fd = openSync(path, OPEN_FLAGS);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { ok: false, size: st.size, reason: 'not-a-file' };
    if (expectedSize !== undefined && st.size !== expectedSize) return { ok: false, size: st.size, reason: 'size' };
    const quick = smallOf(fd, st.size);
    if (quick) {
      opts.onBytes?.(quick.size);
      return { ok: true, ...quick };
    }
  } finally {
    closeSync(fd);
  }
  return streamed(path, opts);
}

/**
 * The BLAKE3 of the file open as FD, when its SIZE (as fstat saw it) is small: read in as few
 * reads as the kernel allows (one, normally). Undefined for a larger one.
 */
export function smallOf(fd: number, size = fstatSync(fd).size): { checksum: string; size: number } | undefined {
  if (size > SMALL_FILE) return undefined;
  small ??= Buffer.allocUnsafe(SMALL_FILE);
  let got = 0;
  while (got < size) {
    const n = readSync(fd, small, got, size - got, got);
    if (n === 0) break;
    got += n;
  }
  return { checksum: blake3(small.subarray(0, got)).toString('hex'), size: got };
}

async function streamed(path: string, opts: ReadOptions): Promise<ChecksumOutcome> {
  const fh = await open(path, OPEN_FLAGS);
  try {
    if (!(await fh.stat()).isFile()) return { ok: false, size: 0, reason: 'not-a-file' };
    return { ok: true, ...(await streamedFrom(fh, opts)) };
  } finally {
    // A read still in flight (an abort) has landed: streamedFrom waited for it.
    await fh.close().catch(() => undefined);
  }
}

/**
 * BLAKE3 and size of the regular file open as FH, read from its start to its end through that
 * descriptor (a file opened once, after a check of where it is: storage/confined-open.ts).
 */
export async function blake3Of(fh: FileHandle, opts: OpenReadOptions = {}): Promise<{ checksum: string; size: number }> {
  const size = opts.size ?? fstatSync(fh.fd).size;
  const quick = smallOf(fh.fd, size);
  if (quick && quick.size === size) {
    opts.onBytes?.(quick.size);
    return quick;
  }
  return streamedFrom(fh, opts);
}

async function streamedFrom(fh: FileHandle, opts: ReadOptions): Promise<{ checksum: string; size: number }> {
  const pair = chunkPairs.pop() ?? [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
  let reading: Promise<{ bytesRead: number }> | undefined;
  try {
    // Two buffers: the next chunk is read (in the thread pool) while this one is hashed, so a
    // large file costs about the longer of its read and its hash, not their sum.
    let [buf, spare] = pair;
    const hasher = new Blake3Hasher();
    let size = 0;
    reading = fh.read(buf, 0, CHUNK, 0);
    for (;;) {
      const { bytesRead } = await reading;
      if (bytesRead === 0) break;
      opts.signal?.throwIfAborted();
      size += bytesRead;
      reading = fh.read(spare, 0, CHUNK, size);
      hasher.update(bytesRead === CHUNK ? buf : buf.subarray(0, bytesRead));
      opts.onBytes?.(bytesRead);
      const paced = opts.pace?.(bytesRead);
      if (paced) await paced;
      [buf, spare] = [spare, buf];
    }
    return { size, checksum: hasher.digest('hex') };
  } finally {
    // A read still in flight (an abort) must land before the pair is lent again.
    await reading?.catch(() => undefined);
    chunkPairs.push(pair);
  }
}

/**
 * BLAKE3 and size of one whole regular file (never a sampled content id: a copy must be proved
 * whole), never following a symlink; throws when the path is not a regular file.
 */
export async function blake3File(path: string, opts: ReadOptions = {}): Promise<{ checksum: string; size: number }> {
  const out = await checksumFile(path, undefined, opts);
  if (!out.ok) throw new VssError('IO', 'not a regular file', { path });
  return { checksum: out.checksum, size: out.size };
}
