import type { Stream } from '@libp2p/interface';
import { VssError } from '../../core/errors.js';
import type { Library } from '../../library/library.js';
import { answerWithin, PeerChannel, UnknownPeerMessage } from '../messages/channel.js';
import { REASON_CHARS } from '../messages/table.js';
import type { RemoteDevice } from '../peer-link.js';
import { ownerChanges } from './owner-changes.js';
import type { PeerLibrary } from './peer-library.js';

/*
 * /vss/library — one request per stream; its messages are rows of the peer-message table
 * (src/sync/messages/table.ts):
 *   pull     → head, page… end   the puller acks each page; the owner keeps at most WINDOW unacked
 *   changed  → ok                 (the receiver then pulls)
 * Any refusal is an `error`.
 */

/** Pages sent ahead of the acks: enough that the owner reads the next pages while the puller writes. */
const WINDOW = 4;
const REQUEST_WAIT_MS = 30_000;
const ANSWER_WAIT_MS = 60_000;
/** Rows one pull may bring, at most (a library of 10 million entries is far past what vss is built for). */
const MAX_PULL_ENTRIES = 10_000_000;

export interface ServeLibraryOptions {
  /** A peer said its rows changed (the library link pulls from it). */
  onChanged?(remote: RemoteDevice, libraryId: string, seq: number): void;
}

/**
 * Serve one library stream from a paired device: this device's own rows of a library the two
 * share, never another device's (DESIGN §15). A library not shared or not open here gets an error.
 */
