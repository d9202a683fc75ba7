import type { Logger } from 'pino';
import type { Library } from '../../library/library.js';
import type { PeerLink, RemoteDevice } from '../peer-link.js';
import { SerialRuns } from '../serial-runs.js';
import { notifySharedChanged, pullShared } from './exchange.js';

/** A change of shared data is told to peers this soon (a batch of edits goes out as one notice). */
const NOTICE_DEBOUNCE_MS = 100;
/** A notice that did not reach a connected peer is sent again this often, this many times in all. */
const NOTICE_RETRY_MS = 3_000;
const NOTICE_TRIES = 20;
const OPEN_TIMEOUT_MS = 5_000;

/**
 * One library's shared data between its paired devices (DESIGN §15): pulled from a device when it
 * connects and when it says its log grew; peers told when the log here grew (a change made here
 * or taken in from another member: what one member hears, every member it is connected to hears).
 */
export class SharedLink {
  private readonly pulls = new SerialRuns();
  private timer: NodeJS.Timeout | undefined;
  private readonly retry: NodeJS.Timeout;
  /** Devices a notice did not reach, and how many more times it may be sent to them. */
  private owed = new Map<string, number>();
  private readonly off: () => void;
  private stopped = false;

  constructor(private readonly opts: { lib: Library; peers: Required<Pick<PeerLink, 'connected' | 'open'>>; log: Logger; seen(deviceUuid: string): void }) {
    this.off = opts.lib.events.on('shared:changed', (e) => this.grew(e.from));
    this.retry = setInterval(() => this.tellOwed(), NOTICE_RETRY_MS).unref();
  }

  /** R connected, or said its log grew: pull from it (one pull at a time). */
  pull(r: RemoteDevice): Promise<void> {
    return this.pulls.run(r.deviceUuid, async () => {
      try {
        const stream = await this.opts.peers.open(r.peerId, 'feed', AbortSignal.timeout(OPEN_TIMEOUT_MS));
        const got = await pullShared(stream, this.opts.lib, r);
        this.opts.seen(r.deviceUuid);
        if (got.refused > 0) this.opts.log.warn({ device: r.deviceUuid, refused: got.refused }, 'operations on shared data refused');
        this.opts.log.debug({ device: r.deviceUuid, ...got }, 'shared data pulled');
      } catch (err) {
        // Offline or going away: the next connect or notice goes on from the cursor.
        this.opts.log.debug({ err, device: r.deviceUuid }, 'shared data pull failed');
      }
      return false;
    });
  }

  stop(): void {
    this.stopped = true;
    this.pulls.stop();
    this.off();
    clearInterval(this.retry);
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  /** The log grew (FROM: the device it came from, null: made here): every connected peer but FROM is told, shortly. */
  private grew(from: string | null): void {
    for (const r of this.opts.peers.connected()) if (r.deviceUuid !== from) this.owed.set(r.deviceUuid, NOTICE_TRIES);
    if (this.stopped || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.tellOwed();
    }, NOTICE_DEBOUNCE_MS);
    this.timer.unref();
  }

  private tellOwed(): void {
    if (this.stopped || this.owed.size === 0 || !this.opts.lib.db.open) return;
    const owed = this.owed;
    this.owed = new Map();
    const seq = this.opts.lib.store.sharedOps.head();
    for (const r of this.opts.peers.connected()) {
      const tries = owed.get(r.deviceUuid);
      if (tries === undefined) continue;
      void this.opts.peers.open(r.peerId, 'feed', AbortSignal.timeout(OPEN_TIMEOUT_MS))
        .then((stream) => notifySharedChanged(stream, r, this.opts.lib.config.id, seq))
        .catch((err: unknown) => {
          if (tries > 1 && !this.owed.has(r.deviceUuid)) this.owed.set(r.deviceUuid, tries - 1);
          this.opts.log.debug({ err, device: r.deviceUuid }, 'telling a peer of shared-data changes failed');
        });
    }
  }
}
