import { blake3, Blake3Hasher } from '@napi-rs/blake-hash';
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open as openAsync } from 'node:fs/promises';
import { CAS_SAMPLED, CAS_WHOLE } from './identity.js';

/** What the indexer recorded for the file; hashing refuses a file that no longer matches it. */
export interface ExpectedStat {
  size: number;
  mtimeMs: number;
  inode: number;
}

export type HashOutcome =
  | { ok: true; casId: string; casVersion: number; head: Buffer }
  | { ok: false; reason: string };

/** Bytes kept from the start of the file for type detection (file-type needs up to 4100). */
export const HEAD_BYTES = 4100;
/** Files up to this size are read in one synchronous read: faster than the async pool for small files. */
const SMALL_FILE = 1024 * 1024;
const CHUNK = 4 * 1024 * 1024;
const SAMPLE_EDGE = 256 * 1024;
const SAMPLE_COUNT = 32;
const SAMPLE_SIZE = 64 * 1024;
const SAMPLED_CONTEXT = 'vss 2026 sampled content id v2';

// O_NOFOLLOW: a path that became a symlink since discovery is refused, not followed out of the location.
// O_NONBLOCK: a path that became a FIFO cannot hang us on open.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

function mismatch(st: Stats, expected: ExpectedStat): string | null {
  if (!st.isFile()) return 'is no longer a regular file';
  if (st.ino !== expected.inode) return 'was replaced since discovery';
  if (st.size !== expected.size || st.mtimeMs !== expected.mtimeMs) return 'changed since discovery';
  return null;
}

/**
 * Hash a file for its content identity, checking before and after that it is still the file the
 * indexer saw: a file that changes or vanishes while being read is refused with a reason.
 */
export async function hashFileForIdentity(path: string, expected: ExpectedStat, thresholdBytes: number): Promise<HashOutcome> {
  return hashSmallFileNow(path, expected) ?? hashLarge(path, expected, thresholdBytes);
}

/**
 * As `hashFileForIdentity`, at once, for a small file (read in one synchronous read: faster than
 * the async pool); undefined for a larger one. With SCRATCH (of SMALL_FILE_BYTES), the file is
 * read into it instead of a buffer of its own, and the head returned is a view of it: valid until
 * the scratch is used again.
 */
export function hashSmallFileNow(path: string, expected: ExpectedStat, scratch?: Buffer): HashOutcome | undefined {
  return expected.size <= SMALL_FILE ? hashSmallSync(path, expected, scratch) : undefined;
}

/** The largest file `hashSmallFileNow` reads. */
export const SMALL_FILE_BYTES = SMALL_FILE;

function hashSmallSync(path: string, expected: ExpectedStat, scratch?: Buffer): HashOutcome {
  const fd = openSync(path, OPEN_FLAGS);
  try {
    const before = fstatSync(fd);
    const bad = mismatch(before, expected);
    if (bad) return { ok: false, reason: bad };
    // A scratch buffer spares the collector a buffer a file: a scan reads a hundred thousand.
    const buf = scratch ? scratch.subarray(0, expected.size) : Buffer.allocUnsafe(expected.size);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) break;
      got += n;
    }
    const after = fstatSync(fd);
    if (got !== expected.size || after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
      return { ok: false, reason: 'changed while being read' };
    }
    return { ok: true, casId: blake3(buf).toString('hex'), casVersion: CAS_WHOLE, head: buf.subarray(0, HEAD_BYTES) };
  } finally {
    closeSync(fd);
  }
}

async function hashLarge(path: string, expected: ExpectedStat, thresholdBytes: number): Promise<HashOutcome> {
  const fh = await openAsync(path, OPEN_FLAGS);
  try {
    const before = await fh.stat();
    const bad = mismatch(before, expected);
    if (bad) return { ok: false, reason: bad };
    const head = Buffer.alloc(Math.min(HEAD_BYTES, expected.size));
    await fh.read(head, 0, head.length, 0);

    let hasher: Blake3Hasher;
    let version: number;
    let complete: boolean;
    if (expected.size <= thresholdBytes) {
      hasher = new Blake3Hasher();
      version = CAS_WHOLE;
      complete = await readRange(fh, hasher, 0, expected.size);
    } else {
      hasher = Blake3Hasher.newDeriveKey(SAMPLED_CONTEXT);
      version = CAS_SAMPLED;
      const sizeBytes = Buffer.alloc(8);
      sizeBytes.writeBigUInt64LE(BigInt(expected.size));
      hasher.update(sizeBytes);
      complete = true;
      for (const [start, length] of sampleRanges(expected.size)) {
        if (!(await readRange(fh, hasher, start, length))) { complete = false; break; }
      }
    }
    const after = await fh.stat();
    if (!complete || after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
      return { ok: false, reason: 'changed while being read' };
    }
    return { ok: true, casId: hasher.digest('hex'), casVersion: version, head };
  } finally {
    await fh.close();
  }
}

/** Head, evenly spread samples, tail: the ranges a sampled content id covers. */
export function sampleRanges(size: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [[0, SAMPLE_EDGE]];
  const span = size - 2 * SAMPLE_EDGE - SAMPLE_SIZE;
  for (let i = 1; i <= SAMPLE_COUNT; i++) {
    ranges.push([SAMPLE_EDGE + Math.floor((span * i) / (SAMPLE_COUNT + 1)), SAMPLE_SIZE]);
  }
  ranges.push([size - SAMPLE_EDGE, SAMPLE_EDGE]);
  return ranges;
}

type ReadableHandle = Awaited<ReturnType<typeof openAsync>>;

async function readRange(fh: ReadableHandle, hasher: Blake3Hasher, start: number, length: number): Promise<boolean> {
  const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(1, length)));
  let pos = start;
  const end = start + length;
  while (pos < end) {
    const want = Math.min(buf.length, end - pos);
    const { bytesRead } = await fh.read(buf, 0, want, pos);
    if (bytesRead === 0) return false; // truncated under us
    hasher.update(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead));
    pos += bytesRead;
  }
  return true;
}
