import type { Logger } from 'pino';
import { VssError } from '../../core/errors.js';
import type { SidecarAddress } from '../../sidecars/address.js';
import type { PeerLink, RemoteDevice } from '../peer-link.js';
import { fetchBatch, MAX_BATCH_ITEMS, type BatchItem } from './fetch-protocol.js';
import { PeerStats } from './peer-stats.js';
import { RateLimiter, type FetchPriority } from './rate-limiter.js';
import { Slots } from './slots.js';
import { describe, RESUMABLE_ABOVE, type SourceEntry, type TransferStore } from './store.js';

export type { FetchPriority } from './rate-limiter.js';

export type FetchOutcome =
  | { address: SidecarAddress; ok: true; path: string; from: string /* device uuid */; bytes: number }
  /** `transient`: it failed on the way (a stream broke or stalled, no source connected), not on a source's word. */
  | { address: SidecarAddress; ok: false; reason: string; tried: string[] /* device uuids */; transient?: boolean };

export interface FetcherOptions {
  /** Bytes per second for all fetching together; absent or null: unlimited. */
  bandwidthBytesPerSec?: number | null;
  /** A limiter shared with other fetchers (and the serving side): one budget for the whole device. Overrides bandwidthBytesPerSec. */
  limiter?: RateLimiter;
  log?: Logger;
  /** A peer that sends nothing for this long loses the transfer to the next source (default 15 s). */
  stallMs?: number;
  /** Fetch streams for jobs and prefetch at once (default 4); a user's request runs beside them. */
  streamsAtOnce?: number;
  /** Small sidecars per pipelined batch (default 256). */
  batchItems?: number;
}

interface Candidate extends SourceEntry {
  peerId: string;
}

/** One address being fetched for one `fetch` call. */
class Task {
  readonly tried: string[] = [];
  lastError = '';
  /** Whether the last failure was on the way (a stream), not a source's word (a refusal, a lie). */
  lastTransient = true;
  /** The source to ask again from the start (its bytes finished a partial another began, and did not verify). */
  again: Candidate | undefined;
  againUsed = false;
  settled = false;
  readonly done: Promise<FetchOutcome>;
  private resolve!: (o: FetchOutcome) => void;

  constructor(readonly address: SidecarAddress) {
    this.done = new Promise((r) => (this.resolve = r));
  }

  succeed(path: string, from: string, bytes: number): void {
    this.settle({ address: this.address, ok: true, path, from, bytes });
  }

  fail(reason: string, transient = this.lastTransient): void {
    this.settle({ address: this.address, ok: false, reason, tried: [...this.tried], transient });
  }

  follow(other: Promise<FetchOutcome>): void {
    this.settled = true;
    void other.then((o) => this.resolve({ ...o, address: this.address }));
  }

  private settle(o: FetchOutcome): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve(o);
  }
}

/**
 * Fetches sidecars from paired peers into one library (DESIGN §9 "Transfer" and "Sources"): the
 * source expected to deliver soonest first (measured throughput and latency per peer), the next
 * one on failure, a lying entry marked suspect. Small sidecars go many to a stream; large ones one
 * to a stream, resumable from another source. User requests never wait behind jobs or prefetch.
 */
export class Fetcher {
  private readonly stats = new PeerStats();
  private readonly limiter: RateLimiter;
  private readonly slots: Slots;
  /** Addresses whose bytes are moving now, so two callers never write the same file. */
  private readonly running = new Map<string, Promise<FetchOutcome>>();
  private readonly closing = new AbortController();
  private readonly stallMs: number;
  private readonly batchItems: number;

  constructor(private readonly store: TransferStore, private readonly link: PeerLink, private readonly opts: FetcherOptions = {}) {
    this.limiter = opts.limiter ?? new RateLimiter(opts.bandwidthBytesPerSec ?? null);
    this.slots = new Slots(opts.streamsAtOnce ?? 4);
    this.stallMs = opts.stallMs ?? 15_000;
    this.batchItems = Math.min(opts.batchItems ?? 256, MAX_BATCH_ITEMS);
  }

  /** Sources known for an address now (paired, connected, has=1, not suspect), best first. */
  sources(address: SidecarAddress): string[] {
    return this.candidates(address, this.peersNow()).map((c) => c.deviceUuid);
  }

