import type { Logger } from 'pino';
import type { FetchFirst } from '../jobs/job-kind.js';
import type { Library } from '../library/library.js';
import { sidecarAddress } from '../sidecars/address.js';
import { Availability, type WhoHasQuery } from './availability/availability.js';
import { askWhoHas, availabilitySink } from './availability/exchange.js';
import { FeedLink } from './feeds/link.js';
import { librarySink } from './library/exchange.js';
import { PeerLibrary } from './library/peer-library.js';
import { remoteOriginal, type RemoteOriginal } from './library/get-original.js';
import type { FeedName } from './messages/table.js';
import { DEVICE_WAIT_LIKE } from './network-wait.js';
import type { PeerLink, RemoteDevice } from './peer-link.js';
import { startPrefetch, type Prefetch } from './prefetch.js';
import { kickPrefetchOnPeerChanges } from './prefetch-kicks.js';
import { fetchFirstWith, resolveWithSettings, type ResolveAnswer } from './resolver.js';
import { readSyncSettings, type SyncSettings } from './sync-settings.js';
import { Fetcher } from './transfer/fetcher.js';
import type { RateLimiter } from './transfer/rate-limiter.js';
import { TransferStore } from './transfer/store.js';
import { sharedSink } from './shared/exchange.js';

/** Local changes are told to peers at most this often (DESIGN §9: pushed on change, debounced). */
const PUSH_DEBOUNCE_MS = 1_000;
/**
 * This device's own rows (DESIGN §15) are told to peers this soon after a change (a scan's batch
 * finishing), and the counter is looked at this often besides (another process may have scanned);
 * notices owed to connected peers are sent again then.
 */
const LIBRARY_PUSH_DEBOUNCE_MS = 150;
const LIBRARY_CHECK_MS = 3_000;
/** A change of shared data is told to peers this soon (a batch of edits goes out as one notice). */
const SHARED_NOTICE_DEBOUNCE_MS = 100;
/** A notice that did not reach a connected peer is sent again at the next looks, this many times in all (a minute or two of checks). */
const NOTICE_TRIES = 20;
/** How long a request waits for connected devices' direct answers ("who has?") before going on without them. */
const ASK_TIMEOUT_MS = 3_000;

/** What a link needs of the device's network: the paired devices, streams to them, and word of who answered. */
export interface LinkNetwork extends Required<PeerLink> {
  /** A paired device answered (a pull): seen now. */
  seen(deviceUuid: string): void;
  /** A paired device said the name it goes by now (the head of each pull of its rows says it). */
  named(deviceUuid: string, name: string): void;
  /** LIB's shared data changed: its membership records may say someone new is a member, or was removed (issue 46). */
  membersMayHaveChanged(lib: Library): void;
  /** A paired device or member as this device trusts it (connected or not), or undefined. */
  device(deviceUuid: string): RemoteDevice | undefined;
}

export interface LibraryLinkOptions {
  lib: Library;
  dataDir: string;
  network: LinkNetwork;
  /** The device's download budget: every library's fetches draw from it. */
  limiter: RateLimiter;
  log: Logger;
}

/**
 * One library shared with paired devices, while the daemon's network side runs (DESIGN §9): its
 * availability pulled from each device that connects and pushed to them on change, its fetcher
 * and prefetch, and the decisions of a request — ask the connected devices first when nothing is
 * known of a sidecar, fetch before generating in jobs, resolve by the device's settings.
 */
