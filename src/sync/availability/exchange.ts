import type { Stream } from '@libp2p/interface';
import { VssError } from '../../core/errors.js';
import { UUID_RE, sidecarAddress } from '../../sidecars/address.js';
import { MessageChannel } from '../net/message-channel.js';
import { PROTOCOLS } from '../net/protocols.js';
import type { RemoteDevice } from '../peer-link.js';
import { DIGEST_LIMITS, decodeChunk, encodeChunk, encodePacked, type AvailabilityEntry, type DecodedChunk } from './codec.js';
import { WHO_HAS_MAX, type Availability, type WhoHasQuery } from './availability.js';

/*
 * /vss/availability/1.0.0 — one request per stream, MessagePack messages (bounded by PROTOCOLS):
 *   pull     {t: 'pull', library_id, epoch, seq}      → {t: 'chunk', data}… {t: 'end', chunks, entries, to_seq}
 *            the puller answers each chunk with {t: 'ack'}; the server keeps at most WINDOW chunks unanswered
 *   who-has  {t: 'who-has', library_id, addresses}    → {t: 'has', data}
 *   changed  {t: 'changed', library_id, seq}          → {t: 'ok'}   (the receiver then pulls)
 * Any refusal is {t: 'error', reason}. `data` is a binary digest chunk (codec.ts).
 */

const MAX_BYTES = PROTOCOLS.availability.maxMessageBytes;
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
  /** A peer said its availability changed (the peer service pulls from it, one pull at a time per device and library). */
  onChanged?(remote: RemoteDevice, libraryId: string, seq: number): void;
}

/**
 * Serve one availability stream from a paired device. A library the device does not share with
 * this one (RemoteDevice.libraryIds) or that is not open here gets an error, never data.
 */
export async function serveAvailability(
  stream: Stream,
  remote: RemoteDevice,
  storeOf: (libraryId: string) => Availability | undefined,
  opts: ServeOptions = {},
): Promise<void> {
  const ch = new MessageChannel(stream, MAX_BYTES);
  try {
    const req = asRecord(await ch.receive(AbortSignal.timeout(REQUEST_WAIT_MS)));
    const libraryId = req.library_id;
    const store = typeof libraryId === 'string' && remote.libraryIds.includes(libraryId) ? storeOf(libraryId) : undefined;
    if (store === undefined) {
      await ch.send({ t: 'error', reason: `library ${String(libraryId)} is not shared with this device` });
      return;
    }
    switch (req.t) {
      case 'pull':
        await servePull(ch, store, req);
        return;
      case 'who-has':
        await serveWhoHas(ch, store, req);
        return;
      case 'changed': {
        if (!Number.isSafeInteger(req.seq) || (req.seq as number) < 0) {
          await ch.send({ t: 'error', reason: 'a change notice needs a seq' });
          return;
        }
        await ch.send({ t: 'ok' });
        opts.onChanged?.(remote, store.libraryId, req.seq as number);
        return;
      }
      default:
        await ch.send({ t: 'error', reason: `unknown availability request ${JSON.stringify(req.t)}` });
    }
  } catch (err) {
    if (err instanceof VssError && err.code === 'PEER') {
      await ch.send({ t: 'error', reason: err.message }).catch(() => undefined);
      return;
    }
    throw err;
  } finally {
    await ch.close();
  }
}

async function servePull(ch: MessageChannel, store: Availability, req: Record<string, unknown>): Promise<void> {
  const seq = Number.isSafeInteger(req.seq) ? (req.seq as number) : 0;
  const epoch = typeof req.epoch === 'string' ? req.epoch : null;
  const set = store.changesSince(seq, epoch, PAGE_ENTRIES);
  const header = { libraryId: store.libraryId, deviceUuid: store.deviceUuid, epoch: set.epoch, fromSeq: set.fromSeq, toSeq: set.toSeq, full: set.full };
  let chunks = 0;
  let acked = 0;
  let entries = 0;
  for (const page of set.packed()) {
    for (; chunks - acked >= WINDOW; acked++) await receiveAck(ch);
    await ch.send({ t: 'chunk', data: encodePacked(header, page.text, page.count) });
    chunks++;
    entries += page.count;
  }
  for (; acked < chunks; acked++) await receiveAck(ch);
  await ch.send({ t: 'end', chunks, entries, to_seq: set.toSeq });
}

async function receiveAck(ch: MessageChannel): Promise<void> {
  const msg = asRecord(await ch.receive(AbortSignal.timeout(ANSWER_WAIT_MS)));
  if (msg.t !== 'ack') throw new VssError('PEER', `expected an ack of a digest chunk, got ${JSON.stringify(msg.t)}`);
}

async function serveWhoHas(ch: MessageChannel, store: Availability, req: Record<string, unknown>): Promise<void> {
  const asked = parseAddresses(req.addresses);
  const found = store.whoHas(asked);
  const seq = store.seq();
  const header = { libraryId: store.libraryId, deviceUuid: store.deviceUuid, epoch: store.epoch(), fromSeq: seq, toSeq: seq, full: false };
  await ch.send({ t: 'has', data: encodeChunk(header, found) });
}

