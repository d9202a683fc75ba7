import type { Stream } from '@libp2p/interface';
import { VssError } from '../../core/errors.js';
import { sidecarAddress } from '../../sidecars/address.js';
import { answerWithin, PeerChannel, UnknownPeerMessage, type MessageIn } from '../messages/channel.js';
import { REASON_CHARS, WHO_HAS_MAX } from '../messages/table.js';
import type { RemoteDevice } from '../peer-link.js';
import { notifyFeed, pullFeed, serveFeed, type ServeFeedOptions } from '../feeds/engine.js';
import type { Feed, FeedPull, FeedSink, FeedSource } from '../feeds/feed.js';
import { DIGEST_LIMITS, encodeChunk, encodePacked, type AvailabilityEntry, type DecodedChunk } from './codec.js';
import type { Availability, WhoHasQuery } from './availability.js';

/*
 * /vss/availability — "who has X?", one request per stream; its messages are rows of the
 * peer-message table (src/sync/messages/table.ts):
 *   who-has  → has
 * Any refusal is an `error`. What changed since a cursor is the availability feed, carried by the
 * feed engine (src/sync/feeds/): a head, then the digest in chunks, each in its own binary layout
 * (codec.ts), taken whole at the end.
 */

/**
 * Entries per chunk sent (about 850 KB; the decoder accepts up to DIGEST_LIMITS.chunkEntries) and
 * chunks in flight: the acks keep a fast sender from filling a busy receiver's buffer (the channel
 * pauses the stream above 4 MiB unread), and keep the receiver's memory bounded.
 */
export const PAGE_ENTRIES = 16_384;
/** Chunks in flight: the acks keep a fast sender from filling a busy receiver's buffer. */
export const availabilityFeed: Feed<'availability'> = { name: 'availability', window: 2 };
/** How long a server waits for the request, and a client for each answer. */
const REQUEST_WAIT_MS = 30_000;
const ANSWER_WAIT_MS = 60_000;

/**
 * Serve one "who has?" stream from a paired device. A library the device does not share with
 * this one (RemoteDevice.libraryIds) or that is not open here gets an error, never data; a
 * request of a kind this device does not know (a newer peer's) gets an error that says so.
 */
export async function serveAvailability(
  stream: Stream,
  remote: RemoteDevice,
  storeOf: (libraryId: string) => Availability | undefined,
): Promise<void> {
  const ch = new PeerChannel(stream, 'availability');
  const refuse = (reason: string) => ch.send('availability.error', { reason: reason.slice(0, REASON_CHARS) });
  try {
    let req;
    try {
      req = await ch.receive(['availability.who-has'], { signal: AbortSignal.timeout(REQUEST_WAIT_MS) });
    } catch (err) {
      if (!(err instanceof UnknownPeerMessage)) throw err;
      await refuse(`unknown availability request ${JSON.stringify(err.kind).slice(0, 60)}`);
      return;
    }
    const libraryId = req.body.library_id;
    const store = remote.libraryIds.includes(libraryId) ? storeOf(libraryId) : undefined;
    if (store === undefined) {
      await refuse(`library ${libraryId.slice(0, 64)} is not shared with this device`);
      return;
    }
    await serveWhoHas(ch, store, req.body);
  } catch (err) {
    if (err instanceof VssError && err.code === 'PEER') {
      await refuse(err.message).catch(() => undefined);
      return;
    }
    throw err;
  } finally {
    await ch.close();
  }
}

async function serveWhoHas(ch: PeerChannel<'availability'>, store: Availability, req: MessageIn<'availability.who-has'>): Promise<void> {
  const found = store.whoHas(nameable(req.addresses));
  const seq = store.seq();
  const header = { libraryId: store.libraryId, deviceUuid: store.deviceUuid, epoch: store.epoch(), fromSeq: seq, toSeq: seq, full: false };
  await ch.send('availability.has', { data: encodeChunk(header, found) });
}

export interface PullResult {
  full: boolean;
  /** Entries the digest carried that this device took. */
  entries: number;
  /** Entries of sidecars this device cannot name (a newer peer's), left out. */
  skipped: number;
  toSeq: number;
  /** From the request to the digest applied. */
  ms: number;
}

