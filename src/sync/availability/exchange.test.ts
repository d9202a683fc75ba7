import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { Stream } from '@libp2p/interface';
import { VssError } from '../../core/errors.js';
import { Installation } from '../../library/installation.js';
import type { Library } from '../../library/library.js';
import { sidecarAddress } from '../../sidecars/address.js';
import { SidecarManager } from '../../sidecars/manager.js';
import { PresenceIndex } from '../../sidecars/presence-index.js';
import { MessageChannel } from '../net/message-channel.js';
import { PeerNode } from '../net/peer-node.js';
import { PROTOCOLS } from '../messages/table.js';
import type { RemoteDevice } from '../peer-link.js';
import { tempDir } from '../../../test/helpers.js';
import { encodeChunk, type AvailabilityEntry } from './codec.js';
import { PAGE_ENTRIES, askWhoHas, notifyChanged, pullAvailability, serveAvailability, serveAvailabilityFeed } from './exchange.js';
import { Availability } from './availability.js';

const LOOPBACK = ['/ip4/127.0.0.1/tcp/0'];
const C = (i: number) => `${i.toString(16).padStart(8, '0')}-0000-5000-8000-000000000000`;
const SUM = (i: number) => (i % 16).toString(16).repeat(64);

/** One device: its installation, its copy of the shared library, its node. */
interface Side {
  vss: Installation;
  lib: Library;
  store: Availability;
  node: PeerNode;
  /** How the other side knows this device. */
  remote: RemoteDevice;
}

/**
 * Two devices with their own folder of one library (same id, as pairing leaves them), each
 * serving /vss/availability/1.0.0 ("who has?") and the availability feed on loopback. B's
 * `serveB.handler` ("who has?") and `serveB.feed` can be swapped for a lying server.
 */
async function twoDevices(root: string): Promise<{ a: Side; b: Side; serveB: { handler: (stream: Stream) => Promise<void>; feed: (stream: Stream) => Promise<void> }; changed: Array<{ from: string; seq: number }>; close(): Promise<void> }> {
  const mk = (name: string) => {
    const vss = new Installation({ dataDir: join(root, name, 'data') });
    return { vss, lib: vss.createLibrary('Shared', join(root, name)) };
  };
  const A = mk('a');
  const B = mk('b');
  // The joiner's library takes the initiator's id.
  const cfg = join(B.lib.root, 'library.json');
  B.lib.close();
  writeFileSync(cfg, JSON.stringify({ ...JSON.parse(readFileSync(cfg, 'utf8')), id: A.lib.config.id }));
  B.lib = B.vss.openLibrary(B.lib.root);
  const ids = { a: '', b: '' };
  const [ka, kb] = [await generateKeyPair('Ed25519'), await generateKeyPair('Ed25519')];
  const nodeA = await PeerNode.start({ privateKey: ka, listen: LOOPBACK, admit: (p) => p === ids.b, isPaired: (p) => p === ids.b });
  const nodeB = await PeerNode.start({ privateKey: kb, listen: LOOPBACK, admit: (p) => p === ids.a, isPaired: (p) => p === ids.a });
  ids.a = nodeA.peerId;
  ids.b = nodeB.peerId;
  const libId = A.lib.config.id;
  const a: Side = { ...A, store: new Availability(A.lib), node: nodeA, remote: { deviceUuid: A.lib.device.uuid, peerId: ids.a, name: 'a', libraryIds: [libId] } };
  const b: Side = { ...B, store: new Availability(B.lib), node: nodeB, remote: { deviceUuid: B.lib.device.uuid, peerId: ids.b, name: 'b', libraryIds: [libId] } };
  const changed: Array<{ from: string; seq: number }> = [];
  const serveB = {
    handler: (stream: Stream) => serveAvailability(stream, a.remote, (id) => (id === b.store.libraryId ? b.store : undefined)),
    feed: (stream: Stream) => serveAvailabilityFeed(stream, a.remote, (id) => (id === b.store.libraryId ? b.store : undefined), {
      onChanged: (remote, _lib, _feed, seq) => changed.push({ from: remote.deviceUuid, seq }),
    }),
  };
  await nodeB.handle('availability', (stream) => serveB.handler(stream));
  await nodeB.handle('feed', (stream) => serveB.feed(stream));
  await nodeA.handle('availability', (stream) => serveAvailability(stream, b.remote, (id) => (id === a.store.libraryId ? a.store : undefined)));
  await nodeA.handle('feed', (stream) => serveAvailabilityFeed(stream, b.remote, (id) => (id === a.store.libraryId ? a.store : undefined)));
  return {
    a, b, serveB, changed,
    async close() {
      await Promise.all([nodeA.stop(), nodeB.stop()]);
      a.lib.close();
      b.lib.close();
    },
  };
}

