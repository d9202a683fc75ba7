import type { Witnesses } from '../guardian/guard.js';
import { witnessesFor } from '../sync/locks/witnesses.js';
import type { OpHost } from './op.js';

/**
 * What vouches, for the guard, for the copies beyond this device's files (DESIGN §19): a bucket's
 * object confirmed by a HEAD; the paired devices connected now, asked through the daemon's
 * network to lock theirs (/vss/lock, sync/locks/). The receiving side of a peer's replace is
 * given the same (sync/locks/witnesses.ts).
 */
export function witnessesOf(host: OpHost): Witnesses {
  return witnessesFor(host.lib, host.network());
}
