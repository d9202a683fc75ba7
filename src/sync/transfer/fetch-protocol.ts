import type { Stream } from '@libp2p/interface';
import { Uint8ArrayList } from 'uint8arraylist';
import { VssError } from '../../core/errors.js';
import { sidecarAddress, type SidecarAddress } from '../../sidecars/address.js';
import type { SidecarInfo } from '../../sidecars/manager.js';
import type { RateLimiter } from './rate-limiter.js';
import { PeerChannel } from '../messages/channel.js';
import { MAX_BATCH_ITEMS, REASON_CHARS } from '../messages/table.js';
import type { RemoteDevice } from '../peer-link.js';
import { TransferLieError } from './errors.js';
import { describe, RESUMABLE_ABOVE, type ByteSource, type Expected, type StagedFile, type TransferStore } from './store.js';

export { MAX_BATCH_ITEMS };

/*
 * /vss/fetch. The client sends one `request` naming sidecars by address (never a path), each with
 * the size and checksum it expects (the server's own availability entry) and where a resumed
 * transfer starts; the server answers each item in order with `item` — followed by exactly
 * `size - offset` raw bytes — or `refused`, then closes its side. A server whose file changed
 * since its entry says so instead of sending other bytes. (Rows of src/sync/messages/table.ts.)
 */

/**
 * Serve one fetch stream from a paired device: only libraries it shares with us (`remote.libraryIds`),
 * only `ready` sidecars, only by address. Register with the peer node as the `fetch` protocol's handler.
 */
export async function serveFetch(stream: Stream, remote: RemoteDevice, storeOf: (libraryId: string) => TransferStore | undefined, limiter?: RateLimiter): Promise<void> {
  const ch = new PeerChannel(stream, 'fetch');
  const req = (await ch.receive(['fetch.request'], { signal: AbortSignal.timeout(30_000) })).body;
  const store = remote.libraryIds.includes(req.lib) ? storeOf(req.lib) : undefined;
  const refuse = (reason: string) => ch.send('fetch.refused', { reason: reason.slice(0, REASON_CHARS) });
  for (const item of req.items) {
    if (!store) {
      await refuse(`library ${req.lib} is not shared with this device`);
      continue;
    }
    let address: SidecarAddress;
    let served;
    try {
      // A newer peer's kind, variant or format this device cannot name is refused for that item alone.
      address = sidecarAddress(item.c, item.k, item.v, item.f);
      served = store.openForPeer(address);
    } catch (err) {
      await refuse((err as Error).message);
      continue;
    }
    if (served.checksum !== item.x || served.size !== item.s || served.format !== item.f) {
      await refuse(`${describe(address)} changed on this device`);
      continue;
    }
    if (item.o > served.size) {
      await refuse(`offset ${item.o} is past the end of ${describe(address)}`);
      continue;
    }
    await ch.send('fetch.item', { size: served.size, checksum: served.checksum, format: served.format, offset: item.o });
    // A file shorter than recorded throws here: the stream is aborted, as its length can no longer be kept.
    for await (const chunk of served.read(item.o)) {
      // The device's bandwidth holds for what it sends too (DESIGN §9: both directions).
      await limiter?.take(chunk.byteLength, 'job');
      await ch.writeBytes(chunk);
    }
  }
  await ch.close();
}

export interface BatchItem {
  address: SidecarAddress;
  expected: Expected;
  /** Where a resumable partial left off (TransferStore.resumeOffset). */
  offset: number;
}

export type ItemResult =
  | { ok: true; info: SidecarInfo; bytes: number }
  /** `lie`: the bytes or the header were not what the entry announced; `refused`: the server said no. */
  | { ok: false; error: Error; lie?: TransferLieError; refused?: boolean };

export interface BatchOptions {
  /** The device the stream goes to: its counters are kept. */
  from: string;
  /** No byte for this long aborts the batch (a stalled or silent peer). */
  stallMs: number;
  signal?: AbortSignal;
  /** Called with each body chunk's size before the next is read: the bandwidth limit waits here. */
  throttle?: (bytes: number, signal: AbortSignal) => Promise<void>;
  /** Told the moment each item's header arrives (the first one measures latency). */
  onHeader?: (index: number) => void;
}

/** A body is taken off the stream in pieces of at most this: the bandwidth limit and the stream's pause act on each. */
const READ_AT_MOST = 1024 * 1024;

/** Small bodies in memory at once while their files are written and synced (bounds memory to this × 4 MiB). */
const FINISHING_AT_ONCE = 8;

/**
 * Verified small files put in place and recorded together: one folder fsync each, side by side,
 * and one database transaction for them all (instead of one commit per file).
 */
const COMMIT_AT_ONCE = 64;

/**
 * Ask for ITEMS over one fetch stream and receive them in order into STORE. Small bodies are read
 * whole (their size is bounded by the announced one) and written while the next is read; large
 * ones stream to disk. One result per item; a broken stream fails the items it did not reach.
 */
