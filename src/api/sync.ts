import type { Logger } from 'pino';
import type { FetchFirst } from '../jobs/job-kind.js';
import type { Library } from '../library/library.js';
import { sidecarAddress } from '../sidecars/address.js';
import { sidecarKind } from '../sidecars/kinds.js';
import { Availability } from '../sync/availability/availability.js';
import type { Prefetch } from '../sync/prefetch.js';
import type { ResolveAnswer } from '../sync/resolver.js';
import type { SidecarFetcher } from '../sync/resolver-fetcher.js';
import { readSyncSettings } from '../sync/sync-settings.js';
import { TransferStore } from '../sync/transfer/store.js';
import type { LibraryContext } from './library-api.js';
import type { SyncPeerStatus } from './peer-types.js';

/** What the running peer service lends a library: its fetcher and who is online. */
export interface PeerSide {
  fetcher: SidecarFetcher;
  /** Device uuids of the paired devices connected now. */
  online(): ReadonlySet<string>;
  /** Ask the connected devices directly whether they have these (DESIGN §9 "who has X?"); answers are kept as availability. */
  ask(addresses: ReadonlyArray<{ contentUuid: string; kind: string; variant: string }>, signal?: AbortSignal): Promise<void>;
  log?: Logger;
}

// The resolver reaches the generators and the trust store reaches libp2p's key code: both load
// when first used, so light commands (lists, status) do not pay for them.
const resolverModule = () => import('../sync/resolver.js');
/** How long the resolver waits for connected devices' direct answers before going on without them. */
const ASK_TIMEOUT_MS = 3_000;

/**
 * A library's side of sync between devices (DESIGN §9): its availability (own changes numbered,
 * peers' entries kept), its transfers (ready sidecars served by address, fetched ones verified),
 * the resolver and prefetch. The peer service (the daemon's network part) lends it a fetcher;
 * without one (in-process, or no daemon) the resolver makes sidecars here and asks no peer.
 */
export class SyncApi {
  readonly availability: Availability;
  readonly transfers: TransferStore;
  private peers: PeerSide | undefined;
  private prefetch: Prefetch | undefined;

  constructor(private readonly lib: Library, private readonly ctx: LibraryContext) {
    this.availability = new Availability(lib);
    this.transfers = new TransferStore(lib);
  }

  /** Lend this library the peer service's side (undefined takes it back): prefetch runs while lent. */
  async usePeers(side: PeerSide | undefined): Promise<void> {
    const old = this.prefetch;
    this.prefetch = undefined;
    this.peers = side;
    await old?.stop();
    if (!side) return;
    const { startPrefetch } = await import('../sync/prefetch.js');
    if (this.peers !== side) return; // taken back meanwhile
    this.prefetch = startPrefetch({ lib: this.lib, fetcher: side.fetcher, settings: () => readSyncSettings(this.ctx.dataDir), ...(side.log ? { log: side.log } : {}) });
  }

  /** Look again for what peers have that this device wants (after a digest, on a connect). */
  kickPrefetch(): void {
    this.prefetch?.kick();
  }

  /** Fetch-before-generate for the job work: asks peers only while the peer side is lent. */
  readonly fetchFirst: FetchFirst = async (addresses, signal) => {
    const peers = this.peers;
    if (!peers) return new Set();
    // `never` kinds (proxies, Live Photo movies by default) come from a peer only when a user asks for one.
    const never = new Set<string>(readSyncSettings(this.ctx.dataDir).prefetch.never);
    const wanted = addresses.filter((a) => !never.has(a.kind));
    if (wanted.length === 0) return new Set();
    const { fetchFirstWith } = await resolverModule();
    return fetchFirstWith(this.lib, peers.fetcher, () => readSyncSettings(this.ctx.dataDir).prefer)(wanted, signal);
  };

  /** The resolver (DESIGN §9): here, else fetched from the best peer, else made here, else why not. */
  async resolve(contentUuid: string, kind: string, variant: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ResolveAnswer> {
    sidecarKind(kind);
    const [{ resolveSidecar }, { generatorSettings }] = await Promise.all([resolverModule(), import('../jobs/settings.js')]);
    const peers = this.peers;
    if (peers && peers.online().size > 0 && this.transfers.localReady(sidecarAddress(contentUuid, kind, variant)) === null && peers.fetcher.sources(sidecarAddress(contentUuid, kind, variant)).length === 0) {
      // Nothing known of it yet (a digest on its way, or a push lost): ask the connected devices now, briefly.
      await peers.ask([{ contentUuid, kind, variant }], AbortSignal.any([AbortSignal.timeout(ASK_TIMEOUT_MS), ...(opts.signal ? [opts.signal] : [])])).catch(() => undefined);
    }
    return resolveSidecar(this.lib, { contentUuid, kind, variant }, {
      settings: generatorSettings(this.lib, this.ctx.dataDir),
      ...(this.peers ? { fetcher: this.peers.fetcher } : {}),
      prefer: readSyncSettings(this.ctx.dataDir).prefer,
      ...opts,
    });
  }

  /** Each paired device sharing this library, with what is known of it here. */
  async status(): Promise<SyncPeerStatus[]> {
    const { PairedDevices } = await import('../sync/pairing/paired-devices.js');
    const online = this.peers?.online() ?? new Set<string>();
    const states = new Map(this.availability.peers().map((p) => [p.deviceUuid, p]));
    const paired = PairedDevices.load(this.ctx.dataDir).list().filter((d) => d.library_ids.includes(this.lib.config.id));
    return paired.map((d) => {
      const s = states.get(d.device_uuid);
      return {
        device_id: d.device_uuid, name: d.name, online: online.has(d.device_uuid),
        seq: s?.seq ?? 0, epoch: s?.epoch ?? null, last_exchange: s?.lastExchangeAt != null ? new Date(s.lastExchangeAt).toISOString() : null, entries: s?.entries ?? 0,
        bytes_fetched: s?.bytesFetched ?? 0, files_fetched: s?.filesFetched ?? 0, failures: s?.failures ?? 0,
      };
    });
  }
}
