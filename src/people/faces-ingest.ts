/**
 * A content's faces sidecar read into `faces` rows: every field checked and bounded (a sidecar may
 * come from another device), a face that is not one left out with its reason, never the rest.
 */
import type { FaceRecord } from '../store/faces.js';
import { faceIdOf } from './ids.js';

/** The most faces taken from one sidecar (the generator makes at most 100). */
export const MAX_FACES_PER_CONTENT = 200;
export const DESCRIPTOR_DIMS = 128;
/** A faces sidecar larger than this is not read (100 faces take about 150 KB). */
export const MAX_FACES_JSON_BYTES = 4 * 1024 ** 2;

export type IngestedFace = Omit<FaceRecord, 'person_id'>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const fraction = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1;

/** The faces JSON says, as rows, and the reasons any face was left out. */
export function facesFromJson(contentUuid: string, json: unknown): { faces: IngestedFace[]; refused: string[] } {
  const refused: string[] = [];
  if (!isObject(json) || !Array.isArray(json.faces)) return { faces: [], refused: ['not a faces sidecar (no faces list)'] };
  if (json.faces.length > MAX_FACES_PER_CONTENT) refused.push(`${json.faces.length - MAX_FACES_PER_CONTENT} faces past the ${MAX_FACES_PER_CONTENT} read of one content`);
  const faces: IngestedFace[] = [];
  for (const [idx, f] of json.faces.slice(0, MAX_FACES_PER_CONTENT).entries()) {
    if (!isObject(f) || !isObject(f.box)) {
      refused.push(`face ${idx}: no box`);
      continue;
    }
    const { x, y, w, h } = f.box;
    if (!fraction(x) || !fraction(y) || !fraction(w) || !fraction(h) || w === 0 || h === 0 || x + w > 1.0001 || y + h > 1.0001) {
      refused.push(`face ${idx}: a box outside the picture`);
      continue;
    }
    if (!fraction(f.score)) {
      refused.push(`face ${idx}: a score that is not 0 to 1`);
      continue;
    }
    const e = f.embedding;
    if (!Array.isArray(e) || e.length !== DESCRIPTOR_DIMS || !e.every((v) => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < 100)) {
      refused.push(`face ${idx}: no ${DESCRIPTOR_DIMS}-d descriptor`);
      continue;
    }
    const q = isObject(f.quality) ? f.quality : {};
    const ok = q.ok === true;
    const reason = typeof q.reason === 'string' ? q.reason.slice(0, 200) : null;
    faces.push({
      face_id: faceIdOf(contentUuid, idx),
      content_uuid: contentUuid,
      idx,
      x, y, w, h,
      score: f.score,
      clusterable: ok ? 1 : 0,
      quality: ok ? null : (reason ?? 'below the quality floor'),
      descriptor: Buffer.from(Float32Array.from(e as number[]).buffer),
    });
  }
  return { faces, refused };
}
