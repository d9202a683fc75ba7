import type { Stream } from '@libp2p/interface';
import { VssError } from '../../core/errors.js';
import type { Library } from '../../library/library.js';
import { SharedData } from '../../tags/shared-data.js';
import { fullStateOps, pruneSharedLog } from '../../tags/shared-log.js';
import { Availability } from '../availability/availability.js';
import { answerWithin, PeerChannel, UnknownPeerMessage } from '../messages/channel.js';
import { REASON_CHARS, SHARED_OP_CHARS, SHARED_PAGE_OPS } from '../messages/table.js';
import type { RemoteDevice } from '../peer-link.js';

/*
 * /vss/shared — one request per stream; its messages are rows of the peer-message table:
 *   pull     → page… end   the puller acks each page
 *   changed  → ok          (the receiver then pulls)
 * Any refusal is an `error`. What travels is the sender's log of operations on shared data,
 * its own and those it took in from others (DESIGN §15: any member may change shared data, so a
 * device that met only one member still gets every member's changes).
 */

const REQUEST_WAIT_MS = 30_000;
const ANSWER_WAIT_MS = 60_000;
/** A puller merges pages in one transaction until they hold this many operations (a few pages). */
const MERGE_OPS = 16_384;
/** A page's operations stop growing past this many characters (the frame's bound is 2 MiB). */
const PAGE_CHARS = 1024 * 1024;

export interface ServeSharedOptions {
  /** A peer said its log grew (the library link pulls from it). */
  onChanged?(remote: RemoteDevice, libraryId: string): void;
}

