import type { Stream } from '@libp2p/interface';
import { VssError } from '../../core/errors.js';
import { answerWithin, PeerChannel, UnknownPeerMessage, type MessageIn } from '../messages/channel.js';
import { REASON_CHARS, type FeedName } from '../messages/table.js';
import type { RemoteDevice } from '../peer-link.js';
import type { Cursor, Feed, FeedSink, FeedSource, HeadName, PageName } from './feed.js';

/*
 * The one engine of "changes since a cursor" (feed.ts): serve a pull, pull, and tell a peer a
 * feed changed, over /vss/feed/1.0.0 — one request per stream, its messages rows of the
 * peer-message table (src/sync/messages/table.ts). Any refusal is an `error`.
 */

const REQUEST_WAIT_MS = 30_000;
const ANSWER_WAIT_MS = 60_000;

export interface ServeFeedOptions {
  /** A peer said its FEED of LIBRARY_ID changed up to SEQ (the library link pulls from it). */
  onChanged?(remote: RemoteDevice, libraryId: string, feed: FeedName, seq: number): void;
}

/** What the engine serves: the feeds by name, and a library's source of one (undefined: not open here). */
export interface FeedHost {
  feed(name: FeedName): Feed<FeedName> | undefined;
  source(libraryId: string, feed: FeedName): FeedSource<FeedName> | undefined;
}

/**
 * Serve one feed stream from a paired device: this device's own changes of a library the two
 * share. A library not shared or not open here gets an error, never data; a request of a kind
 * this device does not know (a newer peer's) gets an error that says so.
 */
