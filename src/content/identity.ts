import * as crypto from 'node:crypto';

/**
 * The fixed namespace of every content_uuid (DESIGN §1). Changing it would change every
 * content's address on every device: never do.
 */
export const VSS_CONTENT_NAMESPACE = '6f1c1f8e-3d5a-5b7e-9a40-2b8f0c7e5d11';

/** cas_version 1: BLAKE3 of the whole file. 2: BLAKE3 (derive-key mode) of size + sampled ranges. */
export const CAS_WHOLE = 1;
export const CAS_SAMPLED = 2;

const NAMESPACE_BYTES = Buffer.from(VSS_CONTENT_NAMESPACE.replaceAll('-', ''), 'hex');
/** The namespace and room after it for a cas_id's bytes (64 hex digits), reused call after call. */
const NAME = Buffer.alloc(16 + 64);
NAMESPACE_BYTES.copy(NAME);
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
/** A uuid's text, written again call after call. */
const UUID_TEXT = Buffer.alloc(36);
/** One-shot hashing (Node 20.12+) makes no Hash object: a fifth of this function's time. */
const oneShot = typeof crypto.hash === 'function' ? crypto.hash : undefined;

/**
 * UUIDv5 (RFC 9562) of the cas_id in VSS_CONTENT_NAMESPACE: SHA-1 of the namespace's bytes and
 * the name's UTF-8, its version and variant bits set. Written out, not through the uuid
 * package, as it runs once a file in a scan (half the time); identity.test.ts checks it
 * against the package.
 */
export function contentUuidFor(casId: string): string {
  let h: Buffer;
  if (oneShot && casId.length <= 64 && Buffer.byteLength(casId) === casId.length) {
    NAME.write(casId, 16, 'latin1');
    h = oneShot('sha1', NAME.subarray(0, 16 + casId.length), 'buffer');
  } else {
    h = crypto.createHash('sha1').update(NAMESPACE_BYTES).update(casId, 'utf8').digest();
  }
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  // Written out as one flat string: slices joined by a template are a tree of strings, which the
  // batch of a scan keeps (a hundred thousand of them) and each statement binding it flattens.
  let at = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) UUID_TEXT[at++] = 0x2d;
    UUID_TEXT[at++] = HEX_DIGITS[h[i]! >> 4]!;
    UUID_TEXT[at++] = HEX_DIGITS[h[i]! & 15]!;
  }
  return UUID_TEXT.toString('latin1');
}
