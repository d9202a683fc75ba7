import type { JobOutcome } from '../jobs/job-kind.js';
import type { PeerLink } from './peer-link.js';

/** How often a job waiting for this process's network looks again. */
const NETWORK_WAIT_MS = 2_000;
/**
 * A daemon's network side starts moments after its libraries open (their jobs resume first): a
 * job that finds no network this soon after the process started waits for it; later, none is coming.
 */
const NO_NETWORK_GRACE_MS = 60_000;
/** The note of a job waiting so (no attempt spent). */
export const NETWORK_WAIT_NOTE = 'waiting for this device\'s network to come up';

/**
 * Whether a job that needs a paired device, and did not reach one, should wait rather than spend
 * an attempt: this process's network is not up yet (NETWORK undefined: the library is not linked
 * yet) or only just came up, so the device may simply not have reconnected (a daemon restarted
 * mid-copy resumes its job before its peers are back). The job waits as one waiting for its drive
 * does (`{ state: 'wait' }`: requeued, no attempt spent), for a bounded time; undefined once the
 * network has settled, when a device not reached is not reachable. WHAT: what the job waits for.
 */
export function waitForNetwork(network: Pick<PeerLink, 'settling' | 'redial'> | undefined, what: string): JobOutcome | undefined {
  const wait: JobOutcome = { state: 'wait', reason: `${NETWORK_WAIT_NOTE} (${what})`, delayMs: NETWORK_WAIT_MS };
  if (network === undefined) return process.uptime() * 1000 < NO_NETWORK_GRACE_MS ? wait : undefined;
  if (!network.settling?.()) return undefined;
  network.redial?.();
  return wait;
}