export async function serveFeed(stream: Stream, remote: RemoteDevice, host: FeedHost, opts: ServeFeedOptions = {}): Promise<void> {
  const ch = new PeerChannel(stream, 'feed');
  const refuse = (reason: string) => ch.send('feed.error', { reason: reason.slice(0, REASON_CHARS) });
  try {
    let req;
    try {
      req = await ch.receive(['feed.pull', 'feed.changed'], { signal: AbortSignal.timeout(REQUEST_WAIT_MS) });
    } catch (err) {
      if (!(err instanceof UnknownPeerMessage)) throw err;
      await refuse(`unknown feed request ${JSON.stringify(err.kind).slice(0, 60)}`);
      return;
    }
    const { library_id: libraryId, feed: name } = req.body;
    const feed = host.feed(name);
    const source = feed && remote.libraryIds.includes(libraryId) ? host.source(libraryId, name) : undefined;
    if (feed === undefined || source === undefined) {
      await refuse(`library ${libraryId.slice(0, 64)} is not shared with this device`);
      return;
    }
    if (req.name === 'feed.changed') {
      await ch.send('feed.ok', {});
      opts.onChanged?.(remote, libraryId, name, req.body.seq);
      return;
    }
    const r = req.body.resume;
    const cursor = {
      epoch: req.body.epoch ?? null, seq: req.body.seq ?? 0,
      ...(r ? { resume: { full: r.full, toSeq: r.to_seq, afterSeq: r.after_seq, afterId: r.after_id, afterName: r.after_name } } : {}),
    };
    const owner = req.body.owner;
    if (owner !== undefined && (source.forwarded === undefined || owner === remote.deviceUuid)) {
      await refuse(owner === remote.deviceUuid ? 'a device is not passed on its own rows' : `the ${name} feed is not passed on`);
      return;
    }
    const changes = owner === undefined ? source.changesSince(cursor, remote) : source.forwarded!(owner, cursor, remote);
    await ch.send(`feed.${name}.head` as HeadName<'shared'>, changes.head as never);
    let sent = 0;
    let acked = 0;
    let items = 0;
    for (const { page, items: n } of changes.pages()) {
      for (; sent - acked >= feed.window; acked++) await receiveAck(ch);
      await ch.send(`feed.${name}.page` as PageName<'shared'>, page as never);
      sent++;
      items += n;
    }
    for (; acked < sent; acked++) await receiveAck(ch);
    await ch.send('feed.end', { pages: sent, items, to_seq: changes.toSeq() });
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

async function receiveAck(ch: PeerChannel<'feed'>): Promise<void> {
  await ch.receive(['feed.ack'], { signal: AbortSignal.timeout(ANSWER_WAIT_MS), unknown: 'skip' });
}

export interface PulledCounts {
  pages: number;
  items: number;
}

/**
 * Pull FEED of LIBRARY_ID from REMOTE into SINK (OWNER: another device's changes REMOTE passes
 * on), from the cursor it keeps: the head checked,
 * each page taken in as it comes and acked, the counts checked at the end. A page or head the
 * sink refuses (VssError PEER), or an end that does not add up, stops the pull; what the sink
 * took in before stays, as a cut-off pull's does.
 */
export async function pullFeed<F extends FeedName, R>(
  stream: Stream, feed: F, libraryId: string, sink: FeedSink<F, R>, remote: RemoteDevice, opts: { signal?: AbortSignal; owner?: string } = {},
): Promise<R & PulledCounts> {
  const asked: Cursor = sink.cursor();
  const ch = new PeerChannel(stream, 'feed');
  try {
    const r = asked.resume;
    await ch.send('feed.pull', {
      library_id: libraryId, feed, epoch: asked.epoch, seq: asked.seq,
      ...(r ? { resume: { full: r.full, to_seq: r.toSeq, after_seq: r.afterSeq, after_id: r.afterId, after_name: r.afterName } } : {}),
      ...(opts.owner !== undefined ? { owner: opts.owner } : {}),
    }, opts.signal);
    const headName = `feed.${feed}.head` as HeadName<F>;
    const pageName = `feed.${feed}.page` as PageName<F>;
    const first = await ch.receive([headName, 'feed.error'] as never[], { signal: answerWithin(ANSWER_WAIT_MS, opts.signal), unknown: 'skip' }) as { name: string; body: unknown };
    if (first.name === 'feed.error') throw new VssError('PEER', `${remote.name} refused the ${feed} pull: ${(first.body as { reason: string }).reason.slice(0, REASON_CHARS)}`);
    const pull = sink.begin(first.body as never, asked);
    try {
      let pages = 0;
      let items = 0;
      for (;;) {
        const msg = await ch.receive([pageName, 'feed.end', 'feed.error'] as never[], { signal: answerWithin(ANSWER_WAIT_MS, opts.signal), unknown: 'skip' }) as { name: string; body: unknown };
        if (msg.name === 'feed.error') {
          pull.refused?.();
          throw new VssError('PEER', `${remote.name} stopped the ${feed} pull: ${(msg.body as { reason: string }).reason.slice(0, REASON_CHARS)}`);
        }
        if (msg.name === 'feed.end') {
          const end = msg.body as MessageIn<'feed.end'>;
          if (end.pages !== pages || end.items !== items) {
            throw new VssError('PEER', `${feed} pull ended saying ${end.pages} pages, ${end.items} items; it sent ${pages}, ${items}`);
          }
          return { ...pull.end(end), pages, items };
        }
        items += pull.apply(msg.body as never);
        pages++;
        // Acked before it is committed: the owner reads its next pages meanwhile.
        await ch.send('feed.ack', {}, opts.signal);
        pull.acked?.();
      }
    } finally {
      pull.close?.();
    }
  } finally {
    await ch.close();
  }
}

/** Tell REMOTE that this device's FEED of LIBRARY_ID changed up to SEQ (it pulls then). */
export async function notifyFeed(stream: Stream, feed: FeedName, remote: RemoteDevice, libraryId: string, seq: number, opts: { signal?: AbortSignal } = {}): Promise<void> {
  const ch = new PeerChannel(stream, 'feed');
  try {
    await ch.send('feed.changed', { library_id: libraryId, feed, seq }, opts.signal);
    const msg = await ch.receive(['feed.ok', 'feed.error'], { signal: answerWithin(ANSWER_WAIT_MS, opts.signal), unknown: 'skip' });
    if (msg.name === 'feed.error') throw new VssError('PEER', `${remote.name} refused the change notice: ${msg.body.reason.slice(0, REASON_CHARS)}`);
  } finally {
    await ch.close();
  }
}