export async function serveLibrary(stream: Stream, remote: RemoteDevice, libOf: (libraryId: string) => Library | undefined, opts: ServeLibraryOptions = {}): Promise<void> {
  const ch = new PeerChannel(stream, 'library');
  const refuse = (reason: string) => ch.send('library.error', { reason: reason.slice(0, REASON_CHARS) });
  try {
    let req;
    try {
      req = await ch.receive(['library.pull', 'library.changed'], { signal: AbortSignal.timeout(REQUEST_WAIT_MS) });
    } catch (err) {
      if (!(err instanceof UnknownPeerMessage)) throw err;
      await refuse(`unknown library request ${JSON.stringify(err.kind).slice(0, 60)}`);
      return;
    }
    const libraryId = req.body.library_id;
    const lib = remote.libraryIds.includes(libraryId) ? libOf(libraryId) : undefined;
    if (lib === undefined) {
      await refuse(`library ${libraryId.slice(0, 64)} is not shared with this device`);
      return;
    }
    if (req.name === 'library.changed') {
      await ch.send('library.ok', {});
      opts.onChanged?.(remote, libraryId, req.body.seq);
      return;
    }
    const r = req.body.resume;
    const { head, pages } = ownerChanges(lib, {
      epoch: req.body.epoch ?? null, seq: req.body.seq ?? 0,
      ...(r ? { resume: { full: r.full, toSeq: r.to_seq, afterSeq: r.after_seq, afterId: r.after_id, afterName: r.after_name } } : {}),
    });
    await ch.send('library.head', head);
    let sent = 0;
    let acked = 0;
    let entries = 0;
    for (const page of pages()) {
      for (; sent - acked >= WINDOW; acked++) await receiveAck(ch);
      await ch.send('library.page', page);
      sent++;
      for (const f of page.folders) entries += f.entries.length;
    }
    for (; acked < sent; acked++) await receiveAck(ch);
    await ch.send('library.end', { pages: sent, entries, to_seq: head.to_seq });
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

async function receiveAck(ch: PeerChannel<'library'>): Promise<void> {
  await ch.receive(['library.ack'], { signal: AbortSignal.timeout(ANSWER_WAIT_MS), unknown: 'skip' });
}

export interface LibraryPullResult {
  /** The name the owner goes by now (its head says it at every pull). */
  name: string;
  full: boolean;
  resumed: boolean;
  pages: number;
  entries: number;
  toSeq: number;
  ms: number;
}

/**
 * Pull REMOTE's own rows of LIBRARY_ID into PEERS: what changed since the last pull, or the rest
 * of a pull that was cut off. Each page is applied as it comes, with the cursor, whole or not at
 * all, and committed in batches of about a second: a pull killed at any moment leaves whole pages
 * and resumes after the last one committed. A head or page
 * that speaks for another device, names a location not announced, or does not add up is refused
 * (VssError PEER); the pages before it stay applied, as a cut-off pull's do.
 */
export async function pullLibrary(stream: Stream, peers: PeerLibrary, remote: RemoteDevice, libraryId: string, opts: { signal?: AbortSignal; onPage?: (pages: number, entries: number, committed: boolean) => void } = {}): Promise<LibraryPullResult> {
  const started = performance.now();
  const asked = peers.askFor(remote.deviceUuid);
  const ch = new PeerChannel(stream, 'library');
  try {
    const r = asked.resume;
    await ch.send('library.pull', {
      library_id: libraryId, epoch: asked.epoch, seq: asked.seq,
      ...(r ? { resume: { full: r.full, to_seq: r.toSeq, after_seq: r.afterSeq, after_id: r.afterId, after_name: r.afterName } } : {}),
    }, opts.signal);
    const first = await ch.receive(['library.head', 'library.error'], { signal: answerSignal(opts.signal), unknown: 'skip' });
    if (first.name === 'library.error') throw new VssError('PEER', `${remote.name} refused the library pull: ${first.body.reason.slice(0, REASON_CHARS)}`);
    const pull = peers.begin(remote, asked, first.body);
    let pages = 0;
    const writer = peers.batchWriter();
    try {
      for (;;) {
        const msg = await ch.receive(['library.page', 'library.end', 'library.error'], { signal: answerSignal(opts.signal), unknown: 'skip' });
        if (msg.name === 'library.error') throw new VssError('PEER', `${remote.name} stopped the library pull: ${msg.body.reason.slice(0, REASON_CHARS)}`);
        if (msg.name === 'library.end') {
          const end = msg.body;
          if (end.pages !== pages || end.to_seq !== pull.toSeq) {
            throw new VssError('PEER', `library pull ended saying ${end.pages} pages to seq ${end.to_seq}; it sent ${pages} to seq ${pull.toSeq}`);
          }
          break;
        }
        writer.touch(msg.body.folders.length + msg.body.contents.length);
        peers.applyPage(pull, msg.body);
        pages++;
        // Acked before the commit: the owner reads its next pages meanwhile.
        await ch.send('library.ack', {}, opts.signal);
        const committed = writer.maybeCommit();
        opts.onPage?.(pages, pull.entries, committed);
        if (pull.entries > MAX_PULL_ENTRIES) throw new VssError('PEER', `library pull brings more than ${MAX_PULL_ENTRIES} entries`);
      }
      writer.touch();
      peers.finish(pull);
    } finally {
      // Every page applied is whole (its own savepoint): keep them, whatever ended the pull.
      try {
        writer.commit();
      } catch {
        writer.rollback();
      }
    }
    return { name: first.body.device.name, full: pull.full, resumed: first.body.resumed, pages, entries: pull.entries, toSeq: pull.toSeq, ms: performance.now() - started };
  } finally {
    await ch.close();
  }
}

/** Tell REMOTE that this device's rows of LIBRARY_ID changed up to SEQ (it pulls then). */
export async function notifyLibraryChanged(stream: Stream, remote: RemoteDevice, libraryId: string, seq: number, opts: { signal?: AbortSignal } = {}): Promise<void> {
  const ch = new PeerChannel(stream, 'library');
  try {
    await ch.send('library.changed', { library_id: libraryId, seq }, opts.signal);
    const msg = await ch.receive(['library.ok', 'library.error'], { signal: answerSignal(opts.signal), unknown: 'skip' });
    if (msg.name === 'library.error') throw new VssError('PEER', `${remote.name} refused the change notice: ${msg.body.reason.slice(0, REASON_CHARS)}`);
  } finally {
    await ch.close();
  }
}

function answerSignal(signal: AbortSignal | undefined): AbortSignal {
  return answerWithin(ANSWER_WAIT_MS, signal);
}
