import type { FetchFirst } from '../jobs/job-kind.js';
import type { JobRow } from '../jobs/states.js';
import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { VssError } from '../core/errors.js';
import { deviceFolderAddress } from '../core/address.js';
import type { Library } from '../library/library.js';
import { sidecarKind } from '../sidecars/kinds.js';
import { Availability } from '../sync/availability/availability.js';
import { PeerLibrary } from '../sync/library/peer-library.js';
import type { LibraryLink } from '../sync/library-link.js';
import type { GotOriginal, RemoteOriginal } from '../sync/library/get-original.js';
import type { OpCall, OpHost, OpNetwork } from '../ops/op.js';
import type { GetAllPreview } from '../ops/transfer/get-all.js';
import type { GetAllResult } from '../ops/transfer/run/get-all-run.js';
import type { ResolveAnswer } from '../sync/resolver.js';
import type { LinkPort } from '../sync/synced-library.js';
import type { LibraryContext } from './library-api.js';
import type { SyncPeerStatus } from './peer-types.js';
import type { PairedDevices } from '../sync/pairing/paired-devices.js';
import type { Right } from '../tags/member-record.js';

// The resolver reaches the generators and the trust store reaches libp2p's key code: both load
// when first used, so light commands (lists, status) do not pay for them.
const resolverModule = () => import('../sync/resolver.js');

/**
 * A library's side of sync between devices (DESIGN §9). While the daemon's network side runs, it
 * links the library to the paired devices that share it (a LibraryLink, src/sync/library-link.ts),
 * which makes the decisions: resolve with peers, fetch before generate, prefetch. Without a link
 * (in-process, or no daemon) the resolver makes sidecars here and asks no peer.
 */
export class SyncApi implements LinkPort {
  readonly availability: Availability;
  private current: LibraryLink | undefined;
  /**
   * What prefetch still owes from each device, as last counted under WANTED: a count walks every
   * entry of the device (about 0.6 s for 150k), so it is kept until what it counts changes.
   */
  private owed: { wanted: string; by: Map<string, number> } | undefined;

  constructor(private readonly lib: Library, private readonly ctx: LibraryContext, private readonly host: OpHost) {
    this.availability = new Availability(lib);
    const recount = () => {
      this.owed = undefined;
    };
    // What peers have, the contents known here, the sidecars here: all a count depends on.
    for (const e of ['availability:changed', 'library:peer-rows', 'sidecar:changed', 'index:done', 'locations:changed'] as const) lib.events.on(e, recount);
  }

  link(make: (lib: Library) => LibraryLink): LibraryLink {
    return (this.current ??= make(this.lib));
  }

  unlink(): LibraryLink | undefined {
    const link = this.current;
    this.current = undefined;
    return link;
  }

  /**
   * Remove DEVICE from this library for every member (issue 46; `vss devices remove` without a
   * daemon): a removal signed with this device's key, which the members take in when this
   * device next talks to them. Then it is forgotten here (forgetDevice).
   */
  async removeMember(device: { uuid: string; key: string }): Promise<void> {
    const { recordRemoval } = await import('../sync/members/record-member.js');
    const me = this.lib.device;
    recordRemoval(this.lib, { uuid: me.uuid, name: me.name, key: me.publicKey }, readFileSync(join(this.ctx.dataDir, 'device.key'), 'utf8'), device);
    this.forgetDevice(device.uuid);
  }

  /** Why this device may not remove DEVICE from this library (N2: the founder, or a device that may admit, only by one that may admit), or undefined. */
  async removalRefused(device: { uuid: string; key: string; name: string }, trust: PairedDevices): Promise<string | undefined> {
    const { removalRefused } = await import('../sync/members/record-member.js');
    const me = this.lib.device;
    return removalRefused(trust, this.lib, { uuid: me.uuid, name: me.name, key: me.publicKey }, device);
  }

  /**
   * What DEVICE may do in this library as this device sees it; with RIGHTS, set it first: a grant
   * signed with this device's key (refused unless this device may admit). TRUST: the data dir's
   * trust store (whom this device paired with: its view's roots).
   */
  async rightsOf(device: { uuid: string; key: string }, trust: PairedDevices, rights?: Right[]): Promise<{ library_id: string; library: string; rights: Right[] } | undefined> {
    const { rightsHere } = await import('../sync/members/record-member.js');
    const me = this.lib.device;
    return rightsHere(trust, this.lib, { uuid: me.uuid, name: me.name, key: me.publicKey }, () => readFileSync(join(this.ctx.dataDir, 'device.key'), 'utf8'), device, rights);
  }