  /** Whether a source of ADDRESS not connected now was online lately (a cut link, a restart): worth waiting for. */
  waitable(address: SidecarAddress): boolean {
    const recently = this.link.recentlyOnline;
    if (!recently) return false;
    const connected = this.peersNow();
    return this.store.sources(address).some((e) => !connected.has(e.deviceUuid) && recently.call(this.link, e.deviceUuid));
  }

  /** Dial the paired devices not connected now (a user waits for a source among them). */
  reconnect(): void {
    this.link.redial?.();
  }

  fetch(addresses: SidecarAddress[], opts: { priority: FetchPriority; signal?: AbortSignal }): Promise<FetchOutcome[]> {
    const signal = opts.signal ? AbortSignal.any([opts.signal, this.closing.signal]) : this.closing.signal;
    const outcomes: Promise<FetchOutcome>[] = [];
    const tasks: Task[] = [];
    const seen = new Map<string, Promise<FetchOutcome>>();
    for (const address of addresses) {
      const key = keyOf(address);
      const same = seen.get(key) ?? this.running.get(key);
      if (same) {
        outcomes.push(same.then((o) => ({ ...o, address })));
        continue;
      }
      const local = this.store.localReady(address);
      if (local) {
        outcomes.push(Promise.resolve({ address, ok: true, path: local, from: this.store.deviceUuid, bytes: 0 }));
        continue;
      }
      const task = new Task(address);
      tasks.push(task);
      seen.set(key, task.done);
      outcomes.push(task.done);
    }
    if (tasks.length > 0) {
      this.run(tasks, opts.priority, signal).catch((err: unknown) => {
        for (const t of tasks) t.fail(`fetch failed: ${(err as Error).message}`);
      });
    }
    return Promise.all(outcomes);
  }

  setBandwidth(bytesPerSec: number | null): void {
    this.limiter.setRate(bytesPerSec);
  }

  close(): void {
    this.closing.abort(new VssError('PEER', 'the fetcher was closed'));
    if (!this.opts.limiter) this.limiter.close();
  }

  /** Measured speed of a device, for status and tests. */
  measured(deviceUuid: string): { throughput: number; latencyMs: number; failStreak: number } | undefined {
    return this.stats.of(deviceUuid);
  }

  /** Rounds: each task to its best untried source, grouped per source; what failed goes to the next. */
  private async run(tasks: Task[], priority: FetchPriority, signal: AbortSignal): Promise<void> {
    let pending = tasks;
    while (pending.length > 0) {
      if (signal.aborted) {
        for (const t of pending) t.fail(`aborted: ${reasonOf(signal)}`, false);
        return;
      }
      const peers = this.peersNow();
      const perSource = new Map<string, { source: Candidate; task: Task }[]>();
      for (const task of pending) {
        const source = this.nextSource(task, peers);
        if (!source) {
          task.fail(task.tried.length > 0 ? `no source left (last: ${task.lastError})` : 'no connected paired device has it');
          continue;
        }
        const list = perSource.get(source.deviceUuid) ?? [];
        list.push({ source, task });
        perSource.set(source.deviceUuid, list);
      }
      const work: Promise<void>[] = [];
      for (const list of perSource.values()) {
        const small = list.filter((x) => x.source.size <= RESUMABLE_ABOVE);
        for (let i = 0; i < small.length; i += this.batchItems) work.push(this.transfer(small.slice(i, i + this.batchItems), priority, signal));
        for (const large of list.filter((x) => x.source.size > RESUMABLE_ABOVE)) work.push(this.transfer([large], priority, signal));
      }
      await Promise.all(work);
      pending = pending.filter((t) => !t.settled);
    }
  }

  private nextSource(task: Task, peers: Map<string, RemoteDevice>): Candidate | undefined {
    if (task.again && !task.againUsed) {
      task.againUsed = true;
      if (peers.has(task.again.deviceUuid)) return task.again;
    }
    return this.candidates(task.address, peers).find((c) => !task.tried.includes(c.deviceUuid));
  }

  /** One stream to one source for GROUP (all of the same source), in a slot of PRIORITY. */
  private transfer(group: { source: Candidate; task: Task }[], priority: FetchPriority, signal: AbortSignal): Promise<void> {
    return this.slots.run(priority, async () => {
      // Claimed only now: another call may have fetched or be fetching an address meanwhile.
      const claimed: { source: Candidate; task: Task; key: string }[] = [];
      for (const x of group) {
        const key = keyOf(x.task.address);
        const local = this.store.localReady(x.task.address);
        const other = this.running.get(key);
        if (local) x.task.succeed(local, this.store.deviceUuid, 0);
        else if (other) x.task.follow(other);
        else {
          this.running.set(key, x.task.done);
          claimed.push({ ...x, key });
        }
      }
      try {
        if (claimed.length > 0) await this.transferClaimed(claimed, priority, signal);
      } finally {
        for (const c of claimed) if (this.running.get(c.key) === c.task.done) this.running.delete(c.key);
      }
    });
  }

