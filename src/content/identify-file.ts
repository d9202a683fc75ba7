import { describeFsError } from '../core/errors.js';
import { detectType } from './detect-type.js';
import { hashFileForIdentity } from './hash-file.js';
import { contentUuidFor } from './identity.js';

export interface IdentifyRequest {
  id: number;
  abs: string;
  name: string;
  size: number;
  mtimeMs: number;
  inode: number;
}

export type IdentifyOutcome =
  | { id: number; ok: true; casId: string; casVersion: number; contentUuid: string; kind: string; mime: string }
  | { id: number; ok: false; reason: string };

/** Hash one file and detect its type; every failure becomes a reason, never an exception. */
export async function identifyFile(req: IdentifyRequest, thresholdBytes: number): Promise<IdentifyOutcome> {
  try {
    const out = await hashFileForIdentity(req.abs, { size: req.size, mtimeMs: req.mtimeMs, inode: req.inode }, thresholdBytes);
    if (!out.ok) return { id: req.id, ok: false, reason: out.reason };
    const type = await detectType(req.name, out.head);
    return { id: req.id, ok: true, casId: out.casId, casVersion: out.casVersion, contentUuid: contentUuidFor(out.casId), kind: type.kind, mime: type.mime };
  } catch (err) {
    return { id: req.id, ok: false, reason: describeFsError(err) };
  }
}