export class LibraryLink {
  readonly availability: Availability;
  /** Other devices' rows of this library, as their owners sent them. */
  readonly peerLibrary: PeerLibrary;
  readonly transfers: TransferStore;
  private readonly fetcher: Fetcher;
  private readonly prefetch: Prefetch;
  /** Only the devices that share this library. */
  private readonly peers: Required<PeerLink>;
  private readonly offs: Array<() => void> = [];
  /** The three feeds between this device and the others (src/sync/feeds/): what they have, their own rows, shared data. */
  private readonly feeds: { availability: FeedLink<'availability', unknown>; library: FeedLink<'library', unknown>; shared: FeedLink<'shared', unknown> };
  /** The newest folder number told to peers, and the timer of the next look. */
  private libraryTold: number;
  private libraryTimer: NodeJS.Timeout | undefined;
  private libraryForced = false;
  private nameTold: string;
  private readonly libraryCheck: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly opts: LibraryLinkOptions) {
    const { lib, network } = opts;
    const id = lib.config.id;
    this.availability = new Availability(lib);
    this.peerLibrary = new PeerLibrary(lib);
    this.libraryTold = lib.store.entries.lastFolderSeq();
    this.nameTold = lib.device.name;
    this.transfers = new TransferStore(lib);
    this.peers = {
      connected: () => network.connected().filter((r) => r.libraryIds.includes(id)),
      open: (peerId, protocol, signal) => network.open(peerId, protocol, signal),
      recentlyOnline: (deviceUuid) => network.recentlyOnline(deviceUuid),
      redial: () => network.redial(),
      settling: () => network.settling(),
    };
    this.fetcher = new Fetcher(this.transfers, this.peers, { limiter: opts.limiter, log: opts.log });
    const feed = { libraryId: id, peers: this.peers, log: opts.log, isOpen: () => lib.db.open };
    this.feeds = {
      availability: new FeedLink({
        ...feed, feed: 'availability', sink: (r) => availabilitySink(this.availability, r, id), head: () => this.availability.seq(),
        // Told when Availability.onLocalChange says (debounced there), once: the periodic pull catches a lost one.
        noticeDebounceMs: 0, noticeTries: 1,
        pulled: (r, got) => {
          // Seen: it answered (a connect alone may be one the other side then refuses, after an unpair there).
          network.seen(r.deviceUuid);
          opts.log.debug({ device: r.deviceUuid, ...got }, 'availability pulled');
          if (got.skipped > 0) opts.log.info({ device: r.deviceUuid, skipped: got.skipped }, 'availability entries of sidecars this version does not know were left out');
        },
      }),
      library: new FeedLink({
        ...feed, feed: 'library', sink: (r) => librarySink(this.peerLibrary, r), head: () => lib.store.entries.lastFolderSeq(),
        noticeDebounceMs: LIBRARY_PUSH_DEBOUNCE_MS, noticeTries: NOTICE_TRIES,
        pulled: (r, got) => {
          network.seen(r.deviceUuid);
          network.named(r.deviceUuid, got.name);
          opts.log.debug({ device: r.deviceUuid, ...got }, 'library rows pulled');
          if (got.news) {
            lib.events.emit('library:peer-rows', { deviceUuid: r.deviceUuid, entries: got.entries, full: got.full });
            // The other devices learn there is more of R's rows here to pass on (their next pull of this device's head says so).
            this.feeds.library.changed(r.deviceUuid);
          }
          this.pullThrough(r, got.held);
          // A resumed pull ends at the seq its cut-off start saw; what changed since (a notice sent
          // while the link was down is lost) comes in one more pull, a mere head and end when nothing did.
          return got.resumed;
        },
      }),
      shared: new FeedLink({
        ...feed, feed: 'shared', sink: (r) => sharedSink(lib, r), head: () => lib.store.sharedOps.head(),
        noticeDebounceMs: SHARED_NOTICE_DEBOUNCE_MS, noticeTries: NOTICE_TRIES,
        pulled: (r, got) => {
          network.seen(r.deviceUuid);
          if (got.refused > 0) opts.log.warn({ device: r.deviceUuid, refused: got.refused }, 'operations on shared data refused');
          opts.log.debug({ device: r.deviceUuid, ...got }, 'shared data pulled');
        },
      }),
    };
    // This device's own changes are told to peers, debounced; a peer's changes reach prefetch.
    this.offs.push(this.availability.onLocalChange(() => this.feeds.availability.changed(), PUSH_DEBOUNCE_MS));
    // Shared data grew (a change made here, or taken in from another member: what one member hears,
    // every member it is connected to hears): every connected peer but the one it came from is told.
    this.offs.push(lib.events.on('shared:changed', (e) => {
      this.feeds.shared.changed(e.from);
      network.membersMayHaveChanged(lib);
    }));
    network.membersMayHaveChanged(lib);
    this.offs.push(kickPrefetchOnPeerChanges(lib.events, { kick: () => this.prefetch.kick() }));
    this.prefetch = startPrefetch({ lib, fetcher: this.fetcher, settings: () => this.settings(), log: opts.log });
    this.offs.push(lib.events.on('index:done', () => this.libraryMayHaveChanged()));
    // A location removed numbers no folder: peers are told all the same.
    this.offs.push(lib.events.on('locations:changed', () => this.libraryMayHaveChanged(true)));
    this.libraryCheck = setInterval(() => {
      // A new name of this device (`vss device rename`) travels in the head of a pull.
      const renamed = lib.device.name !== this.nameTold;
      this.nameTold = lib.device.name;
      this.libraryMayHaveChanged(renamed);
      this.feeds.shared.tellOwed();
    }, LIBRARY_CHECK_MS).unref();
    for (const r of this.peers.connected()) void this.pullFeeds(r);
    void this.transfers.sweepPartials().catch((err: unknown) => opts.log.debug({ err }, 'sweeping old partials failed'));
  }

  get libraryId(): string {
    return this.opts.lib.config.id;
  }

  /** Device uuids of the devices sharing this library connected now. */
  online(): ReadonlySet<string> {
    return new Set(this.peers.connected().map((r) => r.deviceUuid));
  }

  /** Whether a pull from DEVICEUUID is under way now, of any feed (its first after pairing, say). */
  pulling(deviceUuid: string): boolean {
    return Object.values(this.feeds).some((f) => f.pulling(deviceUuid));
  }

  /** The library itself (its own rows are served from it). */
  get library(): Library {
    return this.opts.lib;
  }

  /**
   * R connected: the jobs waiting for a device to connect go now (a copy from it, a send to it),
   * every feed is pulled from it, then prefetch looks again. Resolves once those pulls have run.
   */
  connected(r: RemoteDevice): Promise<void> {
    try {
      this.opts.lib.store.jobs.wakeWaiting(DEVICE_WAIT_LIKE);
    } catch (err) {
      // A busy database: the jobs look again on their own within seconds.
      this.opts.log.debug({ err }, 'could not wake the jobs waiting for a device');
    }
    return this.pullFeeds(r, () => this.prefetch.kick());
  }

  /** R was just paired: told that every feed here is there to pull (its first pull may have been refused, this library not open here yet). */
  paired(r: RemoteDevice): void {
    for (const f of Object.values(this.feeds)) f.tell(r.deviceUuid);
  }

  /** R said its FEED of this library changed: pulled from it. Resolves once that pull has run (it never rejects). */
  feedChanged(r: RemoteDevice, feed: FeedName): Promise<void> {
    return this.feeds[feed].pull(r);
  }

  /** The network as a copy or send job needs it (src/ops/content-get, src/ops/files-send). */
  get network(): Required<Pick<PeerLink, 'connected' | 'open' | 'redial' | 'settling'>> {
    return this.peers;
  }

  /** A content held only on other devices, to read ranges of (a viewer); or why not now. */
  remoteOriginal(contentUuid: string): RemoteOriginal | { unavailable: string } {
    return remoteOriginal(this.opts.lib, contentUuid, this.peers);
  }

  /** Forget an unpaired device: what it said it has, and its rows. */
  forgetDevice(deviceUuid: string): void {
    this.availability.removeDevice(deviceUuid);
    this.peerLibrary.removeDevice(deviceUuid);
  }

  /** Pull again from every connected device (the periodic pull, in case a push was lost). */
  pullAll(): void {
    for (const r of this.peers.connected()) void this.pullFeeds(r);
  }

  /** Fetch-before-generate for this library's jobs (the FetchFirst the job work is given). */
  readonly fetchFirst: FetchFirst = async (addresses, signal) => {
    // `never` kinds (proxies, Live Photo movies by default) come from a peer only when a user asks for one.
    const never = new Set<string>(this.settings().prefetch.never);
    const wanted = addresses.filter((a) => !never.has(a.kind));
    if (wanted.length === 0) return new Set();
    return fetchFirstWith(this.opts.lib, this.fetcher, () => this.settings().prefer)(wanted, signal);
  };

  /**
   * The resolver (DESIGN §9) for a user's request: here, else fetched from the best peer, else
   * made here, else why not. When nothing is known of it yet (a digest on its way, a push lost),
   * the connected devices are asked directly first, briefly.
   */
  async resolve(contentUuid: string, kind: string, variant: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ResolveAnswer> {
    const a = sidecarAddress(contentUuid, kind, variant);
    if (this.peers.connected().length > 0 && this.transfers.localReady(a) === null && this.fetcher.sources(a).length === 0) {
      await this.ask([{ contentUuid, kind, variant }], AbortSignal.any([AbortSignal.timeout(ASK_TIMEOUT_MS), ...(opts.signal ? [opts.signal] : [])])).catch(() => undefined);
    }
    return resolveWithSettings(this.opts.lib, this.opts.dataDir, a, { fetcher: this.fetcher, ...opts });
  }

  /** "Who has X?" to every connected device sharing this library, at once; what they answer is kept as their availability. */
  async ask(addresses: readonly WhoHasQuery[], signal?: AbortSignal): Promise<void> {
    await Promise.all(this.peers.connected().map(async (r) => {
      try {
        const heard = await askWhoHas(await this.peers.open(r.peerId, 'availability', signal), r, this.libraryId, addresses, signal ? { signal } : {});
        this.availability.noteHeard(r.deviceUuid, heard);
      } catch (err) {
        this.opts.log.debug({ err, device: r.deviceUuid }, '"who has" got no answer');
      }
    }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const f of Object.values(this.feeds)) f.stop();
    for (const off of this.offs) off();
    clearInterval(this.libraryCheck);
    if (this.libraryTimer !== undefined) clearTimeout(this.libraryTimer);
    this.fetcher.close();
    await this.prefetch.stop();
  }

  private settings(): SyncSettings {
    return readSyncSettings(this.opts.dataDir);
  }

  /** Pull every feed from R (AVAILABLE: once what it has is in); resolves once all three have run. */
  private async pullFeeds(r: RemoteDevice, available?: () => void): Promise<void> {
    await Promise.all([this.feeds.availability.pull(r).then(available), this.feeds.library.pull(r), this.feeds.shared.pull(r)]);
  }

  /**
   * VIA holds rows of other members, whole and signed by them (its head said so: HELD): the rows of
   * each member not connected here that are newer than this device's copy of them, of the same
   * database, are pulled through VIA (issue 46 item 2: a transitive path for a member this device
   * cannot reach). A member's copy of another database (an epoch not this one's) waits for the
   * owner itself: which is newer cannot be told.
   */
  private pullThrough(via: RemoteDevice, held: ReadonlyArray<{ device: string; epoch: string; seq: number }>): void {
    const { lib, network } = this.opts;
    const online = this.online();
    for (const h of held) {
      if (this.stopped || h.device === lib.device.uuid || online.has(h.device)) continue;
      const owner = network.device(h.device);
      if (!owner?.publicKey || !owner.libraryIds.includes(this.libraryId)) continue;
      const here = this.peerLibrary.askFor(h.device);
      if (here.epoch !== null && (here.epoch !== h.epoch || h.seq <= here.seq)) continue;
      void this.feeds.library.pullThrough(owner, via, librarySink(this.peerLibrary, owner, undefined, via)).then((pulled) => {
        const got = pulled as { entries: number; full: boolean; toSeq: number; news: boolean } | undefined;
        if (!got) return;
        this.opts.log.debug({ device: owner.deviceUuid, via: via.deviceUuid, ...got }, 'library rows pulled through another device');
        if (got.news) {
          lib.events.emit('library:peer-rows', { deviceUuid: owner.deviceUuid, entries: got.entries, full: got.full });
          this.feeds.library.changed(via.deviceUuid);
        }
      });
    }
  }

  /** A scan may have changed this device's rows: peers are told shortly, once, if a folder was numbered anew. */
  private libraryMayHaveChanged(force = false): void {
    if (force) this.libraryForced = true;
    if (this.stopped || this.libraryTimer !== undefined) return;
    this.libraryTimer = setTimeout(() => {
      this.libraryTimer = undefined;
      if (this.stopped || !this.opts.lib.db.open) return;
      const now = this.opts.lib.store.entries.lastFolderSeq();
      const everyone = now !== this.libraryTold || this.libraryForced;
      this.libraryForced = false;
      this.libraryTold = now;
      // A peer still connected whom the last notice did not reach (the link went down a moment,
      // not long enough to drop the connection, so no reconnect makes it pull) is told again.
      if (everyone) this.feeds.library.owe();
      this.feeds.library.tellOwed();
    }, LIBRARY_PUSH_DEBOUNCE_MS);
    this.libraryTimer.unref();
  }
}
