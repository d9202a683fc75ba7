import type { Stream } from '@libp2p/interface';
import { VssError } from '../../core/errors.js';
import { sidecarAddress } from '../../sidecars/address.js';
import { answerWithin, PeerChannel, UnknownPeerMessage, type MessageIn } from '../messages/channel.js';
import { REASON_CHARS, WHO_HAS_MAX } from '../messages/table.js';
import type { RemoteDevice } from '../peer-link.js';
import { DIGEST_LIMITS, encodeChunk, encodePacked, type AvailabilityEntry, type DecodedChunk } from './codec.js';
import type { Availability, WhoHasQuery } from './availability.js';

/*
 * /vss/availability — one request per stream; its messages are rows of the peer-message table
 * (src/sync/messages/table.ts):
 *   pull     → chunk… end    the puller acks each chunk; the server keeps at most WINDOW unacked
 *   who-has  → has
 *   changed  → ok            (the receiver then pulls)
 * Any refusal is an `error`. A digest chunk's `data` is in its own binary layout (codec.ts).
 */

/**
 * Entries per chunk sent (about 850 KB; the decoder accepts up to DIGEST_LIMITS.chunkEntries) and
 * chunks in flight: the acks keep a fast sender from filling a busy receiver's buffer (the channel
 * pauses the stream above 4 MiB unread), and keep the receiver's memory bounded.
 */
export const PAGE_ENTRIES = 16_384;
const WINDOW = 2;
/** How long a server waits for the request, and a client for each answer. */
const REQUEST_WAIT_MS = 30_000;
const ANSWER_WAIT_MS = 60_000;

export interface ServeOptions {
  /** A peer said its availability changed (the library link pulls from it, one pull at a time per device and library). */
  onChanged?(remote: RemoteDevice, libraryId: string, seq: number): void;
}

/**
 * Serve one availability stream from a paired device. A library the device does not share with
 * this one (RemoteDevice.libraryIds) or that is not open here gets an error, never data; a
 * request of a kind this device does not know (a newer peer's) gets an error that says so.
 */
