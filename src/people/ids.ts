/**
 * Ids every device derives alike: a face's from its content and its place in the content's faces
 * sidecar (made once, shared), an automatic person's from the lowest face id it was found with.
 * So two devices with the same faces name the same faces and the same people without asking.
 */
import { derivedUuid } from '../core/derived-uuid.js';

export function faceIdOf(contentUuid: string, index: number): string {
  return derivedUuid(`vss-face:${contentUuid.toLowerCase()}:${index}`);
}

export function autoPersonIdOf(lowestFaceId: string): string {
  return derivedUuid(`vss-person:${lowestFaceId}`);
}
