import type { Stream } from '@libp2p/interface';
import { VssError } from '../../core/errors.js';
import { MAX_LOCK_MS } from '../../guardian/copy-locks.js';
import { MAX_LOCK_COPIES, type RemoteCopy, type RemoteLock, type Witnesses } from '../../guardian/guard.js';
import { answerWithin, PeerChannel } from '../messages/channel.js';
import type { PeerLink } from '../peer-link.js';

/*
 * /vss/lock, the asker's side (DESIGN §19): the guard of a drop asks the device holding other
 * copies to lock them (guardian/guard.ts `Witnesses.devices.lock`), over the daemon's link to its
 * paired devices. The lock is the stream: it holds while the stream is open and the time granted
 * has not run out (counted from before the first ask went, so never past the holder's own count),
 * and `release` ends both. One drop asks each device on one stream, however many copies it needs
 * (an ask of at most MAX_LOCK_COPIES at a time): a drop of 100,000 files is one stream, not 100.
 */

/** Opening the stream to a connected device, and its answer to an ask, may take this long. */
const OPEN_MS = 10_000;
const ANSWER_MS = 15_000;
/** A release waits this long for the holder's `released` before the stream is cut. */
const RELEASE_MS = 5_000;

/** What the lock needs of the network: who is connected, and a stream to one of them. */
export type LockNetwork = Pick<PeerLink, 'connected' | 'open'>;

/**
 * Ask DEVICEUUID (a paired device connected now) to lock COPIES of its own in LIBRARYID for at
 * most MS, on a stream of its own. Resolves to what it holds and why not the rest; rejects, saying
 * why, when it cannot be asked (not connected, a vss without the protocol, no answer, a refusal of
 * the whole ask). Its release ends the stream.
 */
export function lockCopies(network: LockNetwork, deviceUuid: string, libraryId: string, copies: readonly RemoteCopy[], signal?: AbortSignal, ms = MAX_LOCK_MS): Promise<RemoteLock> {
  return new LockStream(network, deviceUuid, libraryId, ms).ask(copies, signal);
}

/**
 * The guard's witnesses of the paired devices (guardian/guard.ts): connected now, and asked to
 * lock over NETWORK in LIBRARYID. One set of witnesses serves one drop: its asks of one device go
 * on one stream, which its locks share and whose last release ends it.
 */
export function deviceWitnesses(network: LockNetwork, libraryId: string): NonNullable<Witnesses['devices']> {
  const streams = new Map<string, LockStream>();
  return {
    online: (device) => network.connected().some((d) => d.deviceUuid === device),
    lock: (device, copies, signal) => {
      let s = streams.get(device);
      if (!s || s.over) streams.set(device, (s = new LockStream(network, device, libraryId, MAX_LOCK_MS)));
      return s.ask(copies, signal);
    },
  };
}

/**
 * One lock stream to one device: asks sent one after the other, each answered with what it holds;
 * every lock it gave out alive while the stream is open and its time not run out, and the stream
 * released once all of them are.
 */
class LockStream {
  private stream: Stream | undefined;
  private ch: PeerChannel<'lock'> | undefined;
  private until = 0;
  /** Asks go one at a time: each waits for the one before it. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Locks given out and not released yet. */
  private out = 0;
  private released = false;

  constructor(private readonly network: LockNetwork, private readonly deviceUuid: string, private readonly libraryId: string, private readonly ms: number) {}

  /** No more asks on it: released, refused, or ended by the holder or the link. */
  get over(): boolean {
    return this.released || (this.stream !== undefined && !this.open());
  }

  ask(copies: readonly RemoteCopy[], signal?: AbortSignal): Promise<RemoteLock> {
    const asked = this.queue.then(() => this.askNow(copies, signal));
    this.queue = asked.catch(() => undefined);
    return asked;
  }

  private open(): boolean {
    return this.stream !== undefined && this.stream.status === 'open' && this.stream.remoteWriteStatus === 'writable';
  }

  private async askNow(copies: readonly RemoteCopy[], signal?: AbortSignal): Promise<RemoteLock> {
    if (copies.length > MAX_LOCK_COPIES) throw new VssError('USAGE', `at most ${MAX_LOCK_COPIES} copies are locked by one ask, not ${copies.length}`);
    if (this.over) throw new VssError('UNAVAILABLE', 'its lock stream ended');
    const first = this.ch === undefined;
    const sent = Date.now();
    if (first) {
      const remote = this.network.connected().find((r) => r.deviceUuid === this.deviceUuid);
      if (!remote) throw new VssError('UNAVAILABLE', 'it is not connected');
      this.stream = await this.network.open(remote.peerId, 'lock', answerWithin(OPEN_MS, signal));
      this.ch = new PeerChannel(this.stream, 'lock');
    }
    const ch = this.ch!;
    try {
      const ms = first ? this.ms : Math.max(0, this.until - sent);
      await ch.send('lock.ask', { library_id: this.libraryId, ms, copies: copies.map(({ content_uuid, location, rel_path, size }) => ({ content_uuid, location, rel_path, size })) }, answerWithin(ANSWER_MS, signal));
      const answer = await ch.receive(['lock.held', 'lock.error'], { signal: answerWithin(ANSWER_MS, signal), unknown: 'skip' });
      if (answer.name === 'lock.error') throw new VssError('PEER', `it refused: ${answer.body.reason}`);
      const { held, refused } = answer.body;
      const asks = (i: number) => Number.isSafeInteger(i) && i < copies.length;
      if (!held.every(asks) || !refused.every((r) => asks(r.i) && !held.includes(r.i))) throw new VssError('PEER', 'it answered for copies that were not asked');
      if (first) this.until = sent + Math.min(this.ms, answer.body.ms);
      return this.lockOf(new Set(held), new Map(refused.map((r) => [r.i, r.reason])));
    } catch (err) {
      // A stream that failed an ask (refused whole, unanswered, cut) is cut: the holder lets go of all it held on it,
      // and every lock of it stops holding, so nothing leans on a lock whose state is not known.
      this.released = true;
      this.stream?.abort(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
  }

  /** A lock of HELD: alive while the stream is (one holding nothing has nothing to lose); its release the stream's once every lock of it is released. */
  private lockOf(held: ReadonlySet<number>, refused: ReadonlyMap<number, string>): RemoteLock {
    this.out++;
    let done = false;
    return {
      held, refused,
      alive: () => held.size === 0 || (!done && !this.released && this.open() && Date.now() < this.until),
      release: async () => {
        if (done) return;
        done = true;
        if (--this.out === 0) await this.release();
      },
    };
  }

  /** The stream released: the holder told so and waited for (bounded), then closed; a holder gone took its locks with it. */
  private async release(): Promise<void> {
    const ch = this.ch;
    const open = this.open();
    this.released = true;
    if (!ch || !open) return;
    try {
      await ch.send('lock.release', {}, AbortSignal.timeout(RELEASE_MS));
      await ch.receive(['lock.released'], { signal: AbortSignal.timeout(RELEASE_MS), unknown: 'skip' });
    } catch {
      // The holder is gone, or did not say: closing the stream ends its locks all the same.
    } finally {
      await ch.close().catch(() => undefined);
    }
  }
}
