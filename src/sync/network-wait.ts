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
 * The note of a job that waits for a paired device to connect (WHO: its name, or the names of
 * the devices any of which would do; WHY: what reaching it said), no attempt spent. A paired device
 * that connects wakes every job whose note says so at once (`DEVICE_WAIT_LIKE`, LibraryLink's
 * `connected`), rather than at its next look.
 */
export function deviceWaitNote(who: string, why: string): string {
  return `waiting for ${who} to connect (${why.slice(0, 200)})`;
}

/** How often a waiting job asks the node to dial the paired devices (a sleeping device is not dialled every few seconds). */
const REDIAL_EVERY_MS = 30_000;
/** When the devices each waiting job waits for were last dialled (by whom it waits for). */
const redialedAt = new Map<string, number>();

/**
 * The wait (REASON, looked at again in DELAYMS, no attempt spent) of a job whose paired device
 * WHO (or any of the devices it names) is not reached: the paired devices are dialled at each
 * look while NETWORK has only just come up, else at most every REDIAL_EVERY_MS a device.
 */
export function waitForDevice(network: Pick<PeerLink, 'settling' | 'redial'> | undefined, who: string, reason: string, delayMs: number): JobOutcome {
  const now = Date.now();
  if (network?.settling?.() === true || now - (redialedAt.get(who) ?? 0) >= REDIAL_EVERY_MS) {
    redialedAt.set(who, now);
    network?.redial?.();
  }
  return { state: 'wait', reason, delayMs };
}

/** The notes of jobs waiting for a device, as SQL's LIKE matches them (`deviceWaitNote`, NETWORK_WAIT_NOTE's, a backup's). */
export const DEVICE_WAIT_LIKE = 'waiting for % to connect%';

/**
 * Whether a job that needs a paired device, and did not reach one, should wait rather than spend
 * an attempt: this process's network is not up yet (NETWORK undefined: the library is not linked
 * yet) or only just came up, so the device may simply not have reconnected (a daemon restarted
 * mid-copy resumes its job before its peers are back). The job waits as one waiting for its drive
 * does (`{ state: 'wait' }`: requeued, no attempt spent), for a bounded time; undefined once the
 * network has settled, when a device not reached is not reachable. WHAT: what the job waits for;
 * RUNNINGMS: how long this process has run.
 */
export function waitForNetwork(network: Pick<PeerLink, 'settling' | 'redial'> | undefined, what: string, runningMs = process.uptime() * 1000): JobOutcome | undefined {
  const wait: JobOutcome = { state: 'wait', reason: `${NETWORK_WAIT_NOTE} (${what})`, delayMs: NETWORK_WAIT_MS };
  if (network === undefined) return runningMs < NO_NETWORK_GRACE_MS ? wait : undefined;
  if (!network.settling?.()) return undefined;
  network.redial?.();
  return wait;
}