  /** Forget an unpaired device in this library: what it said it has, and its rows (DESIGN §9, §15). */
  forgetDevice(deviceUuid: string): void {
    this.availability.removeDevice(deviceUuid);
    new PeerLibrary(this.lib).removeDevice(deviceUuid);
    // Its changes to tags and metadata are the library's now and stay; where it was read up to goes.
    this.lib.store.feedCursors.remove(deviceUuid, 'shared');
    this.lib.store.sharedAcks.remove(deviceUuid);
  }

  /**
   * Copy a content's original (a uuid or `DEVICE:/LOCATION/PATH`) into DIR, verified against its
   * content id: from this device, else (through the daemon, as a durable job) from an online
   * paired device (src/ops/transfer/get.ts).
   */
  async getOriginal(ref: string, dir: string, opts: Omit<OpCall, 'detach'> = {}): Promise<GotOriginal & { job_id: number | null }> {
    // `DEVICE:/PATH/FILE` of a folder that device lets this one browse (issue 59), not one of its locations.
    const browsed = await this.getBrowsed(ref, dir);
    if (browsed) return { ...browsed, job_id: null };
    const { job, result } = await this.performGet(ref, dir, opts);
    if (result === null) throw new VssError('IO', 'the copy ended without a result');
    return { ...result, job_id: job?.id ?? null };
  }

  /** `getOriginal` queued without waiting for it (`content get --detach`): the job; needs the daemon's network. */
  async queueGetOriginal(ref: string, dir: string): Promise<JobRow> {
    const { job } = await this.performGet(ref, dir, { detach: true });
    if (job === null) throw new VssError('IO', `the copy of ${ref} could not be queued`);
    return job;
  }

  /**
   * Every content no location of this device holds a file of copied into DIR under the path the
   * library recorded for it, each verified (`content get --all`, src/ops/transfer/get-all.ts): from
   * volume FROM only, where named. One durable job; in a process without the daemon, run here.
   */
  async getAll(dir: string, opts: { from?: string } & Omit<OpCall, 'detach'> = {}): Promise<GetAllResult & { job_id: number | null }> {
    const { from, ...call } = opts;
    const { performTransfer } = await import('../ops/facade.js');
    const { job, result } = await performTransfer(this.host, { asked: 'get-all', dir, ...(from !== undefined ? { from } : {}) }, call);
    if (result === null) throw new VssError('IO', 'the get ended without a result');
    return { ...result, job_id: job?.id ?? null };
  }

  /** `getAll` queued without waiting for it (`content get --all --detach`): the job. */
  async queueGetAll(dir: string, opts: { from?: string } = {}): Promise<JobRow> {
    const { performTransfer } = await import('../ops/facade.js');
    const { job } = await performTransfer(this.host, { asked: 'get-all', dir, ...(opts.from !== undefined ? { from: opts.from } : {}) }, { detach: true });
    if (job === null) throw new VssError('WRONG_STATE', 'nothing to get: every content the library holds has a copy on this device, or none is reachable');
    return job;
  }

  /** What `getAll` would copy (`--dry-run`): files, bytes, and the free space in DIR; nothing is written. */
  async previewGetAll(dir: string, opts: { from?: string } = {}): Promise<GetAllPreview> {
    const { previewTransfer } = await import('../ops/preview.js');
    return previewTransfer(this.host, { asked: 'get-all', dir, ...(opts.from !== undefined ? { from: opts.from } : {}) });
  }

  /**
   * REF as `DEVICE:/PATH/FILE` where DEVICE is a paired device and PATH's first folder is none of
   * its locations: that device's browsable file (issue 59) copied into DIR, verified against the
   * BLAKE3 it read, and identified here; undefined: REF is not such an address (a content's, as ever).
   */
  private async getBrowsed(ref: string, dir: string): Promise<GotOriginal | undefined> {
    const a = deviceFolderAddress(ref);
    if (!a || a.path === '/') return undefined;
    const { PairedDevices } = await import('../sync/pairing/paired-devices.js');
    let dev;
    try {
      dev = PairedDevices.load(this.ctx.dataDir).find(a.device);
    } catch {
      return undefined;
    }
    const first = a.path.split('/')[1]!;
    if (this.lib.store.peerLocations.ofDevice(dev.device_uuid).some((l) => l.name === first || String(l.location_id) === first)) return undefined;
    const net = this.network;
    if (!net) throw new VssError('NO_DAEMON', "a file of another device's folder is fetched through the daemon's P2P node: start it (vss daemon start)");
    const [{ checkDestination }, { fetchRemote }, { identifyFileSoon }] = await Promise.all([import('../files/destination.js'), import('../sync/browse/ask-browse.js'), import('../content/identify-file.js')]);
    checkDestination(this.lib, dir, 'local');
    const got = await fetchRemote(await net.open(dev.peer_id, 'browse', AbortSignal.timeout(15_000)), a.path, dir);
    const st = statSync(got.path);
    const id = await identifyFileSoon({ id: 0, abs: got.path, name: basename(got.path), size: st.size, mtimeMs: st.mtimeMs, inode: st.ino }, this.lib.config.settings.hashThresholdBytes);
    return { content_uuid: id.ok ? id.contentUuid : '', path: got.path, size: got.size, from: dev.device_uuid, from_device: dev.name, bytes_received: got.size };
  }

