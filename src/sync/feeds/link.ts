import type { Logger } from 'pino';
import type { FeedName } from '../messages/table.js';
import type { PeerLink, RemoteDevice } from '../peer-link.js';
import { SerialRuns } from '../serial-runs.js';
import { notifyFeed, pullFeed, type PulledCounts } from './engine.js';
import type { FeedSink } from './feed.js';

/** How long a stream to a peer may take to open for a pull or a notice. */
const OPEN_TIMEOUT_MS = 5_000;
/**
 * A pull that failed while its device stays connected (a stream cut on a lossy link, a connection
 * replaced under it) is tried again after these waits, one after the other; past the last, the
 * periodic pull takes it up. The next connect or notice pulls anyway.
 */
export const PULL_RETRY_MS: readonly number[] = [2_000, 5_000, 15_000, 30_000, 60_000];
const RETRY_RUN_MS = 10 * 60_000;

export interface FeedLinkOptions<F extends FeedName, R> {
  feed: F;
  libraryId: string;
  /** Only the devices that share the library. */
  peers: Required<Pick<PeerLink, 'connected' | 'open'>>;
  log: Logger;
  /** The follower's side for R: where this device stands in R's feed, and how a page is taken in. */
  sink(r: RemoteDevice): FeedSink<F, R>;
  /** A pull from R ended whole: true when another should follow at once. */
  pulled?(r: RemoteDevice, got: R & PulledCounts): boolean | void;
  /** This device's newest number of the feed (what a notice says). */
  head(): number;
  /** Whether the library is still open (nothing is read from a closed one). */
  isOpen(): boolean;
  /** A change is told this long after it (the changes meanwhile go out as one notice). */
  noticeDebounceMs: number;
  /** A notice that did not reach a connected peer is sent again at each `tellOwed`, this many times in all. */
  noticeTries: number;
}

/**
 * One feed of one library between this device and the paired devices that share it (the feed
 * engine's pull and notice, scheduled): pulled from a device when asked (one pull at a time per
 * device, another after it when asked for meanwhile), and the connected devices told when the feed
 * changed here, debounced; a notice that did not reach a connected peer is owed until `tellOwed`
 * sends it again (the link's periodic look), `noticeTries` times in all.
 */
export class FeedLink<F extends FeedName, R> {
  private readonly pulls = new SerialRuns();
  /** Devices a notice did not reach yet, and how many more times it may be sent to them. */
  private owed = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Devices whose last pull failed while connected: how many retries were made, and the one waiting. */
  private readonly retries = new Map<string, { made: number; since: number; timer: NodeJS.Timeout | undefined }>();

  constructor(private readonly o: FeedLinkOptions<F, R>) {}

  /** Pull what changed on R since this device's cursor. */
  pull(r: RemoteDevice): Promise<void> {
    return this.pulls.run(r.deviceUuid, () => this.pullOnce(r));
  }

  private async pullOnce(r: RemoteDevice): Promise<boolean> {
    try {
      const stream = await this.o.peers.open(r.peerId, 'feed', AbortSignal.timeout(OPEN_TIMEOUT_MS));
      const got = await pullFeed(stream, this.o.feed, this.o.libraryId, this.o.sink(r), r);
      this.forgetRetry(r.deviceUuid);
      return this.o.pulled?.(r, got) === true;
    } catch (err) {
      // Offline, going away or refused: what was taken in stays; the next connect, notice or periodic pull goes on from the cursor.
      this.o.log.debug({ err, device: r.deviceUuid, feed: this.o.feed }, 'feed pull failed');
      this.retryLater(r);
      return false;
    }
  }