/** Serve one shared-data stream from a paired device: this device's log of a library the two share. */
export async function serveShared(stream: Stream, remote: RemoteDevice, libOf: (libraryId: string) => Library | undefined, opts: ServeSharedOptions = {}): Promise<void> {
  const ch = new PeerChannel(stream, 'shared');
  const refuse = (reason: string) => ch.send('shared.error', { reason: reason.slice(0, REASON_CHARS) });
  try {
    let req;
    try {
      req = await ch.receive(['shared.pull', 'shared.changed'], { signal: AbortSignal.timeout(REQUEST_WAIT_MS) });
    } catch (err) {
      if (!(err instanceof UnknownPeerMessage)) throw err;
      await refuse(`unknown shared-data request ${JSON.stringify(err.kind).slice(0, 60)}`);
      return;
    }
    const libraryId = req.body.library_id;
    const lib = remote.libraryIds.includes(libraryId) ? libOf(libraryId) : undefined;
    if (lib === undefined) {
      await refuse(`library ${libraryId.slice(0, 64)} is not shared with this device`);
      return;
    }
    if (req.name === 'shared.changed') {
      await ch.send('shared.ok', {});
      opts.onChanged?.(remote, libraryId);
      return;
    }
    const epoch = new Availability(lib).epoch();
    const asked = req.body.epoch === epoch ? (req.body.seq ?? 0) : 0;
    // Its pull says how far it has read this log: what every member has read is pruned.
    if (req.body.epoch === epoch) lib.store.sharedAcks.set(remote.deviceUuid, asked);
    pruneSharedLog(lib);
    const head = lib.store.sharedOps.head();
    const oldest = lib.store.sharedOps.oldest();
    let seq = asked;
    let pages = 0;
    const send = async (ops: string[], at: number) => {
      await ch.send('shared.page', { epoch, seq: at, ops });
      pages++;
      await ch.receive(['shared.ack'], { signal: AbortSignal.timeout(ANSWER_WAIT_MS), unknown: 'skip' });
    };
    if (asked < head && (oldest === undefined || oldest > asked + 1)) {
      // What it has not read was pruned: the whole state instead, its cursor moving only at the end.
      let ops: string[] = [];
      let chars = 0;
      for (const op of fullStateOps(lib)) {
        const text = JSON.stringify(op);
        if (text.length > SHARED_OP_CHARS) continue;
        if (ops.length >= SHARED_PAGE_OPS || (ops.length > 0 && chars + text.length > PAGE_CHARS)) {
          await send(ops, asked);
          ops = [];
          chars = 0;
        }
        ops.push(text);
        chars += text.length;
      }
      if (ops.length > 0) await send(ops, asked);
      seq = head;
    }
    while (seq < head) {
      const rows = lib.store.sharedOps.since(seq, SHARED_PAGE_OPS);
      if (rows.length === 0) break;
      const ops: string[] = [];
      let chars = 0;
      for (const r of rows) {
        if (ops.length > 0 && chars + r.op.length > PAGE_CHARS) break;
        seq = r.seq;
        // An operation this device logged is at most a note's size; anything larger is not sent.
        if (r.op.length > SHARED_OP_CHARS) continue;
        ops.push(r.op);
        chars += r.op.length;
      }
      await send(ops, seq);
    }
    seq = Math.max(seq, head);
    await ch.send('shared.end', { epoch, seq, pages });
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

export interface SharedPullResult {
  pages: number;
  applied: number;
  known: number;
  refused: number;
}

/**
 * Pull REMOTE's log of LIBRARY's shared data from where this device stopped: each page's
 * operations checked and merged (each once, in any order), then the cursor moved. A pull cut off
 * goes on from the last page taken in; operations that came twice change nothing.
 * Each page is acked as it arrives, so the sender reads its next page while this one is merged;
 * pages are merged a few at a time (up to MERGE_OPS operations) in one transaction with the cursor.
 */
export async function pullShared(stream: Stream, lib: Library, remote: RemoteDevice, opts: { signal?: AbortSignal } = {}): Promise<SharedPullResult> {
  const cursors = lib.store.sharedCursors;
  const at = cursors.get(remote.deviceUuid);
  const shared = new SharedData(lib);
  const ch = new PeerChannel(stream, 'shared');
  const out: SharedPullResult = { pages: 0, applied: 0, known: 0, refused: 0 };
  let pages: unknown[][] = [];
  let waiting = 0;
  let upTo: { epoch: string; seq: number } | undefined;
  const merge = () => {
    if (upTo === undefined) return;
    const { epoch, seq } = upTo;
    const got = shared.receiveBatches(pages, remote.deviceUuid, () => cursors.set(remote.deviceUuid, epoch, seq));
    out.applied += got.applied;
    out.known += got.known;
    out.refused += got.refused.length;
    pages = [];
    waiting = 0;
    upTo = undefined;
  };
  try {
    await ch.send('shared.pull', { library_id: lib.config.id, epoch: at?.epoch ?? null, seq: at?.seq ?? 0 }, opts.signal);
    for (;;) {
      const msg = await ch.receive(['shared.page', 'shared.end', 'shared.error'], { signal: answerWithin(ANSWER_WAIT_MS, opts.signal), unknown: 'skip' });
      if (msg.name === 'shared.error') {
        merge();
        throw new VssError('PEER', `${remote.name} refused the shared-data pull: ${msg.body.reason.slice(0, REASON_CHARS)}`);
      }
      if (msg.name === 'shared.end') {
        merge();
        if (msg.body.pages !== out.pages) throw new VssError('PEER', `shared-data pull ended saying ${msg.body.pages} pages; it sent ${out.pages}`);
        cursors.set(remote.deviceUuid, msg.body.epoch, msg.body.seq);
        return out;
      }
      const ops: unknown[] = [];
      for (const text of msg.body.ops) {
        try {
          ops.push(JSON.parse(text));
        } catch {
          out.refused++;
        }
      }
      pages.push(ops);
      waiting += ops.length;
      upTo = { epoch: msg.body.epoch, seq: msg.body.seq };
      out.pages++;
      await ch.send('shared.ack', {}, opts.signal);
      if (waiting >= MERGE_OPS) merge();
    }
  } finally {
    await ch.close();
  }
}

/** Tell REMOTE that this device's log of LIBRARY_ID's shared data grew to SEQ (it pulls then). */
export async function notifySharedChanged(stream: Stream, remote: RemoteDevice, libraryId: string, seq: number, opts: { signal?: AbortSignal } = {}): Promise<void> {
  const ch = new PeerChannel(stream, 'shared');
  try {
    await ch.send('shared.changed', { library_id: libraryId, seq }, opts.signal);
    const msg = await ch.receive(['shared.ok', 'shared.error'], { signal: answerWithin(ANSWER_WAIT_MS, opts.signal), unknown: 'skip' });
    if (msg.name === 'shared.error') throw new VssError('PEER', `${remote.name} refused the change notice: ${msg.body.reason.slice(0, REASON_CHARS)}`);
  } finally {
    await ch.close();
  }
}