/** This device's availability of a library (STORE), as a peer asks for it: the full set or a delta, in chunks. */
export function availabilitySource(store: Availability): FeedSource<'availability'> {
  return {
    changesSince(cursor) {
      const set = store.changesSince(cursor.seq, cursor.epoch, PAGE_ENTRIES);
      const header = { libraryId: store.libraryId, deviceUuid: store.deviceUuid, epoch: set.epoch, fromSeq: set.fromSeq, toSeq: set.toSeq, full: set.full };
      return {
        head: { epoch: set.epoch, full: set.full, from_seq: set.fromSeq, to_seq: set.toSeq },
        *pages() {
          for (const page of set.packed()) yield { page: { data: encodePacked(header, page.text, page.count) }, items: page.count };
        },
        toSeq: () => set.toSeq,
      };
    },
  };
}

type Pulled = Omit<PullResult, 'ms'>;

/**
 * What REMOTE's availability of LIBRARY_ID changed since this device last heard, into STORE: every
 * chunk checked as it comes, the whole digest applied in one transaction at the end. A digest
 * that is cut short, garbled, too large, or about another device or library is refused (VssError
 * PEER) and changes nothing.
 */
export function availabilitySink(store: Availability, remote: RemoteDevice, libraryId: string): FeedSink<'availability', Pulled> {
  if (libraryId !== store.libraryId) throw new VssError('USAGE', `the store is of library ${store.libraryId}, not ${libraryId}`);
  return {
    cursor: () => {
      const known = store.peerState(remote.deviceUuid);
      return { epoch: known?.epoch ?? null, seq: known?.seq ?? 0 };
    },
    begin(head, asked): FeedPull<'availability', Pulled> {
      if (!head.full && head.from_seq !== asked.seq) throw new VssError('PEER', `availability delta starts at seq ${head.from_seq}, asked from ${asked.seq}`);
      const chunks: DecodedChunk[] = [];
      let entries = 0;
      let skipped = 0;
      let bytes = 0;
      return {
        apply(page) {
          const chunk = page.data;
          bytes += chunk.byteLength;
          if (bytes > DIGEST_LIMITS.exchangeBytes) throw new VssError('PEER', `availability digest is larger than ${DIGEST_LIMITS.exchangeBytes} bytes`);
          checkChunk(chunk, head, { libraryId, remote, askedSeq: asked.seq });
          entries += chunk.count;
          skipped += chunk.skipped;
          if (entries > DIGEST_LIMITS.exchangeEntries) throw new VssError('PEER', `availability digest holds more than ${DIGEST_LIMITS.exchangeEntries} entries`);
          chunks.push(chunk);
          return chunk.count;
        },
        end(end) {
          if (chunks.length === 0) throw new VssError('PEER', 'availability digest ended without a chunk');
          if (end.to_seq !== head.to_seq) throw new VssError('PEER', `availability digest ended saying seq ${end.to_seq}; it sent seq ${head.to_seq}`);
          const applied = store.applyFromPeer(remote.deviceUuid, { epoch: head.epoch, fromSeq: head.from_seq, toSeq: head.to_seq, full: head.full, decoded: chunks });
          return { full: head.full, entries: applied.entries, skipped, toSeq: head.to_seq };
        },
      };
    },
  };
}

/** Serve one feed stream of availability only (tests; the daemon serves every feed with serveFeeds). */
export function serveAvailabilityFeed(stream: Stream, remote: RemoteDevice, storeOf: (libraryId: string) => Availability | undefined, opts: ServeFeedOptions = {}): Promise<void> {
  return serveFeed(stream, remote, {
    feed: (name) => (name === 'availability' ? availabilityFeed : undefined),
    source: (libraryId, name) => {
      const store = name === 'availability' ? storeOf(libraryId) : undefined;
      return store && availabilitySource(store);
    },
  }, opts);
}

/** Ask REMOTE (over the feed stream STREAM) what changed in LIBRARY_ID since this device last heard (see availabilitySink). */
export async function pullAvailability(stream: Stream, store: Availability, remote: RemoteDevice, libraryId: string, opts: { signal?: AbortSignal } = {}): Promise<PullResult> {
  const started = performance.now();
  const sink = availabilitySink(store, remote, libraryId);
  const got = await pullFeed(stream, 'availability', libraryId, sink, remote, opts);
  return { full: got.full, entries: got.entries, skipped: got.skipped, toSeq: got.toSeq, ms: performance.now() - started };
}

