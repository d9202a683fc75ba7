import { describeFsError } from '../core/errors.js';
import { detectType, detectTypeNow, type DetectedType } from './detect-type.js';
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
  const expected = { size: req.size, mtimeMs: req.mtimeMs, inode: req.inode };
  let hashed: HashOutcome | undefined;
  try {
    scratch ??= Buffer.allocUnsafe(SMALL_FILE_BYTES);
    hashed = hashSmallFileNow(req.abs, expected, scratch);
  } catch (err) {
    return failed(req, err);
  }
  if (hashed === undefined) return identifyLarge(req, thresholdBytes);
  if (!hashed.ok) return { id: req.id, ok: false, reason: hashed.reason };
  const type = detectTypeNow(hashed.head);
  if (type) return identified(req, hashed, type);
  // The head is a view of the scratch buffer, which the next file reuses: the parse gets a copy.
  const out = { ...hashed, head: Buffer.from(hashed.head) };
  return detectType(req.name, out.head).then((t) => identified(req, out, t), (err: unknown) => failed(req, err));
}

/** This thread's read buffer for small files (each is read and hashed in one synchronous step). */
let scratch: Buffer | undefined;

async function identifyLarge(req: IdentifyRequest, thresholdBytes: number): Promise<IdentifyOutcome> {
  try {
    const out = await hashFileForIdentity(req.abs, { size: req.size, mtimeMs: req.mtimeMs, inode: req.inode }, thresholdBytes);
    if (!out.ok) return { id: req.id, ok: false, reason: out.reason };
    return identified(req, out, await detectType(req.name, out.head));
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
      return identified(req, out, await detectType(req.name, out.head));
    } finally {
      await reader.close();
    }
  } catch (err) {
    return failed(req, err);
  }
}

function identified(req: IdentifyRequest, out: Extract<HashOutcome, { ok: true }>, type: DetectedType): IdentifyOutcome {
  return { id: req.id, ok: true, casId: out.casId, casVersion: out.casVersion, contentUuid: contentUuidFor(out.casId), kind: type.kind, mime: type.mime };
}

function failed(req: IdentifyRequest, err: unknown): IdentifyOutcome {
  return { id: req.id, ok: false, reason: describeFsError(err) };
}
