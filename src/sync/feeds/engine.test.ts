import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { Stream } from '@libp2p/interface';
import { VssError } from '../../core/errors.js';
import { MessageChannel } from '../net/message-channel.js';
import { PeerNode } from '../net/peer-node.js';
import { PROTOCOLS, type FeedName } from '../messages/table.js';
import type { RemoteDevice } from '../peer-link.js';
import { notifyFeed, pullFeed, serveFeed, type FeedHost } from './engine.js';
import type { Cursor, FeedSink, FeedSource } from './feed.js';

const LOOPBACK = ['/ip4/127.0.0.1/tcp/0'];
const LIB = '6f1c2a8e-51f0-4d7e-9c4b-0a3e5f7d9b21';
const EPOCH = '0d0d0d0d-0000-4000-8000-000000000000';

/**
 * The engine with a feed of its own making (the `shared` feed's head and page rows, a toy source
 * and sink): what it does for every feed — the cursor asked, the window of unacked pages, the
 * counts checked at the end, refusals — without any feed's data.
 */
describe('the feed engine (/vss/feed/1.0.0)', () => {
  let owner: PeerNode;
  let follower: PeerNode;
  const serve = { handler: (_s: Stream): Promise<void> => Promise.resolve() };
  const changed: Array<{ feed: string; seq: number }> = [];
  /** The owner's log: op i is numbered i + 1. */
  const log = Array.from({ length: 10 }, (_, i) => `op${i + 1}`);
  let unacked = 0;
  let mostUnacked = 0;
  const source: FeedSource<'shared'> = {
    changesSince(cursor: Cursor) {
      const from = cursor.epoch === EPOCH ? cursor.seq : 0;
      return {
        head: { epoch: EPOCH, full: from === 0, from_seq: from, to_seq: log.length },
        *pages() {
          for (let at = from; at < log.length; at += 3) {
            const ops = log.slice(at, at + 3);
            unacked++;
            mostUnacked = Math.max(mostUnacked, unacked);
            yield { page: { seq: at + ops.length, ops }, items: ops.length };
          }
        },
        toSeq: () => log.length,
      };
    },
  };
  const remote = (peerId: string): RemoteDevice => ({ deviceUuid: '11111111-0000-4000-8000-000000000000', peerId, name: 'x', libraryIds: [LIB] });
  let ownerRemote: RemoteDevice;
  /** The follower's cursor and what it took in. */
  let cursor: Cursor = { epoch: null, seq: 0 };
  let taken: string[] = [];
  const sink: FeedSink<'shared', { to: number }> = {
    cursor: () => cursor,
    begin(head) {
      return {
        apply(page) {
          unacked--;
          taken.push(...page.ops);
          cursor = { epoch: head.epoch, seq: page.seq };
          return page.ops.length;
        },
        end(end) {
          cursor = { epoch: head.epoch, seq: end.to_seq };
          return { to: end.to_seq };
        },
      };
    },
  };
  const host = (src: FeedSource<'shared'> | undefined): FeedHost => ({
    feed: (name) => (name === 'shared' ? { name: 'shared', window: 2 } : undefined),
    source: (id, name) => (id === LIB && name === 'shared' ? src as FeedSource<FeedName> | undefined : undefined),
  });
  const pull = async () => pullFeed(await follower.open(owner.addresses()[0]!, 'feed'), 'shared', LIB, sink, ownerRemote);

  before(async () => {
    const ids = { o: '', f: '' };
    owner = await PeerNode.start({ privateKey: await generateKeyPair('Ed25519'), listen: LOOPBACK, admit: (p) => p === ids.f, isPaired: (p) => p === ids.f });
    follower = await PeerNode.start({ privateKey: await generateKeyPair('Ed25519'), listen: LOOPBACK, admit: (p) => p === ids.o, isPaired: (p) => p === ids.o });
    ids.o = owner.peerId;
    ids.f = follower.peerId;
    ownerRemote = remote(ids.o);
    serve.handler = (stream) => serveFeed(stream, remote(ids.f), host(source), { onChanged: (_r, _lib, feed, seq) => changed.push({ feed, seq }) });
    await owner.handle('feed', (stream) => serve.handler(stream));
  });
  after(async () => {
    await Promise.all([owner.stop(), follower.stop()]);
  });

  it('pulls from the cursor in pages, never more than the window unacked, and counts them', async () => {
    const got = await pull();
    assert.deepEqual(got, { to: 10, pages: 4, items: 10 });
    assert.deepEqual(taken, log);
    assert.ok(mostUnacked <= 3, `at most the window (2) sent ahead of the acks, and the one being read (${mostUnacked})`);
    log.push('op11');
    taken = [];
    assert.deepEqual(await pull(), { to: 11, pages: 1, items: 1 }, 'from the cursor: only what is new');
    assert.deepEqual(taken, ['op11']);
    assert.deepEqual(await pull(), { to: 11, pages: 0, items: 0 });
  });

  it('passes a notice to its hook', async () => {
    await notifyFeed(await follower.open(owner.addresses()[0]!, 'feed'), 'shared', ownerRemote, LIB, 11);
    assert.deepEqual(changed, [{ feed: 'shared', seq: 11 }]);
  });

  it('refuses an end that does not add up, keeping the pages taken in', async () => {
    const before = cursor;
    serve.handler = async (stream) => {
      const ch = new MessageChannel(stream, PROTOCOLS.feed.maxMessageBytes);
      await ch.receive(AbortSignal.timeout(10_000));
      await ch.send({ t: 'shared.head', epoch: EPOCH, full: false, from_seq: before.seq, to_seq: before.seq + 1 });
      await ch.send({ t: 'shared.page', seq: before.seq + 1, ops: ['op12'] });
      await ch.receive(AbortSignal.timeout(10_000));
      await ch.send({ t: 'end', pages: 1, items: 5, to_seq: before.seq + 1 });
      await ch.close();
    };
    await assert.rejects(pull(), (err: unknown) => err instanceof VssError && err.code === 'PEER' && /ended saying 1 pages, 5 items; it sent 1, 1/.test(err.message));
    assert.equal(cursor.seq, before.seq + 1, 'the page taken in stays, with its place');
  });

  it('gives nothing of a library not shared or a feed not served, and refuses a request it does not know', async () => {
    serve.handler = (stream) => serveFeed(stream, remote(follower.peerId), host(undefined));
    await assert.rejects(pull(), /refused the shared pull: library .* is not shared/);
    const ch = new MessageChannel(await follower.open(owner.addresses()[0]!, 'feed'), PROTOCOLS.feed.maxMessageBytes);
    try {
      await ch.send({ t: 'subscribe', library_id: LIB, feed: 'shared' });
      const answer = (await ch.receive(AbortSignal.timeout(10_000))) as { t: string; reason: string };
      assert.deepEqual([answer.t, /unknown feed request "subscribe"/.test(answer.reason)], ['error', true]);
    } finally {
      await ch.close();
    }
  });
});
