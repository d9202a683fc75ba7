/**
 * Ids every device derives alike: a face's from its content and its place in the content's faces
 * sidecar (made once, shared), an automatic person's from the lowest face id it was found with.
 * So two devices with the same faces name the same faces and the same people without asking.
 */
import { createHash } from 'node:crypto';

/** A UUID (version 8: made by us) from the SHA-256 of TEXT. */
function derivedUuid(text: string): string {
  const h = createHash('sha256').update(text).digest();
  h[6] = (h[6]! & 0x0f) | 0x80;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

export function faceIdOf(contentUuid: string, index: number): string {
  return derivedUuid(`vss-face:${contentUuid.toLowerCase()}:${index}`);
}

export function autoPersonIdOf(lowestFaceId: string): string {
  return derivedUuid(`vss-person:${lowestFaceId}`);
}
