import type { Stream } from '@libp2p/interface';
import { Uint8ArrayList } from 'uint8arraylist';
import { VssError } from '../../core/errors.js';
import { sidecarAddress, type SidecarAddress } from '../../sidecars/address.js';
import type { SidecarInfo } from '../../sidecars/manager.js';
import type { RateLimiter } from './rate-limiter.js';
import { MessageChannel } from '../net/message-channel.js';
import { PROTOCOLS } from '../net/protocols.js';
import type { RemoteDevice } from '../peer-link.js';
import { TransferLieError } from './errors.js';
import { describe, RESUMABLE_ABOVE, type ByteSource, type Expected, type StagedFile, type TransferStore } from './store.js';

/*
 * /vss/fetch/1.0.0. The client sends one request naming sidecars by address (never a path); the
 * server answers each item in order with a header message, followed, when the header says ok, by
 * exactly `size - offset` raw bytes. Then the server closes its side.
 *
 *   request: { lib, items: [{ c: content uuid, k: kind, v: variant, f: format, s: size, x: checksum, o: offset }] }
 *   header:  { ok: true, size, checksum, format, offset } | { ok: false, reason }
 *
 * The client names the size and checksum it expects (from the server's own availability entry):
 * a server whose file changed since says so instead of sending other bytes.
 */

/** Items in one request: its message stays far below the protocol's bound (about 150 bytes an item). */
export const MAX_BATCH_ITEMS = 1000;

interface WireItem { c: string; k: string; v: string; f: string; s: number; x: string; o: number }
interface WireRequest { lib: string; items: WireItem[] }
type WireHeader = { ok: true; size: number; checksum: string; format: string; offset: number } | { ok: false; reason: string };

/**
 * Serve one fetch stream from a paired device: only libraries it shares with us (`remote.libraryIds`),
 * only `ready` sidecars, only by address. Register with the peer service as the `fetch` protocol's handler.
 */
export async function serveFetch(stream: Stream, remote: RemoteDevice, storeOf: (libraryId: string) => TransferStore | undefined, limiter?: RateLimiter): Promise<void> {
  const ch = new MessageChannel(stream, PROTOCOLS.fetch.maxMessageBytes);
  const req = parseRequest(await ch.receive(AbortSignal.timeout(30_000)));
  const store = remote.libraryIds.includes(req.lib) ? storeOf(req.lib) : undefined;
  for (const item of req.items) {
    if (!store) {
      await ch.send({ ok: false, reason: `library ${req.lib} is not shared with this device` } satisfies WireHeader);
      continue;
    }
    let address: SidecarAddress;
    let served;
    try {
      address = sidecarAddress(item.c, item.k, item.v, item.f);
      served = store.openForPeer(address);
    } catch (err) {
      await ch.send({ ok: false, reason: (err as Error).message } satisfies WireHeader);
      continue;
    }
    if (served.checksum !== item.x || served.size !== item.s || served.format !== item.f) {
      await ch.send({ ok: false, reason: `${describe(address)} changed on this device` } satisfies WireHeader);
      continue;
    }
    if (item.o > served.size) {
      await ch.send({ ok: false, reason: `offset ${item.o} is past the end of ${describe(address)}` } satisfies WireHeader);
      continue;
    }
    await ch.send({ ok: true, size: served.size, checksum: served.checksum, format: served.format, offset: item.o } satisfies WireHeader);
    // A file shorter than recorded throws here: the stream is aborted, as its length can no longer be kept.
    for await (const chunk of served.read(item.o)) {
      // The device's bandwidth holds for what it sends too (DESIGN §9: both directions).
      await limiter?.take(chunk.byteLength, 'job');
      await ch.writeBytes(chunk);
    }
  }
  await ch.close();
}

function parseRequest(msg: unknown): WireRequest {
  const m = msg as Partial<WireRequest> | null;
  if (!m || typeof m !== 'object' || typeof m.lib !== 'string' || !Array.isArray(m.items) || m.items.length > MAX_BATCH_ITEMS) {
    throw new VssError('PEER', 'fetch request is malformed');
  }
  for (const it of m.items as Partial<WireItem>[]) {
    const ok = it && typeof it === 'object' && typeof it.c === 'string' && typeof it.k === 'string' && typeof it.v === 'string'
      && typeof it.f === 'string' && typeof it.x === 'string' && Number.isSafeInteger(it.s) && Number.isSafeInteger(it.o) && it.o! >= 0;
    if (!ok) throw new VssError('PEER', 'fetch request has a malformed item');
  }
  return m as WireRequest;
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
  const ch = new MessageChannel(stream, PROTOCOLS.fetch.maxMessageBytes);
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
    await ch.send({
      lib: libraryId,
      items: items.map((it) => ({ c: it.address.contentUuid, k: it.address.kind, v: it.address.variant, f: it.expected.format, s: it.expected.size, x: it.expected.checksum, o: it.offset })),
    } satisfies WireRequest, dog.signal);
    for (; i < items.length; i++) {
      const item = items[i]!;
      const header = parseHeader(await ch.receive(dog.signal));
      dog.kick();
      opts.onHeader?.(i);
      if (!header.ok) {
        results[i] = { ok: false, error: new VssError('UNAVAILABLE', `peer refused ${describe(item.address)}: ${header.reason}`), refused: true };
        continue;
      }
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
function bodySource(ch: MessageChannel, dog: Watchdog, throttle: BatchOptions['throttle']): ByteSource {
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

function parseHeader(msg: unknown): WireHeader {
  const h = msg as Partial<{ ok: boolean; size: number; checksum: string; format: string; offset: number; reason: string }> | null;
  if (h && typeof h === 'object' && h.ok === false) return { ok: false, reason: String(h.reason ?? 'no reason given').slice(0, 500) };
  if (h && typeof h === 'object' && h.ok === true && Number.isSafeInteger(h.size) && typeof h.checksum === 'string'
    && typeof h.format === 'string' && Number.isSafeInteger(h.offset)) {
    return { ok: true, size: h.size!, checksum: h.checksum, format: h.format, offset: h.offset! };
  }
  throw new VssError('PEER', 'peer sent a malformed fetch header');
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
