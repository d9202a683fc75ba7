import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { Stream } from '@libp2p/interface';
import { Installation } from '../../library/installation.js';
import type { Library } from '../../library/library.js';
import { SharedData, type UnstampedOp } from '../../tags/shared-data.js';
import { Availability } from '../availability/availability.js';
import { PeerChannel } from '../messages/channel.js';
import { SHARED_PAGE_OPS } from '../messages/table.js';
import { PeerNode } from '../net/peer-node.js';
import type { RemoteDevice } from '../peer-link.js';
import { tempDir } from '../../../test/helpers.js';
import { pullShared, serveShared } from './exchange.js';

const LOOPBACK = ['/ip4/127.0.0.1/tcp/0'];
const id = (kind: number, i: number) => `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

/** Every row of shared data, as a device compares with another. */
function state(lib: Library): string {
  const s = lib.store;
  return JSON.stringify([s.tags.all(), s.metadataTags.all(), s.userMetadata.all()]);
}

/**
 * The shared-data feed between two libraries on loopback (two PeerNodes): A pulls B's log of shared data,
 * tens of thousands of operations in many pages, merged a few pages to a transaction with the
 * cursor; a pull cut off part way goes on from what was merged.
 */
describe('shared-data pull over /vss/feed (many pages)', () => {
  const tmp = tempDir('vss-shared-pull-');
  let a: Library;
  let b: Library;
  let nodeA: PeerNode;
  let nodeB: PeerNode;
  let bRemote: RemoteDevice;
  const serveB = { handler: (_stream: Stream): Promise<void> => Promise.resolve() };
  const pull = async () => pullShared(await nodeA.open(nodeB.addresses()[0]!, 'feed'), a, bRemote);
  const TAGGINGS = 30_000;

  before(async () => {
    b = new Installation({ dataDir: join(tmp.path, 'b-data') }).createLibrary('Home', join(tmp.path, 'b'));
    a = new Installation({ dataDir: join(tmp.path, 'a-data') }).createLibrary('Home', join(tmp.path, 'a'), { id: b.config.id });
    const ids = { a: '', b: '' };
    nodeA = await PeerNode.start({ privateKey: await generateKeyPair('Ed25519'), listen: LOOPBACK, admit: (p) => p === ids.b, isPaired: (p) => p === ids.b });
    nodeB = await PeerNode.start({ privateKey: await generateKeyPair('Ed25519'), listen: LOOPBACK, admit: (p) => p === ids.a, isPaired: (p) => p === ids.a });
    ids.a = nodeA.peerId;
    ids.b = nodeB.peerId;
    const aRemote = { deviceUuid: a.device.uuid, peerId: ids.a, name: 'a', libraryIds: [b.config.id] };
    bRemote = { deviceUuid: b.device.uuid, peerId: ids.b, name: 'b', libraryIds: [b.config.id] };
    serveB.handler = (stream) => serveShared(stream, aRemote, (lib) => (lib === b.config.id ? b : undefined));
    await nodeB.handle('feed', (stream) => serveB.handler(stream));
    const shared = new SharedData(b);
    const tags: UnstampedOp[] = [0, 1, 2].map((k) => ({ record: 'tag', id: id(1, k), set: { name: `tag ${k}`, color: null, parent: k === 0 ? null : id(1, 0) } }));
    shared.commit(tags);
    for (let at = 0; at < TAGGINGS; at += 5000) {
      const ops: UnstampedOp[] = [];
      for (let i = at; i < at + 5000; i++) ops.push({ record: 'tagging', id: id(1, i % 3), content: id(2, i), set: { present: true } });
      shared.commit(ops);
    }
    shared.commit([{ record: 'meta', id: id(2, 7), set: { favorite: true, rating: 4, note: 'harbour' } }]);
  });
  after(async () => {
    await Promise.all([nodeA.stop(), nodeB.stop()]);
    a.close();
    b.close();
    tmp.cleanup();
  });

  it('a pull cut off part way keeps what it merged, with its cursor; the next pull brings the rest', async () => {
    // B sends its first full pages and goes away before the end (a connection lost mid-backfill):
    // A merged the first few pages together and had the last one waiting.
    const cutAfter = 5;
    serveB.handler = async (stream) => {
      const ch = new PeerChannel(stream, 'feed');
      await ch.receive(['feed.pull']);
      const epoch = new Availability(b).epoch();
      await ch.send('feed.shared.head', { epoch, full: false, from_seq: 0, to_seq: b.store.sharedOps.head() });
      let seq = 0;
      for (let p = 0; p < cutAfter; p++) {
        const rows = b.store.sharedOps.since(seq, SHARED_PAGE_OPS);
        seq = rows.at(-1)!.seq;
        await ch.send('feed.shared.page', { seq, ops: rows.map((r) => r.op) });
        await ch.receive(['feed.ack']);
      }
      stream.abort(new Error('gone'));
    };
    await assert.rejects(pull());
    const cursor = a.store.feedCursors.get(b.device.uuid, 'shared');
    assert.ok(cursor && cursor.seq > 0 && cursor.seq < b.store.sharedOps.head(), `merged part of the log before the cut (cursor ${cursor?.seq})`);
    assert.equal(a.store.sharedOps.head(), cursor.seq, 'the cursor says exactly what was merged');

    serveB.handler = (stream) => serveShared(stream, { deviceUuid: a.device.uuid, peerId: nodeA.peerId, name: 'a', libraryIds: [b.config.id] }, (lib) => (lib === b.config.id ? b : undefined));
    const got = await pull();
    assert.ok(got.pages >= 4, `${got.pages} pages`);
    assert.equal(got.applied, b.store.sharedOps.head() - cursor.seq);
    assert.equal(got.refused, 0);
    assert.equal(state(a), state(b));
    assert.equal(a.store.metadataTags.contentsOf(id(1, 1)).length, Math.ceil((TAGGINGS - 1) / 3));
    assert.equal(a.store.feedCursors.get(b.device.uuid, 'shared')?.seq, b.store.sharedOps.head());
  });

  it('a pull from where it stopped brings only what is new', async () => {
    assert.deepEqual(await pull(), { pages: 0, applied: 0, known: 0, refused: 0 });
    new SharedData(b).commit([{ record: 'tagging', id: id(1, 2), content: id(2, 1), set: { present: false } }]);
    const got = await pull();
    assert.equal(got.pages, 1);
    assert.equal(got.applied, 1);
    assert.equal(state(a), state(b));
  });
});
