import { describeFsError } from '../core/errors.js';
import { detectType, detectTypeSoon, type DetectedType } from './detect-type.js';
import type { LocationStorage } from '../storage/port.js';
import { hashFileForIdentity, hashRange, hashSmallFileNow, SMALL_FILE_BYTES, type HashOutcome } from './hash-file.js';
import { contentUuidFor } from './identity.js';
import type { ContentKind } from './kinds.js';

export interface IdentifyRequest {
  id: number;
  abs: string;
  name: string;
  size: number;
  mtimeMs: number;
  inode: number;
}

export type IdentifyOutcome =
  | { id: number; ok: true; casId: string; casVersion: number; contentUuid: string; kind: ContentKind; mime: string }
  | { id: number; ok: false; reason: string };

/**
 * Hash one file and detect its type; every failure becomes a reason, never an exception. Answered
 * at once where nothing asynchronous is needed (a small file whose type its first bytes tell: most
 * photos), else a promise: a scan identifies a hundred thousand small files, and every promise
 * and type parse it need not wait for is time saved.
 */
export function identifyFileSoon(req: IdentifyRequest, thresholdBytes: number): IdentifyOutcome | Promise<IdentifyOutcome> {
  const r = readFileSoon(req, thresholdBytes);
  return r instanceof Promise ? r.then((x) => finishIdentitySoon(x, req.name)) : finishIdentitySoon(r, req.name);
}

/**
 * A file read and hashed: its content id, and its type where its first bytes settle it (else its
 * head, for `finishIdentitySoon`); or why it could not be read. What a reading thread does of
 * `identifyFileSoon`: the content uuid and file-type's parse (a fifth of a scan's files, ~80 µs
 * each) are left to whichever thread has the time — the one that writes the database waits on
 * the reading one (docs/benchmarks.md). Neither depends on anything but the bytes already read.
 */
export type ReadOutcome =
  | { id: number; ok: true; casId: string; casVersion: number; kind: ContentKind; mime: string }
  | { id: number; ok: true; casId: string; casVersion: number; head: Uint8Array }
  | { id: number; ok: false; reason: string };

/** As `identifyFileSoon`, leaving the uuid and any type parse to `finishIdentitySoon` (see ReadOutcome). */
export function readFileSoon(req: IdentifyRequest, thresholdBytes: number): ReadOutcome | Promise<ReadOutcome> {
  const expected = { size: req.size, mtimeMs: req.mtimeMs, inode: req.inode };
  let hashed: HashOutcome | undefined;
  try {
    scratch ??= Buffer.allocUnsafe(SMALL_FILE_BYTES);
    hashed = hashSmallFileNow(req.abs, expected, scratch);
  } catch (err) {
    return failed(req, err);
  }
  if (hashed === undefined) return readLarge(req, thresholdBytes);
  if (!hashed.ok) return { id: req.id, ok: false, reason: hashed.reason };
  return typedNow(req, hashed);
}

/**
 * R (for a file named NAME) made a whole identity: its content uuid, and its type parsed from its
 * head where the first bytes did not settle it. Synchronous where no parse is left.
 */
export function finishIdentitySoon(r: ReadOutcome, name: string): IdentifyOutcome | Promise<IdentifyOutcome> {
  if (!r.ok) return r;
  if ('kind' in r) return identified(r, r);
  // A head that crossed from another thread is a plain Uint8Array: a Buffer over the same bytes.
  const head = Buffer.isBuffer(r.head) ? r.head : Buffer.from(r.head.buffer, r.head.byteOffset, r.head.byteLength);
  return detectType(name, head).then(
    (t) => identified(r, t),
    (err: unknown) => ({ id: r.id, ok: false, reason: describeFsError(err) }),
  );
}

/** The hashed file's type where its first bytes settle it, else a copy of its head (HASHED's is a view of a buffer the next file reuses). */
function typedNow(req: IdentifyRequest, hashed: Extract<HashOutcome, { ok: true }>): ReadOutcome {
  const type = detectTypeSoon(req.name, hashed.head);
  if (type) return { id: req.id, ok: true, casId: hashed.casId, casVersion: hashed.casVersion, kind: type.kind, mime: type.mime };
  // A Uint8Array of its own: a view of the scratch (or of Buffer's shared pool) would carry its
  // whole backing store across to another thread.
  return { id: req.id, ok: true, casId: hashed.casId, casVersion: hashed.casVersion, head: new Uint8Array(hashed.head) };
}

/** This thread's read buffer for small files (each is read and hashed in one synchronous step). */
let scratch: Buffer | undefined;

async function readLarge(req: IdentifyRequest, thresholdBytes: number): Promise<ReadOutcome> {
  try {
    const out = await hashFileForIdentity(req.abs, { size: req.size, mtimeMs: req.mtimeMs, inode: req.inode }, thresholdBytes);
    if (!out.ok) return { id: req.id, ok: false, reason: out.reason };
    return typedNow(req, out);
  } catch (err) {
    return failed(req, err);
  }
}

/**
 * Identify the file at REL of a storage with no local paths (a bucket): hashed through its range
 * reader (a sampled content id reads only its samples), checked against what the index recorded.
 */
export async function identifyThroughStorage(storage: LocationStorage, rel: string, req: IdentifyRequest, thresholdBytes: number): Promise<IdentifyOutcome> {
  try {
    const reader = await storage.openRead(rel);
    try {
      const out = await hashRange(reader, { size: req.size, mtimeMs: req.mtimeMs, inode: req.inode }, thresholdBytes);
      if (!out.ok) return { id: req.id, ok: false, reason: out.reason };
      return identified({ id: req.id, ...out }, await detectType(req.name, out.head));
    } finally {
      await reader.close();
    }
  } catch (err) {
    return failed(req, err);
  }
}

/** The whole identity of file ID hashed to CASID (CASVERSION), of TYPE. */
function identified(r: { id: number; casId: string; casVersion: number }, type: Pick<DetectedType, 'kind' | 'mime'>): IdentifyOutcome {
  return { id: r.id, ok: true, casId: r.casId, casVersion: r.casVersion, contentUuid: contentUuidFor(r.casId), kind: type.kind, mime: type.mime };
}

function failed(req: IdentifyRequest, err: unknown): { id: number; ok: false; reason: string } {
  return { id: req.id, ok: false, reason: describeFsError(err) };
}
