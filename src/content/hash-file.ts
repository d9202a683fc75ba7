import { blake3, Blake3Hasher } from '@napi-rs/blake-hash';
import { PathRefusedError } from '../library/confine.js';
import { openLocalRange } from '../storage/local-disk.js';
import { LocalFileNow } from '../storage/local-read.js';
import type { NodeFacts, RangeReader } from '../storage/port.js';
import { CAS_SAMPLED, CAS_WHOLE } from './identity.js';
import { hashedWhole, SAMPLED_CONTEXT, sampleRanges, sizeBytes, SMALL_FILE } from './sampled-ranges.js';

export { sampleRanges };

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
const CHUNK = 4 * 1024 * 1024;

/** A path its reader refuses (a symlink, FIFO or folder where the file was): a reason, as a file that is no longer regular is. */
const NOT_REGULAR = 'is no longer a regular file';

function mismatch(facts: NodeFacts, expected: ExpectedStat): string | null {
  if (facts.kind !== 'file') return NOT_REGULAR;
  if (facts.inode !== expected.inode) return 'was replaced since discovery';
  if (facts.size !== expected.size || facts.mtimeMs !== expected.mtimeMs) return 'changed since discovery';
  return null;
}

/**
 * Hash a file for its content identity, checking before and after that it is still the file the
 * indexer saw: a file that changes or vanishes while being read is refused with a reason.
 */
export async function hashFileForIdentity(path: string, expected: ExpectedStat, thresholdBytes: number): Promise<HashOutcome> {
  return hashSmallFileNow(path, expected) ?? hashLocalRange(path, () => expected, thresholdBytes);
}

/**
 * The content identity of the local file at PATH as it is now (a partial just landed, checked
 * against the content it should be), refused only if it changes while it is read.
 */
export async function hashFileAsIs(path: string, thresholdBytes: number): Promise<HashOutcome> {
  return hashLocalRange(path, (facts) => facts, thresholdBytes);
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
  let file: LocalFileNow;
  try {
    file = LocalFileNow.open(path);
  } catch (err) {
    if (err instanceof PathRefusedError) return { ok: false, reason: NOT_REGULAR };
    throw err;
  }
  try {
    const bad = mismatch(file.facts, expected);
    if (bad) return { ok: false, reason: bad };
    // A scratch buffer spares the collector a buffer a file: a scan reads a hundred thousand.
    const buf = scratch ? scratch.subarray(0, expected.size) : Buffer.allocUnsafe(expected.size);
    const got = file.readInto(buf);
    if (got !== expected.size || file.changedSinceOpen()) return { ok: false, reason: 'changed while being read' };
    return { ok: true, casId: blake3(buf).toString('hex'), casVersion: CAS_WHOLE, head: buf.subarray(0, HEAD_BYTES) };
  } finally {
    file.close();
  }
}

/** The local file at PATH hashed through its range reader, checked against what EXPECTED makes of the facts it was opened with. */
async function hashLocalRange(path: string, expected: (facts: NodeFacts) => ExpectedStat, thresholdBytes: number): Promise<HashOutcome> {
  let reader: RangeReader;
  try {
    reader = await openLocalRange(path);
  } catch (err) {
    if (err instanceof PathRefusedError) return { ok: false, reason: NOT_REGULAR };
    throw err;
  }
  try {
    return await hashRange(reader, expected(reader.facts), thresholdBytes);
  } finally {
    await reader.close();
  }
}

/**
 * Hash the file READER has open for its content identity: whole up to THRESHOLDBYTES (and always
 * up to SMALL_FILE, as `hashFileForIdentity` does), sampled above; refused when it is not the file
 * EXPECTED describes, or changes while it is read.
 */
export async function hashRange(reader: RangeReader, expected: ExpectedStat, thresholdBytes: number): Promise<HashOutcome> {
  const before = reader.facts;
  const bad = mismatch(before, expected);
  if (bad) return { ok: false, reason: bad };
  const head = Buffer.alloc(Math.min(HEAD_BYTES, expected.size));
  await reader.read(head, 0, head.length, 0);

  let hasher: Blake3Hasher;
  let version: number;
  let complete: boolean;
  if (hashedWhole(expected.size, thresholdBytes)) {
    hasher = new Blake3Hasher();
    version = CAS_WHOLE;
    complete = await readRange(reader, hasher, 0, expected.size);
  } else {
    hasher = Blake3Hasher.newDeriveKey(SAMPLED_CONTEXT);
    version = CAS_SAMPLED;
    hasher.update(Buffer.from(sizeBytes(expected.size)));
    complete = true;
    for (const [start, length] of sampleRanges(expected.size)) {
      if (!(await readRange(reader, hasher, start, length))) { complete = false; break; }
    }
  }
  if (!complete || changed(before, await reader.refresh())) return { ok: false, reason: 'changed while being read' };
  return { ok: true, casId: hasher.digest('hex'), casVersion: version, head };
}

function changed(before: NodeFacts, after: NodeFacts): boolean {
  return after.size !== before.size || after.mtimeMs !== before.mtimeMs;
}


async function readRange(reader: RangeReader, hasher: Blake3Hasher, start: number, length: number): Promise<boolean> {
  const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(1, length)));
  let pos = start;
  const end = start + length;
  while (pos < end) {
    const want = Math.min(buf.length, end - pos);
    const bytesRead = await reader.read(buf, 0, want, pos);
    if (bytesRead === 0) return false; // truncated under us
    hasher.update(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead));
    pos += bytesRead;
  }
  return true;
}
