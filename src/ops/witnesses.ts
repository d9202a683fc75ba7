import { confirmBucketCopy } from '../guardian/bucket-evidence.js';
import type { Witnesses } from '../guardian/guard.js';
import type { OpHost } from './op.js';

/**
 * What vouches, for the guard, for the copies beyond this device's files (DESIGN §19): a bucket's
 * object confirmed by a HEAD (from any process: the bucket is reached directly); the paired
 * devices connected now, asked through the daemon's network to lock theirs (none without the
 * daemon: no device can be asked from a process of its own).
 */
export function witnessesOf(host: OpHost): Witnesses {
  const net = host.network();
  return {
    object: (c, signal) => (c.volume_id === null || c.object_key === null
      ? Promise.resolve({ counts: false, why: 'not an object of a bucket' })
      : confirmBucketCopy(host.lib, { volume_id: c.volume_id, key: c.object_key }, signal)),
    ...(net ? {
      devices: {
        online: (device: string) => net.connected().some((d) => d.deviceUuid === device),
        lock: () => Promise.reject(new Error('this vss does not ask devices to lock yet')),
      },
    } : {}),
  };
}