export interface PullResult {
  full: boolean;
  /** Entries the digest carried. */
  entries: number;
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
  const ch = new MessageChannel(stream, MAX_BYTES);
  const chunks: DecodedChunk[] = [];
  try {
    await ch.send({ t: 'pull', library_id: libraryId, epoch: known?.epoch ?? null, seq: known?.seq ?? 0 }, opts.signal);
    let entries = 0;
    let bytes = 0;
    for (;;) {
      const msg = asRecord(await ch.receive(answerSignal(opts.signal)));
      if (msg.t === 'error') throw new VssError('PEER', `${remote.name} refused the availability pull: ${String(msg.reason)}`);
      if (msg.t === 'end') {
        const last = chunks[0];
        if (last === undefined) throw new VssError('PEER', 'availability digest ended without a chunk');
        if (msg.chunks !== chunks.length || msg.entries !== entries || msg.to_seq !== last.toSeq) {
          throw new VssError('PEER', `availability digest ended saying ${String(msg.chunks)} chunks, ${String(msg.entries)} entries, seq ${String(msg.to_seq)}; it sent ${chunks.length}, ${entries}, seq ${last.toSeq}`);
        }
        break;
      }
      if (msg.t !== 'chunk' || !(msg.data instanceof Uint8Array)) throw new VssError('PEER', `availability digest has an unexpected ${JSON.stringify(msg.t)} message`);
      bytes += msg.data.byteLength;
      if (bytes > DIGEST_LIMITS.exchangeBytes) throw new VssError('PEER', `availability digest is larger than ${DIGEST_LIMITS.exchangeBytes} bytes`);
      const chunk = decodeChunk(msg.data);
      checkChunk(chunk, chunks[0], { libraryId, remote, askedSeq: known?.seq ?? 0 });
      entries += chunk.count;
      if (entries > DIGEST_LIMITS.exchangeEntries) throw new VssError('PEER', `availability digest holds more than ${DIGEST_LIMITS.exchangeEntries} entries`);
      chunks.push(chunk);
      await ch.send({ t: 'ack' }, opts.signal);
    }
    const head = chunks[0]!;
    const applied = store.applyFromPeer(remote.deviceUuid, {
      epoch: head.epoch, fromSeq: head.fromSeq, toSeq: head.toSeq, full: head.full, decoded: chunks,
    });
    return { full: head.full, entries: applied.entries, toSeq: head.toSeq, ms: performance.now() - started };
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
  const ch = new MessageChannel(stream, MAX_BYTES);
  try {
    await ch.send({ t: 'who-has', library_id: libraryId, addresses: addresses.map((a) => [a.contentUuid, a.kind, a.variant]) }, opts.signal);
    const msg = asRecord(await ch.receive(answerSignal(opts.signal)));
    if (msg.t === 'error') throw new VssError('PEER', `${remote.name} refused the question: ${String(msg.reason)}`);
    if (msg.t !== 'has' || !(msg.data instanceof Uint8Array)) throw new VssError('PEER', `"who has" got an unexpected ${JSON.stringify(msg.t)} answer`);
    const chunk = decodeChunk(msg.data);
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
  const ch = new MessageChannel(stream, MAX_BYTES);
  try {
    await ch.send({ t: 'changed', library_id: libraryId, seq }, opts.signal);
    const msg = asRecord(await ch.receive(answerSignal(opts.signal)));
    if (msg.t === 'error') throw new VssError('PEER', `${remote.name} refused the change notice: ${String(msg.reason)}`);
    if (msg.t !== 'ok') throw new VssError('PEER', `a change notice got an unexpected ${JSON.stringify(msg.t)} answer`);
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

function parseAddresses(value: unknown): WhoHasQuery[] {
  if (!Array.isArray(value)) throw new VssError('PEER', '"who has" needs a list of addresses');
  if (value.length > WHO_HAS_MAX) throw new VssError('PEER', `"who has" asks for ${value.length} sidecars, more than ${WHO_HAS_MAX}`);
  return value.map((a: unknown) => {
    if (!Array.isArray(a) || a.length !== 3 || !a.every((x) => typeof x === 'string') || !UUID_RE.test(a[0] as string)) {
      throw new VssError('PEER', '"who has" addresses are [content uuid, kind, variant]');
    }
    try {
      // The kinds table and the variant grammar, as for any address: nothing unchecked reaches a query.
      const checked = sidecarAddress(a[0] as string, a[1] as string, a[2] as string);
      return { contentUuid: checked.contentUuid, kind: checked.kind, variant: checked.variant };
    } catch (err) {
      throw new VssError('PEER', `"who has" names no sidecar: ${(err as Error).message}`);
    }
  });
}

function asRecord(msg: unknown): Record<string, unknown> {
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) throw new VssError('PEER', 'peer sent an availability message that is not a map');
  return msg as Record<string, unknown>;
}

function answerSignal(signal: AbortSignal | undefined): AbortSignal {
  const wait = AbortSignal.timeout(ANSWER_WAIT_MS);
  return signal ? AbortSignal.any([signal, wait]) : wait;
}