  /**
   * Pull OWNER's changes as VIA holds them and passes them on (OWNER not connected here; its
   * signatures checked by SINK): one pull at a time per owner, with its direct pulls. Whether it
   * ended whole, and what it brought.
   */
  pullThrough(owner: RemoteDevice, via: RemoteDevice, sink: FeedSink<F, R>): Promise<(R & PulledCounts) | undefined> {
    let got: (R & PulledCounts) | undefined;
    return this.pulls.run(owner.deviceUuid, async () => {
      // Asked again while it ran (the owner connected meanwhile, say): from the owner itself now.
      const direct = this.o.peers.connected().find((c) => c.deviceUuid === owner.deviceUuid);
      if (direct) return this.pullOnce(direct);
      try {
        const stream = await this.o.peers.open(via.peerId, 'feed', AbortSignal.timeout(OPEN_TIMEOUT_MS));
        got = await pullFeed(stream, this.o.feed, this.o.libraryId, sink, via, { owner: owner.deviceUuid });
      } catch (err) {
        // The next pull of VIA's own rows says again what it holds, and this is tried again then.
        this.o.log.debug({ err, device: owner.deviceUuid, via: via.deviceUuid, feed: this.o.feed }, 'feed pull through another device failed');
      }
      return false;
    }).then(() => got);
  }

  /** R's pull failed: while R stays connected, pull again after the next of PULL_RETRY_MS (a connect or notice meanwhile pulls anyway). */
  private retryLater(r: RemoteDevice): void {
    let state = this.retries.get(r.deviceUuid);
    // A run of failures long over (the retries spent, the periodic pull failing too) starts a new run.
    if (state === undefined || (state.timer === undefined && Date.now() - state.since > RETRY_RUN_MS)) state = { made: 0, since: Date.now(), timer: undefined };
    if (this.stopped || state.timer !== undefined || state.made >= PULL_RETRY_MS.length) return;
    if (!this.o.peers.connected().some((c) => c.deviceUuid === r.deviceUuid)) return;
    state.timer = setTimeout(() => {
      state.timer = undefined;
      state.made++;
      if (!this.stopped && this.o.isOpen() && this.o.peers.connected().some((c) => c.deviceUuid === r.deviceUuid)) void this.pull(r);
    }, PULL_RETRY_MS[state.made]);
    state.timer.unref();
    this.retries.set(r.deviceUuid, state);
  }

  private forgetRetry(deviceUuid: string): void {
    const state = this.retries.get(deviceUuid);
    if (state?.timer !== undefined) clearTimeout(state.timer);
    this.retries.delete(deviceUuid);
  }

  /** Whether a pull from DEVICEUUID is under way. */
  pulling(deviceUuid: string): boolean {
    return this.pulls.isRunning(deviceUuid);
  }

  /** The feed changed here (EXCEPT: the device the change came from): the connected peers are told shortly. */
  changed(except: string | null = null): void {
    this.owe(except);
    if (this.stopped || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.tellOwed();
    }, this.o.noticeDebounceMs);
    this.timer.unref();
  }

  /** DEVICEUUID, if connected, is told now that the feed is there to pull (a newly paired device). */
  tell(deviceUuid: string): void {
    this.owed.set(deviceUuid, this.o.noticeTries);
    this.tellOwed();
  }

  /** Every connected peer but EXCEPT is owed a notice (sent at the next `tellOwed`). */
  owe(except: string | null = null): void {
    for (const r of this.o.peers.connected()) if (r.deviceUuid !== except) this.owed.set(r.deviceUuid, this.o.noticeTries);
  }

  /** Send the notices owed to connected peers now. */
  tellOwed(): void {
    if (this.stopped || this.owed.size === 0 || !this.o.isOpen()) return;
    const owed = this.owed;
    this.owed = new Map();
    const seq = this.o.head();
    for (const r of this.o.peers.connected()) {
      const tries = owed.get(r.deviceUuid);
      if (tries === undefined) continue;
      void this.o.peers.open(r.peerId, 'feed', AbortSignal.timeout(OPEN_TIMEOUT_MS))
        .then((stream) => notifyFeed(stream, this.o.feed, r, this.o.libraryId, seq))
        .catch((err: unknown) => {
          // A newer change owes it a full count of tries already.
          if (tries > 1 && !this.owed.has(r.deviceUuid)) this.owed.set(r.deviceUuid, tries - 1);
          this.o.log.debug({ err, device: r.deviceUuid, feed: this.o.feed }, 'telling a peer of feed changes failed');
        });
    }
  }

  stop(): void {
    this.stopped = true;
    this.pulls.stop();
    for (const d of [...this.retries.keys()]) this.forgetRetry(d);
    if (this.timer !== undefined) clearTimeout(this.timer);
  }
}
