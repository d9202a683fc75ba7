import { createHash, randomBytes } from 'node:crypto';
import { VssError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import type { BucketVolume } from '../store/buckets.js';
import { bucketKeys, type BucketKeys } from '../storage/bucket/age-object.js';

const SECRET_BYTES = 32;

/** A key's id (a UUID, version 8): derived from its secret, so every device holding the secret names it alike, and the id says nothing of it. */
export function keyIdOf(secret: Uint8Array): string {
  const b = createHash('sha256').update('vss bucket key id\n').update(secret).digest().subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x80;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A new key's secret. */
export function newSecret(): Buffer {
  return randomBytes(SECRET_BYTES);
}

/** The keys bucket volume VOL is sealed with, or null for a plain bucket; refused when this device does not hold its key (it comes from a member of the library, or from its phrase). */
export function keysOfVolume(lib: Library, vol: Pick<BucketVolume, 'key_id' | 'name' | 'mount_point'>): BucketKeys | null {
  if (vol.key_id === null) return null;
  const k = lib.store.libraryKeys.byId(vol.key_id);
  if (!k) throw new VssError('WRONG_STATE', `${vol.name ?? vol.mount_point} is encrypted with a key this device does not hold (${vol.key_id}): it comes from a device of the library, or from the recovery phrase`);
  return bucketKeys(k.secret);
}