function ready(lib: Library, i: number, variant = 'grid@1x', size = 100 + i, sum = SUM(i)): void {
  new SidecarManager(lib).record(sidecarAddress(C(i), 'thumb', variant), { status: 'ready', source: 'generated', size, checksum: sum, sourceEntryId: null, error: null });
}

function peerRows(lib: Library, device: string): Array<{ content_uuid: string; variant: string; has: number; size: number | null; checksum: string | null }> {
  return lib.store.availability.ofDevice(device).map((r) => ({ content_uuid: r.content_uuid, variant: r.variant, has: r.has, size: r.size, checksum: r.checksum }));
}

describe('availability exchange between two devices over libp2p on loopback', () => {
  const tmp = tempDir();
  let t: Awaited<ReturnType<typeof twoDevices>>;
  before(async () => {
    t = await twoDevices(tmp.path);
  });
  after(async () => {
    await t.close();
    tmp.cleanup();
  });
  const pullFromB = async () => pullAvailability(await t.a.node.open(t.b.node.addresses()[0]!, 'feed'), t.a.store, t.b.remote, t.a.store.libraryId);

  it('first a full digest, then deltas with additions, changes and removals; presence lists the peer', async () => {
    const { a, b } = t;
    for (let i = 0; i < 5; i++) ready(b.lib, i);
    new SidecarManager(b.lib).recordPending(sidecarAddress(C(9), 'thumb', 'grid@1x'));
    const index = new PresenceIndex(a.lib);
    try {
      const first = await pullFromB();
      assert.deepEqual({ ...first, ms: 0 }, { full: true, entries: 5, skipped: 0, toSeq: 5, ms: 0 });
      assert.equal(peerRows(a.lib, b.remote.deviceUuid).length, 5);
      assert.deepEqual(a.store.peerState(b.remote.deviceUuid), {
        deviceUuid: b.remote.deviceUuid, epoch: b.store.epoch(), seq: 5, entries: 5, lastExchangeAt: a.store.peerState(b.remote.deviceUuid)!.lastExchangeAt,
        bytesFetched: 0, filesFetched: 0, failures: 0,
      });
      const p = new SidecarManager(a.lib).presence([C(0)], 'thumb', ['grid@1x'])[0]!;
      assert.deepEqual({ local: p.local, status: p.status, devices: p.devices }, { local: false, status: 'absent', devices: [b.remote.deviceUuid] });
      assert.deepEqual(index.presence([C(0)], 'thumb', ['grid@1x'])[0]!.devices, [b.remote.deviceUuid], 'the presence index follows a full digest');

      const mb = new SidecarManager(b.lib);
      ready(b.lib, 5);
      ready(b.lib, 1, 'grid@1x', 999, SUM(7));
      mb.markMissing(sidecarAddress(C(2), 'thumb', 'grid@1x'), 'deleted');
      mb.record(sidecarAddress(C(9), 'thumb', 'grid@1x'), { status: 'generating', source: 'generated', size: null, checksum: null, sourceEntryId: null, error: null });
      const delta = await pullFromB();
      assert.deepEqual({ ...delta, ms: 0 }, { full: false, entries: 3, skipped: 0, toSeq: 8, ms: 0 });
      const rows = peerRows(a.lib, b.remote.deviceUuid);
      assert.deepEqual(rows.find((r) => r.content_uuid === C(1)), { content_uuid: C(1), variant: 'grid@1x', has: 1, size: 999, checksum: SUM(7) });
      assert.equal(rows.find((r) => r.content_uuid === C(2))!.has, 0, 'the removal arrived');
      assert.equal(rows.find((r) => r.content_uuid === C(5))!.has, 1);
      assert.equal(a.store.peerState(b.remote.deviceUuid)!.entries, 5);
      assert.deepEqual(index.presence([C(2), C(5)], 'thumb', ['grid@1x']).map((x) => x.devices), [[], [b.remote.deviceUuid]], 'and the index follows a delta');
      assert.deepEqual(new SidecarManager(a.lib).presence([C(2)], 'thumb', ['grid@1x'])[0]!.devices, []);

      const nothing = await pullFromB();
      assert.deepEqual({ ...nothing, ms: 0 }, { full: false, entries: 0, skipped: 0, toSeq: 8, ms: 0 });
    } finally {
      index.close();
    }
  });

  it('a replaced database (new epoch) gets a full digest again, which replaces what was said', async () => {
    const { a, b } = t;
    b.lib.store.syncMeta.set('epoch', '0d0d0d0d-0000-4000-8000-000000000000');
    const again = await pullFromB();
    assert.equal(again.full, true);
    assert.equal(again.entries, 5);
    assert.equal(peerRows(a.lib, b.remote.deviceUuid).length, 5, 'the old tombstone is gone with the replaced set');
    assert.equal(a.store.peerState(b.remote.deviceUuid)!.epoch, '0d0d0d0d-0000-4000-8000-000000000000');
  });

  it('answers "who has" with its own ready entries among those asked', async () => {
    const { a, b } = t;
    const asked = [0, 2, 5, 77].map((i) => ({ contentUuid: C(i), kind: 'thumb', variant: 'grid@1x' }));
    const got = await askWhoHas(await a.node.open(b.node.addresses()[0]!, 'availability'), b.remote, a.store.libraryId, asked);
    assert.deepEqual(got.map((e) => e.contentUuid).sort(), [C(0), C(5)]);
    assert.equal(got[0]!.checksum!.length, 64);

    // What was heard is kept as B's availability: presence lists B, and a later digest supersedes it.
    ready(b.lib, 40);
    const heard = await askWhoHas(await a.node.open(b.node.addresses()[0]!, 'availability'), b.remote, a.store.libraryId, [{ contentUuid: C(40), kind: 'thumb', variant: 'grid@1x' }]);
    assert.equal(a.store.noteHeard(b.remote.deviceUuid, heard), 1);
    assert.deepEqual(new SidecarManager(a.lib).presence([C(40)], 'thumb', ['grid@1x'])[0]!.devices, [b.remote.deviceUuid]);
    assert.throws(() => a.store.noteHeard(a.store.deviceUuid, heard), /own|name/, 'never in this device\'s own name');
    assert.throws(() => a.store.noteHeard(b.remote.deviceUuid, [{ ...heard[0]!, checksum: 'zz' }]), /refused/);
    const after = await pullFromB();
    assert.equal(after.full, false);
    assert.equal(peerRows(a.lib, b.remote.deviceUuid).find((r) => r.content_uuid === C(40))!.has, 1);
  });

  it('passes a change notice to the hook, so the receiver can pull', async () => {
    const { a, b } = t;
    const told = new Promise<number>((resolve) => {
      const stop = a.store.onLocalChange((seq) => {
        stop();
        resolve(seq);
      }, 20);
    });
    new SidecarManager(a.lib).recordPending(sidecarAddress(C(40), 'thumb', 'grid@1x'));
    ready(a.lib, 40);
    assert.equal(await Promise.race([told, new Promise((r) => setTimeout(r, 10_000, 'not told'))]), 1, 'a local change is told once, debounced');
    await notifyChanged(await a.node.open(b.node.addresses()[0]!, 'feed'), b.remote, a.store.libraryId, a.store.seq());
    assert.deepEqual(t.changed, [{ from: a.remote.deviceUuid, seq: a.store.seq() }]);
    const back = await pullAvailability(await b.node.open(a.node.addresses()[0]!, 'feed'), b.store, a.remote, b.store.libraryId);
    assert.deepEqual({ full: back.full, entries: back.entries }, { full: true, entries: 1 });
  });

  it('answers a request of a kind it does not know (a newer peer\'s) with an error that says so', async () => {
    const { a, b } = t;
    const ch = new MessageChannel(await a.node.open(b.node.addresses()[0]!, 'availability'), PROTOCOLS.availability.maxMessageBytes);
    try {
      await ch.send({ t: 'subscribe', library_id: a.store.libraryId });
      const answer = (await ch.receive(AbortSignal.timeout(10_000))) as { t: string; reason: string };
      assert.equal(answer.t, 'error');
      assert.match(answer.reason, /unknown availability request "subscribe"/);
    } finally {
      await ch.close();
    }
  });

  it('gives nothing of a library the device does not share', async () => {
    const { a, b } = t;
    const original = { ...t.serveB };
    t.serveB.handler = (stream) => serveAvailability(stream, { ...a.remote, libraryIds: [] }, () => b.store);
    t.serveB.feed = (stream) => serveAvailabilityFeed(stream, { ...a.remote, libraryIds: [] }, () => b.store);
    try {
      await assert.rejects(pullFromB(), (err: unknown) => err instanceof VssError && err.code === 'PEER' && /not shared/.test(err.message));
      await assert.rejects(
        askWhoHas(await a.node.open(b.node.addresses()[0]!, 'availability'), b.remote, a.store.libraryId, [{ contentUuid: C(0), kind: 'thumb', variant: 'grid@1x' }]),
        /not shared/,
      );
    } finally {
      Object.assign(t.serveB, original);
    }
  });

  it('refuses lying, cut, garbled and oversized digests with a reason, and keeps what it had', async () => {
    const { a, b } = t;
    const snapshot = () => JSON.stringify([peerRows(a.lib, b.remote.deviceUuid), a.store.peerState(b.remote.deviceUuid)]);
    const before = snapshot();
    const state = a.store.peerState(b.remote.deviceUuid)!;
    const header = { libraryId: a.store.libraryId, deviceUuid: b.remote.deviceUuid, epoch: state.epoch!, fromSeq: 0, toSeq: 50, full: true };
    const head = { t: 'availability.head', epoch: header.epoch, full: true, from_seq: 0, to_seq: 50 };
    const good: AvailabilityEntry[] = [{ contentUuid: C(300), kind: 'thumb', variant: 'grid@1x', format: 'webp', has: true, size: 1, checksum: SUM(3) }];
    const lies: Array<[string, (ch: MessageChannel) => Promise<void>, RegExp]> = [
      ['cut short', async (ch) => {
        const bytes = encodeChunk(header, good);
        await ch.send(head);
        await ch.send({ t: 'availability.page', data: bytes.subarray(0, bytes.byteLength - 5) });
      }, /ends inside/],
      ['garbled', async (ch) => {
        const bytes = Buffer.from(encodeChunk(header, good));
        bytes.fill(0xff, 60, 80);
        await ch.send(head);
        await ch.send({ t: 'availability.page', data: bytes });
      }, /digest/],
      ['another device\'s name', async (ch) => {
        await ch.send(head);
        await ch.send({ t: 'availability.page', data: encodeChunk({ ...header, deviceUuid: a.remote.deviceUuid }, good) });
      }, /speaks for device/],
      ['another library', async (ch) => {
        await ch.send(head);
        await ch.send({ t: 'availability.page', data: encodeChunk({ ...header, libraryId: '12345678-0000-4000-8000-000000000000' }, good) });
      }, /of library/],
      ['an end that does not add up', async (ch) => {
        await ch.send(head);
        await ch.send({ t: 'availability.page', data: encodeChunk(header, good) });
        await ch.send({ t: 'end', pages: 1, items: 2, to_seq: 50 });
      }, /ended saying/],
      ['a duplicate entry', async (ch) => {
        await ch.send(head);
        await ch.send({ t: 'availability.page', data: encodeChunk(header, [...good, ...good]) });
        await ch.send({ t: 'end', pages: 1, items: 2, to_seq: 50 });
      }, /twice/],
      ['a delta that skips changes', async (ch) => {
        await ch.send({ ...head, full: false, from_seq: state.seq + 10, to_seq: state.seq + 20 });
        await ch.send({ t: 'availability.page', data: encodeChunk({ ...header, full: false, fromSeq: state.seq + 10, toSeq: state.seq + 20 }, good) });
      }, /starts at seq/],
      ['chunks that disagree', async (ch) => {
        await ch.send(head);
        await ch.send({ t: 'availability.page', data: encodeChunk(header, good) });
        await ch.send({ t: 'availability.page', data: encodeChunk({ ...header, toSeq: 51 }, good) });
      }, /disagree/],
      ['a message above the bound', async (ch) => {
        await ch.send(head);
        await ch.send({ t: 'availability.page', data: new Uint8Array(PROTOCOLS.feed.maxMessageBytes + 1) });
      }, /no valid message/],
    ];
    const original = t.serveB.feed;
    try {
      for (const [what, lie, reason] of lies) {
        t.serveB.feed = async (stream) => {
          const ch = new MessageChannel(stream, PROTOCOLS.feed.maxMessageBytes * 2);
          await ch.receive(AbortSignal.timeout(10_000));
          await lie(ch).catch(() => undefined);
          await ch.close();
        };
        await assert.rejects(pullFromB(), (err: unknown) => err instanceof VssError && err.code === 'PEER' && reason.test(err.message), what);
        assert.equal(snapshot(), before, `${what}: nothing changed`);
      }
    } finally {
      t.serveB.feed = original;
    }
    assert.throws(() => a.store.applyFromPeer(a.remote.deviceUuid, { epoch: header.epoch, fromSeq: 0, toSeq: 1, full: true, entries: good }), /own name/);
  });

  it('a newer peer\'s digest: entries of a sidecar kind, variant or format this device does not know are skipped, the rest taken', async () => {
    const { a, b } = t;
    const state = a.store.peerState(b.remote.deviceUuid)!;
    const header = { libraryId: a.store.libraryId, deviceUuid: b.remote.deviceUuid, epoch: state.epoch!, fromSeq: 0, toSeq: state.seq + 100, full: true };
    const known: AvailabilityEntry[] = [200, 201].map((i) => ({ contentUuid: C(i), kind: 'thumb', variant: 'grid@1x', format: 'webp', has: true, size: 10 + i, checksum: SUM(i) }));
    // Kinds, variants and formats of a vss to come: this device cannot name them, so it leaves them out.
    const newer = [
      { contentUuid: C(202), kind: 'depthmap', variant: 'default', format: 'exr', has: true, size: 5, checksum: SUM(2) },
      { contentUuid: C(203), kind: 'thumb', variant: 'grid@1x', format: 'jxl', has: true, size: 5, checksum: SUM(3) },
    ] as unknown as AvailabilityEntry[];
    const original = t.serveB.feed;
    t.serveB.feed = async (stream) => {
      const ch = new MessageChannel(stream, PROTOCOLS.feed.maxMessageBytes);
      await ch.receive(AbortSignal.timeout(10_000));
      // Its messages carry a field this device does not know, and one message is of a kind it does not know.
      await ch.send({ t: 'availability.head', epoch: header.epoch, full: true, from_seq: 0, to_seq: header.toSeq, resumable: false });
      await ch.send({ t: 'availability.page', data: encodeChunk(header, [known[0]!, newer[0]!, known[1]!, newer[1]!]), compressed: false });
      await ch.receive(AbortSignal.timeout(10_000));
      await ch.send({ t: 'progress', done: 4 });
      await ch.send({ t: 'end', pages: 1, items: 4, to_seq: header.toSeq, took_ms: 3 });
      await ch.close();
    };
    try {
      const got = await pullFromB();
      assert.deepEqual({ full: got.full, entries: got.entries, skipped: got.skipped, toSeq: got.toSeq }, { full: true, entries: 2, skipped: 2, toSeq: header.toSeq });
      assert.deepEqual(peerRows(a.lib, b.remote.deviceUuid).map((r) => r.content_uuid), [C(200), C(201)]);
      assert.equal(a.store.peerState(b.remote.deviceUuid)!.seq, header.toSeq);
    } finally {
      t.serveB.feed = original;
    }
    // Back to B's own digest: a full one, as the epoch it holds is B's own.
    b.lib.store.syncMeta.set('epoch', '0e0e0e0e-0000-4000-8000-000000000000');
    assert.equal((await pullFromB()).full, true);
  });

  it('keeps peers\' availability across closing and reopening, and goes on with deltas', async () => {
    const { a, b } = t;
    const before = peerRows(a.lib, b.remote.deviceUuid);
    const state = a.store.peerState(b.remote.deviceUuid);
    a.lib.close();
    a.lib = a.vss.openLibrary(a.lib.root);
    a.store = new Availability(a.lib);
    assert.deepEqual(peerRows(a.lib, b.remote.deviceUuid), before);
    assert.deepEqual(a.store.peerState(b.remote.deviceUuid), state);
    ready(b.lib, 60);
    const next = await pullFromB();
    assert.deepEqual({ full: next.full, entries: next.entries }, { full: false, entries: 1 });
  });

  it('sends a large digest in acked chunks and takes it whole', async () => {
    const { a, b } = t;
    const local = b.lib.store.availability;
    const n = PAGE_ENTRIES * 2 + 100;
    b.lib.store.transaction(() => {
      for (let i = 0; i < n; i++) local.set(C(100_000 + i), 'thumb', 'icon@1x', 'webp', true, i, SUM(i), 0);
    });
    const got = await pullFromB();
    assert.deepEqual({ full: got.full, entries: got.entries }, { full: false, entries: n });
    assert.equal(a.store.peerState(b.remote.deviceUuid)!.entries, peerRows(a.lib, b.remote.deviceUuid).filter((r) => r.has === 1).length);
  });

  it('forgets an unpaired device: its entries, its sync state, its suspects', () => {
    const { a, b } = t;
    const index = new PresenceIndex(a.lib);
    try {
      assert.deepEqual(index.presence([C(60)], 'thumb', ['grid@1x'])[0]!.devices, [b.remote.deviceUuid]);
      a.lib.store.availabilitySuspects.mark({ content_uuid: C(60), kind: 'thumb', variant: 'grid@1x', device_uuid: b.remote.deviceUuid, checksum: SUM(60), reason: 'lied', at: 0 });
      assert.ok(a.store.removeDevice(b.remote.deviceUuid).entries > 0);
      assert.deepEqual(peerRows(a.lib, b.remote.deviceUuid), []);
      assert.equal(a.store.peerState(b.remote.deviceUuid), undefined);
      assert.deepEqual(a.lib.store.availabilitySuspects.ofDevice(b.remote.deviceUuid), []);
      assert.deepEqual(index.presence([C(60)], 'thumb', ['grid@1x'])[0]!.devices, []);
      assert.throws(() => a.store.removeDevice(a.remote.deviceUuid), /own availability/);
    } finally {
      index.close();
    }
  });
});
