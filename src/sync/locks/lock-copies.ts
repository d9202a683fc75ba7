import { VssError } from '../../core/errors.js';
import { MAX_LOCK_MS } from '../../guardian/copy-locks.js';
import { MAX_LOCK_COPIES, type RemoteCopy, type RemoteLock, type Witnesses } from '../../guardian/guard.js';
import { answerWithin, PeerChannel } from '../messages/channel.js';
import type { PeerLink } from '../peer-link.js';

/*
 * /vss/lock, the asker's side (DESIGN §19): the guard of a drop asks the device holding other
 * copies to lock them (guardian/guard.ts `Witnesses.devices.lock`), over the daemon's link to its
 * paired devices. The lock is the stream: it holds while the stream is open and the time granted
 * has not run out (counted from before the ask went, so never past the holder's own count), and
 * `release` ends both.
 */

/** Opening the stream to a connected device, and its answer to the ask, may take this long. */
const OPEN_MS = 10_000;
const ANSWER_MS = 15_000;
/** A release waits this long for the holder's `released` before the stream is cut. */
const RELEASE_MS = 5_000;

/** What the lock needs of the network: who is connected, and a stream to one of them. */
export type LockNetwork = Pick<PeerLink, 'connected' | 'open'>;

/**
 * Ask DEVICEUUID (a paired device connected now) to lock COPIES of its own in LIBRARYID for at
 * most MS. Resolves to what it holds and why not the rest; rejects, saying why, when it cannot be
 * asked (not connected, a vss without the protocol, no answer, a refusal of the whole ask).
 */
export async function lockCopies(network: LockNetwork, deviceUuid: string, libraryId: string, copies: readonly RemoteCopy[], signal?: AbortSignal, ms = MAX_LOCK_MS): Promise<RemoteLock> {
  if (copies.length > MAX_LOCK_COPIES) throw new VssError('USAGE', `at most ${MAX_LOCK_COPIES} copies are locked by one ask, not ${copies.length}`);
  if (copies.length === 0) return NOTHING_HELD;
  const remote = network.connected().find((r) => r.deviceUuid === deviceUuid);
  if (!remote) throw new VssError('UNAVAILABLE', 'it is not connected');
  const asked = Date.now();
  const ch = new PeerChannel(await network.open(remote.peerId, 'lock', answerWithin(OPEN_MS, signal)), 'lock');
  try {
    await ch.send('lock.ask', { library_id: libraryId, ms, copies: copies.map(({ content_uuid, location, rel_path, size }) => ({ content_uuid, location, rel_path, size })) }, answerWithin(ANSWER_MS, signal));
    const answer = await ch.receive(['lock.held', 'lock.error'], { signal: answerWithin(ANSWER_MS, signal), unknown: 'skip' });
    if (answer.name === 'lock.error') throw new VssError('PEER', `it refused: ${answer.body.reason}`);
    const { held, refused } = answer.body;
    const asks = (i: number) => Number.isSafeInteger(i) && i < copies.length;
    if (!held.every(asks) || !refused.every((r) => asks(r.i) && !held.includes(r.i))) throw new VssError('PEER', 'it answered for copies that were not asked');
    const why = new Map(refused.map((r) => [r.i, r.reason]));
    // Nothing held: the holder ends the stream at once, and the drop has nothing here to lean on or lose.
    if (held.length === 0) {
      await ch.close().catch(() => undefined);
      return { ...NOTHING_HELD, refused: why };
    }
    return new StreamLock(ch, new Set(held), why, asked + Math.min(ms, answer.body.ms));
  } catch (err) {
    ch.stream.abort(err instanceof Error ? err : new Error(String(err)));
    throw err;
  }
}

/** The device's own witnesses for the guard (guardian/guard.ts): connected now, and asked to lock over NETWORK in LIBRARYID. */
export function deviceWitnesses(network: LockNetwork, libraryId: string): NonNullable<Witnesses['devices']> {
  return {
    online: (device) => network.connected().some((d) => d.deviceUuid === device),
    lock: (device, copies, signal) => lockCopies(network, device, libraryId, copies, signal),
  };
}

/** Nothing held: nothing a drop leans on can stop holding. */
const NOTHING_HELD: RemoteLock = { held: new Set(), refused: new Map(), alive: () => true, release: async () => undefined };

/** A lock held by the other device while its stream is open and its time has not run out. */
class StreamLock implements RemoteLock {
  /** The stream ended: the holder let go (its time ran out, its daemon stopped) or the link was lost. */
  private ended = false;
  private released = false;
  private readonly stop = new AbortController();
  /** Ends when the holder says `released`, or the stream ends. */
  private readonly ending: Promise<void>;

  constructor(private readonly ch: PeerChannel<'lock'>, readonly held: ReadonlySet<number>, readonly refused: ReadonlyMap<number, string>, private readonly until: number) {
    this.ending = ch.receive(['lock.released'], { signal: this.stop.signal, unknown: 'skip' }).then(() => undefined, () => undefined).finally(() => { this.ended = true; });
  }

  alive(): boolean {
    return !this.ended && !this.released && Date.now() < this.until;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    try {
      if (!this.ended) {
        await this.ch.send('lock.release', {}, AbortSignal.timeout(RELEASE_MS));
        await Promise.race([this.ending, new Promise((r) => setTimeout(r, RELEASE_MS).unref())]);
      }
    } catch {
      // The holder is gone: its lock went with its stream.
    } finally {
      this.stop.abort();
      await this.ch.close().catch(() => undefined);
    }
  }
}