export async function fetchBatch(stream: Stream, libraryId: string, store: TransferStore, items: readonly BatchItem[], opts: BatchOptions): Promise<ItemResult[]> {
  const results: ItemResult[] = new Array(items.length);
  const dog = new Watchdog(opts.stallMs, opts.signal);
  const ch = new PeerChannel(stream, 'fetch');
  const finishing = new Set<Promise<void>>();
  // Small files verified and fsynced, waiting to be put in place and recorded together.
  let staged: { index: number; file: StagedFile }[] = [];
  let committing = Promise.resolve();
  const commitStaged = (): void => {
    const group = staged;
    staged = [];
    if (group.length === 0) return;
    committing = committing.then(async () => {
      const done = await store.commit(group.map((g) => g.file));
      done.forEach((r, k) => {
        const { index, file } = group[k]!;
        results[index] = r.ok ? { ok: true, info: r.info, bytes: file.bytes } : { ok: false, error: r.error };
      });
    });
  };
  let i = 0;
  try {
    await ch.send('fetch.request', {
      lib: libraryId,
      items: items.map((it) => ({ c: it.address.contentUuid, k: it.address.kind, v: it.address.variant, f: it.expected.format, s: it.expected.size, x: it.expected.checksum, o: it.offset })),
    }, dog.signal);
    for (; i < items.length; i++) {
      const item = items[i]!;
      const answer = await ch.receive(['fetch.item', 'fetch.refused'], { signal: dog.signal });
      dog.kick();
      opts.onHeader?.(i);
      if (answer.name === 'fetch.refused') {
        results[i] = { ok: false, error: new VssError('UNAVAILABLE', `peer refused ${describe(item.address)}: ${answer.body.reason.slice(0, REASON_CHARS)}`), refused: true };
        continue;
      }
      const header = answer.body;
      const want = item.expected;
      if (header.size !== want.size || header.checksum !== want.checksum || header.offset !== item.offset || header.format !== want.format) {
        // The body's length is no longer known: nothing further on this stream can be trusted.
        const lie = new TransferLieError('size', item.address, `peer announced ${header.size} bytes ${header.checksum.slice(0, 16)}… where its entry said ${want.size} bytes ${want.checksum.slice(0, 16)}…`, false);
        results[i] = { ok: false, error: lie, lie };
        i++;
        throw lie;
      }
      const body = bodySource(ch, dog, opts.throttle);
      const index = i;
      if (want.size > RESUMABLE_ABOVE) {
        const r = await receiveOne(store, item, body, opts.from);
        results[index] = r;
        // Only a verified or a fully read (lying) body leaves the stream at the next header.
        if (!r.ok && !r.lie) {
          i++;
          throw r.error;
        }
        continue;
      }
      const whole = await readWhole(body, want.size - item.offset);
      while (finishing.size >= FINISHING_AT_ONCE) await Promise.race(finishing);
      const p = stageOne(store, item, whole, opts.from).then((r) => {
        if ('file' in r) {
          staged.push({ index, file: r.file });
          if (staged.length >= COMMIT_AT_ONCE) commitStaged();
        } else results[index] = r;
        finishing.delete(p);
      });
      finishing.add(p);
    }
    await Promise.all(finishing);
    commitStaged();
    await committing;
    await ch.close();
  } catch (err) {
    // What was verified before the stream broke is still put in place and recorded.
    await Promise.all(finishing);
    commitStaged();
    await committing;
    stream.abort(err instanceof Error ? err : new Error(String(err)));
    const cause = dog.stalled ? new VssError('PEER', `peer sent nothing for ${opts.stallMs} ms`, { cause: err }) : asError(err);
    for (; i < items.length; i++) results[i] ??= { ok: false, error: cause };
  } finally {
    dog.stop();
  }
  return results;
}

async function receiveOne(store: TransferStore, item: BatchItem, body: ByteSource, from: string): Promise<ItemResult> {
  try {
    const info = await store.receive(item.address, item.expected, body, { offset: item.offset, from });
    return { ok: true, info, bytes: item.expected.size - item.offset };
  } catch (err) {
    if (err instanceof TransferLieError) return { ok: false, error: err, lie: err };
    return { ok: false, error: asError(err) };
  }
}

async function stageOne(store: TransferStore, item: BatchItem, body: ByteSource, from: string): Promise<ItemResult | { file: StagedFile }> {
  try {
    return { file: await store.stage(item.address, item.expected, body, { offset: item.offset, from }) };
  } catch (err) {
    if (err instanceof TransferLieError) return { ok: false, error: err, lie: err };
    return { ok: false, error: asError(err) };
  }
}

/** The body of the current item, as the receiver pulls it; every byte counts as progress. */
function bodySource(ch: PeerChannel<'fetch'>, dog: Watchdog, throttle: BatchOptions['throttle']): ByteSource {
  return {
    async read(max) {
      const chunk = await ch.readBytes(Math.min(max, READ_AT_MOST), dog.signal);
      if (chunk) {
        dog.kick();
        if (throttle) await throttle(chunk.byteLength, dog.signal);
      }
      return chunk;
    },
  };
}

/** A small body read off the stream whole, then handed to the receiver from memory. */
async function readWhole(body: ByteSource, length: number): Promise<ByteSource> {
  const list = new Uint8ArrayList();
  while (list.byteLength < length) {
    const chunk = await body.read(length - list.byteLength);
    if (chunk === null) break;
    list.append(chunk);
  }
  let done = false;
  return {
    async read() {
      if (done || list.byteLength === 0) return null;
      done = true;
      return list;
    },
  };
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** Aborts its signal when nothing has moved for `ms` (or when the outer signal aborts). */
class Watchdog {
  private readonly ctl = new AbortController();
  private last = Date.now();
  private readonly timer: NodeJS.Timeout;
  stalled = false;
  readonly signal: AbortSignal;

  constructor(private readonly ms: number, outer?: AbortSignal) {
    this.signal = outer ? AbortSignal.any([outer, this.ctl.signal]) : this.ctl.signal;
    this.timer = setInterval(() => {
      if (Date.now() - this.last > this.ms) {
        this.stalled = true;
        this.ctl.abort(new VssError('PEER', `peer sent nothing for ${this.ms} ms`));
      }
    }, Math.max(10, Math.floor(ms / 4)));
    this.timer.unref();
  }

  kick(): void {
    this.last = Date.now();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