  private async transferClaimed(group: { source: Candidate; task: Task }[], priority: FetchPriority, signal: AbortSignal): Promise<void> {
    const { deviceUuid, peerId } = group[0]!.source;
    const items: BatchItem[] = group.map(({ source, task }) => {
      const expected = { size: source.size, checksum: source.checksum, format: source.format };
      return { address: task.address, expected, offset: this.store.resumeOffset(task.address, expected) };
    });
    const opened = Date.now();
    let firstHeader = 0;
    let stream;
    try {
      stream = await this.link.open(peerId, 'fetch', AbortSignal.any([signal, AbortSignal.timeout(this.stallMs)]));
    } catch (err) {
      this.peerFailed(deviceUuid, `could not open a fetch stream: ${(err as Error).message}`);
      for (const { task } of group) this.triedAndFailed(task, deviceUuid, (err as Error).message, true);
      return;
    }
    const results = await fetchBatch(stream, this.store.libraryId, this.store, items, {
      from: deviceUuid, stallMs: this.stallMs, signal,
      throttle: (bytes, s) => this.limiter.take(bytes, priority, s),
      onHeader: (i) => {
        if (i !== 0) return;
        firstHeader = Date.now();
        this.stats.latency(deviceUuid, firstHeader - opened);
      },
    });
    let bytes = 0;
    let broken: string | undefined;
    results.forEach((r, i) => {
      const { task, source } = group[i]!;
      if (r.ok) {
        bytes += r.bytes;
        task.succeed(r.info.path ?? '', deviceUuid, r.bytes);
      } else if (r.lie) {
        if (r.lie.resumed && !task.againUsed) {
          task.again = source;
        } else {
          this.store.markSuspect(deviceUuid, task.address, source.checksum, r.lie.message);
          this.opts.log?.warn({ device: deviceUuid, address: describe(task.address), reason: r.lie.message }, 'peer entry lied: marked suspect');
          this.triedAndFailed(task, deviceUuid, r.lie.message, false);
        }
        broken = r.lie.message;
      } else if (r.error instanceof VssError && r.error.code === 'ALREADY_EXISTS') {
        const local = this.store.localReady(task.address);
        if (local) task.succeed(local, this.store.deviceUuid, 0);
        else this.triedAndFailed(task, deviceUuid, r.error.message, false);
      } else {
        if (!r.refused) broken = r.error.message;
        this.triedAndFailed(task, deviceUuid, r.error.message, !r.refused);
      }
    });
    if (broken === undefined) this.stats.success(deviceUuid, bytes, Date.now() - (firstHeader || opened));
    else this.peerFailed(deviceUuid, broken);
  }

  private triedAndFailed(task: Task, deviceUuid: string, reason: string, transient: boolean): void {
    if (!task.tried.includes(deviceUuid)) task.tried.push(deviceUuid);
    task.lastError = reason;
    task.lastTransient = transient;
  }

  private peerFailed(deviceUuid: string, reason: string): void {
    this.stats.failure(deviceUuid);
    this.store.countFailure(deviceUuid);
    this.opts.log?.info({ device: deviceUuid, reason }, 'fetch from peer failed');
  }

  /** Connected paired devices that share this library, by device uuid. */
  private peersNow(): Map<string, RemoteDevice> {
    const lib = this.store.libraryId;
    return new Map(this.link.connected().filter((r) => r.libraryIds.includes(lib)).map((r) => [r.deviceUuid, r]));
  }

  private candidates(address: SidecarAddress, peers: Map<string, RemoteDevice>): Candidate[] {
    return this.store.sources(address)
      .filter((e) => peers.has(e.deviceUuid))
      .map((e) => ({ ...e, peerId: peers.get(e.deviceUuid)!.peerId }))
      .sort((a, b) => this.stats.estimateMs(a.deviceUuid, a.size) - this.stats.estimateMs(b.deviceUuid, b.size));
  }
}

function keyOf(a: SidecarAddress): string {
  return `${a.contentUuid}|${a.kind}|${a.variant}`;
}

function reasonOf(signal: AbortSignal): string {
  return signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? 'aborted');
}