/**
 * Ask REMOTE which of ADDRESSES (at most WHO_HAS_MAX) it has ready now. Only entries that were
 * asked for are believed; they are hearsay like any digest (the transfer verifies the bytes).
 */
export async function askWhoHas(stream: Stream, remote: RemoteDevice, libraryId: string, addresses: readonly WhoHasQuery[], opts: { signal?: AbortSignal } = {}): Promise<AvailabilityEntry[]> {
  if (addresses.length > WHO_HAS_MAX) throw new VssError('USAGE', `ask for at most ${WHO_HAS_MAX} sidecars at once, not ${addresses.length}`);
  const ch = new PeerChannel(stream, 'availability');
  try {
    await ch.send('availability.who-has', { library_id: libraryId, addresses: addresses.map((a) => [a.contentUuid, a.kind, a.variant]) }, opts.signal);
    const msg = await ch.receive(['availability.has', 'availability.error'], { signal: answerSignal(opts.signal), unknown: 'skip' });
    if (msg.name === 'availability.error') throw new VssError('PEER', `${remote.name} refused the question: ${msg.body.reason.slice(0, REASON_CHARS)}`);
    const chunk = msg.body.data;
    if (chunk.libraryId !== libraryId || chunk.deviceUuid !== remote.deviceUuid) throw new VssError('PEER', '"who has" was answered for another library or device');
    const wanted = new Set(addresses.map((a) => `${a.contentUuid}|${a.kind}|${a.variant}`));
    const out: AvailabilityEntry[] = [];
    for (const e of chunk.entries()) {
      if (!e.has || !wanted.delete(`${e.contentUuid}|${e.kind}|${e.variant}`)) throw new VssError('PEER', `"who has" answered with ${e.kind}/${e.variant} of ${e.contentUuid}, which was not asked or came twice`);
      out.push(e);
    }
    return out;
  } finally {
    await ch.close();
  }
}

/** Tell REMOTE (over the feed stream STREAM) that this device's availability of LIBRARY_ID changed up to SEQ (it pulls then). */
export function notifyChanged(stream: Stream, remote: RemoteDevice, libraryId: string, seq: number, opts: { signal?: AbortSignal } = {}): Promise<void> {
  return notifyFeed(stream, 'availability', remote, libraryId, seq, opts);
}

/** Every chunk of one digest must be from REMOTE, of LIBRARY_ID, and agree with the head on what it covers. */
function checkChunk(c: DecodedChunk, head: MessageIn<'feed.availability.head'>, want: { libraryId: string; remote: RemoteDevice; askedSeq: number }): void {
  if (c.libraryId !== want.libraryId) throw new VssError('PEER', `availability digest is of library ${c.libraryId}, not ${want.libraryId}`);
  if (c.deviceUuid !== want.remote.deviceUuid) throw new VssError('PEER', `availability digest from ${want.remote.deviceUuid} speaks for device ${c.deviceUuid}`);
  if (!c.full && c.fromSeq !== want.askedSeq) throw new VssError('PEER', `availability delta starts at seq ${c.fromSeq}, asked from ${want.askedSeq}`);
  if (c.epoch !== head.epoch || c.fromSeq !== head.from_seq || c.toSeq !== head.to_seq || c.full !== head.full) {
    throw new VssError('PEER', 'availability digest chunks disagree on what they cover');
  }
}

/**
 * The addresses of a "who has" question this device can name (the kinds table and the variant
 * grammar, as for any address: nothing unchecked reaches a query). One it cannot name is a newer
 * peer's sidecar, which this device cannot have: left out, not refused.
 */
function nameable(addresses: ReadonlyArray<readonly [string, string, string]>): WhoHasQuery[] {
  return addresses.flatMap(([contentUuid, kind, variant]) => {
    try {
      const a = sidecarAddress(contentUuid, kind, variant);
      return [{ contentUuid: a.contentUuid, kind: a.kind, variant: a.variant }];
    } catch {
      return [];
    }
  });
}

function answerSignal(signal: AbortSignal | undefined): AbortSignal {
  return answerWithin(ANSWER_WAIT_MS, signal);
}