export async function serveAvailability(
  stream: Stream,
  remote: RemoteDevice,
  storeOf: (libraryId: string) => Availability | undefined,
  opts: ServeOptions = {},
): Promise<void> {
  const ch = new PeerChannel(stream, 'availability');
  const refuse = (reason: string) => ch.send('availability.error', { reason: reason.slice(0, REASON_CHARS) });
  try {
    let req;
    try {
      req = await ch.receive(['availability.pull', 'availability.who-has', 'availability.changed'], { signal: AbortSignal.timeout(REQUEST_WAIT_MS) });
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
    switch (req.name) {
      case 'availability.pull':
        await servePull(ch, store, req.body);
        return;
      case 'availability.who-has':
        await serveWhoHas(ch, store, req.body);
        return;
      case 'availability.changed':
        await ch.send('availability.ok', {});
        opts.onChanged?.(remote, store.libraryId, req.body.seq);
        return;
    }
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

async function servePull(ch: PeerChannel<'availability'>, store: Availability, req: MessageIn<'availability.pull'>): Promise<void> {
  const set = store.changesSince(req.seq ?? 0, req.epoch ?? null, PAGE_ENTRIES);
  const header = { libraryId: store.libraryId, deviceUuid: store.deviceUuid, epoch: set.epoch, fromSeq: set.fromSeq, toSeq: set.toSeq, full: set.full };
  let chunks = 0;
  let acked = 0;
  let entries = 0;
  for (const page of set.packed()) {
    for (; chunks - acked >= WINDOW; acked++) await receiveAck(ch);
    await ch.send('availability.chunk', { data: encodePacked(header, page.text, page.count) });
    chunks++;
    entries += page.count;
  }
  for (; acked < chunks; acked++) await receiveAck(ch);
  await ch.send('availability.end', { chunks, entries, to_seq: set.toSeq });
}

async function receiveAck(ch: PeerChannel<'availability'>): Promise<void> {
  await ch.receive(['availability.ack'], { signal: AbortSignal.timeout(ANSWER_WAIT_MS), unknown: 'skip' });
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

/**
 * Ask REMOTE what changed in LIBRARY_ID since this device last heard, check every chunk, and
 * apply the whole digest in one transaction. A digest that is cut short, garbled, too large,
 * or about another device or library is refused (VssError PEER) and changes nothing.
 */
export async function pullAvailability(stream: Stream, store: Availability, remote: RemoteDevice, libraryId: string, opts: { signal?: AbortSignal } = {}): Promise<PullResult> {
  const started = performance.now();
  if (libraryId !== store.libraryId) throw new VssError('USAGE', `the store is of library ${store.libraryId}, not ${libraryId}`);
  const known = store.peerState(remote.deviceUuid);
  const ch = new PeerChannel(stream, 'availability');
  const chunks: DecodedChunk[] = [];
  try {
    await ch.send('availability.pull', { library_id: libraryId, epoch: known?.epoch ?? null, seq: known?.seq ?? 0 }, opts.signal);
    let entries = 0;
    let skipped = 0;
    let bytes = 0;
    for (;;) {
      const msg = await ch.receive(['availability.chunk', 'availability.end', 'availability.error'], { signal: answerSignal(opts.signal), unknown: 'skip' });
      if (msg.name === 'availability.error') throw new VssError('PEER', `${remote.name} refused the availability pull: ${msg.body.reason.slice(0, REASON_CHARS)}`);
      if (msg.name === 'availability.end') {
        const end = msg.body;
        const last = chunks[0];
        if (last === undefined) throw new VssError('PEER', 'availability digest ended without a chunk');
        if (end.chunks !== chunks.length || end.entries !== entries || end.to_seq !== last.toSeq) {
          throw new VssError('PEER', `availability digest ended saying ${end.chunks} chunks, ${end.entries} entries, seq ${end.to_seq}; it sent ${chunks.length}, ${entries}, seq ${last.toSeq}`);
        }
        break;
      }
      const chunk = msg.body.data;
      bytes += chunk.byteLength;
      if (bytes > DIGEST_LIMITS.exchangeBytes) throw new VssError('PEER', `availability digest is larger than ${DIGEST_LIMITS.exchangeBytes} bytes`);
      checkChunk(chunk, chunks[0], { libraryId, remote, askedSeq: known?.seq ?? 0 });
      entries += chunk.count;
      skipped += chunk.skipped;
      if (entries > DIGEST_LIMITS.exchangeEntries) throw new VssError('PEER', `availability digest holds more than ${DIGEST_LIMITS.exchangeEntries} entries`);
      chunks.push(chunk);
      await ch.send('availability.ack', {}, opts.signal);
    }
    const head = chunks[0]!;
    const applied = store.applyFromPeer(remote.deviceUuid, {
      epoch: head.epoch, fromSeq: head.fromSeq, toSeq: head.toSeq, full: head.full, decoded: chunks,
    });
    return { full: head.full, entries: applied.entries, skipped, toSeq: head.toSeq, ms: performance.now() - started };
  } finally {
    await ch.close();
  }
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

/** Tell REMOTE that this device's availability of LIBRARY_ID changed up to SEQ (it pulls then). */
export async function notifyChanged(stream: Stream, remote: RemoteDevice, libraryId: string, seq: number, opts: { signal?: AbortSignal } = {}): Promise<void> {
  const ch = new PeerChannel(stream, 'availability');
  try {
    await ch.send('availability.changed', { library_id: libraryId, seq }, opts.signal);
    const msg = await ch.receive(['availability.ok', 'availability.error'], { signal: answerSignal(opts.signal), unknown: 'skip' });
    if (msg.name === 'availability.error') throw new VssError('PEER', `${remote.name} refused the change notice: ${msg.body.reason.slice(0, REASON_CHARS)}`);
  } finally {
    await ch.close();
  }
}

/** Every chunk of one digest must be from REMOTE, of LIBRARY_ID, and agree with the first on what it covers. */
function checkChunk(c: DecodedChunk, first: DecodedChunk | undefined, want: { libraryId: string; remote: RemoteDevice; askedSeq: number }): void {
  if (c.libraryId !== want.libraryId) throw new VssError('PEER', `availability digest is of library ${c.libraryId}, not ${want.libraryId}`);
  if (c.deviceUuid !== want.remote.deviceUuid) throw new VssError('PEER', `availability digest from ${want.remote.deviceUuid} speaks for device ${c.deviceUuid}`);
  if (!c.full && c.fromSeq !== want.askedSeq) throw new VssError('PEER', `availability delta starts at seq ${c.fromSeq}, asked from ${want.askedSeq}`);
  if (first && (c.epoch !== first.epoch || c.fromSeq !== first.fromSeq || c.toSeq !== first.toSeq || c.full !== first.full)) {
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