  private async performGet(ref: string, dir: string, call: OpCall) {
    const { performTransfer } = await import('../ops/facade.js');
    return performTransfer(this.host, { asked: 'get', ref, dir }, call);
  }

  /** The daemon's network while this library is linked to it: a copy or send job opens its streams there (to any paired device). */
  get network(): OpNetwork | undefined {
    return this.current?.network;
  }

  /** A content held only on other devices, as a viewer reads it through the daemon (DESIGN §15); or why not. */
  remoteOriginal(contentUuid: string): RemoteOriginal | { unavailable: string } {
    if (!this.current) return { unavailable: 'it is on another device, and this process does not talk to other devices (the daemon does)' };
    return this.current.remoteOriginal(contentUuid);
  }

  /** Paired devices sharing this library that are connected now (none without the daemon's network side). */
  online(): ReadonlySet<string> {
    return this.current?.online() ?? new Set<string>();
  }

  /** Fetch-before-generate for the job work, from the link while there is one (the work starts before it). */
  readonly fetchFirst: FetchFirst = (addresses, signal) => this.current?.fetchFirst(addresses, signal) ?? Promise.resolve(new Set());

  /** The resolver (DESIGN §9): here, else fetched from the best peer, else made here, else why not. */
  async resolve(contentUuid: string, kind: string, variant: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ResolveAnswer> {
    sidecarKind(kind);
    if (this.current) return this.current.resolve(contentUuid, kind, variant, opts);
    const { resolveWithSettings } = await resolverModule();
    return resolveWithSettings(this.lib, this.ctx.dataDir, { contentUuid, kind, variant }, opts);
  }

  /**
   * Each paired device sharing this library, with what is known of it here and how the first pull
   * and prefetch from it stand: its files listed here of those its locations hold, whether a pull
   * runs now (only the daemon pulls), what prefetch still has to fetch from it.
   */
  async status(): Promise<SyncPeerStatus[]> {
    const [{ PairedDevices }, { prefetchWanted }, { readSyncSettings }] = await Promise.all([
      import('../sync/pairing/paired-devices.js'), import('../sync/prefetch.js'), import('../sync/sync-settings.js'),
    ]);
    const online = this.current?.online() ?? new Set<string>();
    const states = new Map(this.availability.peers().map((p) => [p.deviceUuid, p]));
    const paired = PairedDevices.load(this.ctx.dataDir).list().filter((d) => d.library_ids.includes(this.lib.config.id));
    const wanted = prefetchWanted(this.lib, readSyncSettings(this.ctx.dataDir).prefetch.eager);
    const { peerEntries, peerLocations } = this.lib.store;
    return paired.map((d) => {
      const s = states.get(d.device_uuid);
      return {
        device_id: d.device_uuid, name: d.name, online: online.has(d.device_uuid),
        seq: s?.seq ?? 0, epoch: s?.epoch ?? null, last_exchange: s?.lastExchangeAt != null ? new Date(s.lastExchangeAt).toISOString() : null, entries: s?.entries ?? 0,
        bytes_fetched: s?.bytesFetched ?? 0, files_fetched: s?.filesFetched ?? 0, failures: s?.failures ?? 0,
        pulling: this.current?.pulling(d.device_uuid) ?? false,
        files_listed: peerEntries.count(d.device_uuid).files,
        files_total: peerLocations.ofDevice(d.device_uuid).reduce((n, l) => n + l.files, 0),
        to_fetch: this.owedBy(d.device_uuid, wanted),
      };
    });
  }

  /** What prefetch still owes from DEVICEUUID under WANTED, counted again only once something it counts changed. */
  private owedBy(deviceUuid: string, wanted: string): number {
    if (this.owed?.wanted !== wanted) this.owed = { wanted, by: new Map() };
    let n = this.owed.by.get(deviceUuid);
    if (n === undefined) {
      n = wanted === '[]' ? 0 : this.lib.store.availability.prefetchOwedBy(deviceUuid, wanted);
      this.owed.by.set(deviceUuid, n);
    }
    return n;
  }
}
