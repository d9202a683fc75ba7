import type { Witnesses } from '../../guardian/guard.js';
import type { Library } from '../../library/library.js';
import { deviceWitnesses, type LockNetwork } from './lock-copies.js';

/**
 * What vouches, for LIB's guard, for the copies beyond this device's files (DESIGN §19): a
 * bucket's object confirmed by a HEAD (from any process: the bucket is reached directly); the
 * paired devices connected now over NETWORK, asked to lock theirs (none without the daemon's
 * network: no device can be asked from a process of its own). One definition for both sides: an
 * operation asked here (ops/witnesses.ts) and a peer's replace weighed by this device (drop/place-guard.ts).
 */
export function witnessesFor(lib: Library, network: LockNetwork | undefined): Witnesses {
  return {
    // The S3 client is loaded only when a bucket's object is asked about (most drops lean on none).
    object: async (c, signal) => (c.volume_id === null || c.object_key === null
      ? { counts: false, why: 'not an object of a bucket' }
      : (await import('../../guardian/bucket-evidence.js')).confirmBucketCopy(lib, { volume_id: c.volume_id, key: c.object_key }, signal)),
    ...(network ? { devices: deviceWitnesses(network, lib.config.id) } : {}),
  };
}
