import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from '@msgpack/msgpack';
import { MessageChannel } from '../net/message-channel.js';
import pino from 'pino';
import { tempDir } from '../../../test/helpers.js';
import { makeDevice, pairAndConnect, type TestDevice } from '../../../test/sync-peers.js';
import { copyLocksOf } from '../../guardian/copy-locks.js';
import { MAX_LOCK_COPIES, weighDrop, type RemoteCopy } from '../../guardian/guard.js';
import { setPolicy } from '../../guardian/policy.js';
import type { Library } from '../../library/library.js';
import { addLocation, scanLocation } from '../../locations/locations.js';
import { PROTOCOLS } from '../messages/table.js';
import { deviceWitnesses, lockCopies } from './lock-copies.js';
import { serveLock } from './serve-lock.js';

/** Up to MS for CHECK to hold, looked at every 10 ms: a lock ends when its stream does, a moment after. */
async function eventually(what: string, ms: number, check: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * /vss/lock between real libp2p nodes on loopback (Noise, Yamux), over real libraries: Alpha asks,
 * Bravo holds (serveLock, as the daemon's node serves it, over Bravo's library and its Guardian's
 * lockForPeer). Each holds the same photo, indexed by a real scan; what Alpha knows of Bravo's
 * copy is written through its stores as Bravo's rows feed would.
 */
describe('/vss/lock: a copy locked for another device\'s drop', () => {
  const tmp = tempDir('vss-lock-');
  let alpha: TestDevice;
  let bravo: TestDevice;
  /** A device paired with both that serves no /vss/lock (a vss from before it). */
  let older: TestDevice;
  const photo = Buffer.from('a photo both devices hold '.repeat(64));
  let bravoCopy: RemoteCopy;
  let bravoFile: { locationId: number; rel: string };
  let alphaLeaving: { locationId: number; rel: string; path: string };

  /** A location of DEV holding PHOTO as `shared.jpg`, scanned. */
  const holding = async (dev: TestDevice) => {
    const dir = join(tmp.path, `${dev.name}-photos`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'shared.jpg'), photo);
    const loc = addLocation(dev.lib, dir, { name: 'Photos' });
    await scanLocation(dev.lib, loc.id);
    return { loc, dir, content: dev.lib.store.entries.fileAt(loc.id, 'shared.jpg')!.content_uuid! };
  };

  /** ME knows THEM's copy of the photo, as THEM's rows feed would have said it. */
  const knowsOf = (me: Library, them: Library, name: string, locId: number) => {
    const loc = them.store.locations.byId(locId)!;
    const content = them.store.contents.byUuid(them.store.entries.fileAt(locId, 'shared.jpg')!.content_uuid!)!;
    const device = them.device.uuid;
    me.store.transaction(() => {
      me.store.devices.upsertPeer({ uuid: device, name, publicKey: '', os: 'linux' }, Date.now());
      me.store.peerLocations.replace(device, [{ location_id: loc.id, uuid: loc.uuid, name: 'Photos', path: loc.path, index_mode: 'content', files: 1, dirs: 0, bytes: photo.length }]);
      const ids = me.store.peerContents.putMany(device, [{ content_uuid: content.uuid, cas_id: content.cas_id, cas_version: content.cas_version, kind: content.kind, mime: content.mime, size: content.size, media_metadata: null }]);
      me.store.peerEntries.putMany(device, loc.id, '', [{ name: 'shared.jpg', kind: 'file', size: photo.length, mtime_ms: 0, content_uuid: content.uuid, verified_at: Date.now() }], 1, ids);
    });
  };

  const serve = (dev: TestDevice) => dev.node.handle('lock', (stream, peer) => serveLock(stream, dev.remotes.get(peer)!, (id) => (id === dev.lib.config.id ? dev.lib : undefined), pino({ level: 'silent' })));
  const libraryId = () => alpha.lib.config.id;
  const ask = (copies: RemoteCopy[] = [bravoCopy], ms?: number, lib = libraryId()) => lockCopies(alpha.link(), bravo.lib.device.uuid, lib, copies, undefined, ms);
  const lockedOnBravo = () => copyLocksOf(bravo.lib).lockedBy(bravoFile);

  before(async () => {
    alpha = await makeDevice(tmp.path, 'Alpha');
    bravo = await makeDevice(tmp.path, 'Bravo', alpha.lib.config.id);
    older = await makeDevice(tmp.path, 'Older', alpha.lib.config.id);
    await pairAndConnect(alpha, bravo);
    await pairAndConnect(alpha, older);
    await Promise.all([serve(alpha), serve(bravo)]);
    const a = await holding(alpha);
    const b = await holding(bravo);
    bravoCopy = { content_uuid: b.content, location: b.loc.uuid, rel_path: 'shared.jpg', size: photo.length };
    bravoFile = { locationId: b.loc.id, rel: 'shared.jpg' };
    alphaLeaving = { locationId: a.loc.id, rel: 'shared.jpg', path: join(a.dir, 'shared.jpg') };
    knowsOf(alpha.lib, bravo.lib, 'Bravo', b.loc.id);
    knowsOf(bravo.lib, alpha.lib, 'Alpha', a.loc.id);
    setPolicy(alpha.lib, { copies: 1 });
    setPolicy(bravo.lib, { copies: 1 });
  });
  after(async () => {
    await Promise.all([alpha?.stop(), bravo?.stop(), older?.stop()]);
    tmp.cleanup();
  });

  it('a copy locked is held by the holder, named by the asker\'s device name, until released', async () => {
    const lock = await ask();
    assert.deepEqual([[...lock.held], [...lock.refused]], [[0], []]);
    assert.equal(lock.alive(), true);
    assert.equal(lockedOnBravo(), 'Alpha', 'Bravo\'s own drop of it waits, naming Alpha');
    await lock.release();
    assert.equal(lock.alive(), false);
    assert.equal(lockedOnBravo(), undefined, 'released once the holder said so');
  });

  it('each copy not held is refused with why: another content there, a location not the holder\'s, one it is dropping itself', async () => {
    const ending = copyLocksOf(bravo.lib).markGoing([bravoFile]);
    const going = await ask();
    ending();
    const other = await ask([
      { ...bravoCopy, content_uuid: '00000000-0000-5000-8000-000000000001' },
      { ...bravoCopy, location: '00000000-0000-4000-a000-000000000009' },
      bravoCopy,
    ]);
    try {
      assert.deepEqual([...going.held], []);
      assert.deepEqual([...going.refused.values()], ['this device is deleting or moving it now']);
      assert.equal(going.alive(), true, 'a lock holding nothing has nothing a drop leans on');
      assert.deepEqual([...other.held], [2]);
      assert.deepEqual([...other.refused], [[0, 'the file is not there as that content (moved, deleted or changed)'], [1, 'no such location on this device']]);
    } finally {
      await Promise.all([going.release(), other.release()]);
    }
  });

  it('a library the asker does not share, or that is not open there, is refused whole; a vss without the protocol says so', async () => {
    const stranger = '00000000-0000-4000-8000-0000000000aa';
    await assert.rejects(ask([bravoCopy], undefined, stranger), /it refused: library 00000000-0000-4000-8000-0000000000aa is not shared with Alpha/);
    bravo.remotes.get(alpha.node.peerId)!.libraryIds = [libraryId(), stranger];
    try {
      await assert.rejects(ask([bravoCopy], undefined, stranger), /is not open on this device now/);
    } finally {
      bravo.remotes.get(alpha.node.peerId)!.libraryIds = [libraryId()];
    }
    await assert.rejects(lockCopies(alpha.link(), older.lib.device.uuid, libraryId(), [bravoCopy]), /does not serve \/vss\/lock\/1\.0\.0/);
    await assert.rejects(lockCopies(alpha.link(), '00000000-0000-4000-8000-0000000000bb', libraryId(), [bravoCopy]), /not connected/);
    await assert.rejects(ask(Array.from({ length: MAX_LOCK_COPIES + 1 }, () => bravoCopy)), /at most 1000 copies/);
  });

  it('bounded: an ask of more copies than a lock takes, or a path longer than any, is refused by the holder\'s decoder', async () => {
    const raw = async (body: unknown) => {
      const ch = new MessageChannel(await alpha.node.open(bravo.node.peerId, 'lock'), PROTOCOLS.lock.maxMessageBytes);
      await ch.send(body);
      const answer = await ch.receive(AbortSignal.timeout(10_000));
      await ch.close();
      return answer as { t: string; reason?: string };
    };
    const many = await raw({ t: 'ask', library_id: libraryId(), ms: 1000, copies: Array.from({ length: MAX_LOCK_COPIES + 1 }, () => bravoCopy) });
    assert.equal(many.t, 'error');
    assert.match(many.reason!, /does not decode.*array length/);
    const long = await raw({ t: 'ask', library_id: libraryId(), ms: 1000, copies: [{ ...bravoCopy, rel_path: 'x'.repeat(5000) }] });
    assert.equal(long.t, 'error');
    assert.match(long.reason!, /does not decode|rel_path: expected a string of at most 4096/);
    assert.equal(lockedOnBravo(), undefined);
    // A frame above the protocol's bound is not even read.
    assert.ok(PROTOCOLS.lock.maxMessageBytes < 5 * 1024 * 1024);
  });

  it('one drop asks a device on one stream, however many copies: its locks held together, the stream released with the last of them', async () => {
    const link = alpha.link();
    let opened = 0;
    const counted = { ...link, open: (peer: string, protocol: Parameters<typeof link.open>[1], signal?: AbortSignal) => { if (protocol === 'lock') opened++; return link.open(peer, protocol, signal); } };
    const w = deviceWitnesses(counted, libraryId());
    // More asks than the protocol takes streams at once from one device (16): one stream holds them all.
    const asks = PROTOCOLS.lock.maxInboundStreams + 4;
    const locks = [];
    for (let i = 0; i < asks; i++) locks.push(await w.lock(bravo.lib.device.uuid, Array.from({ length: MAX_LOCK_COPIES }, () => bravoCopy)));
    try {
      assert.equal(opened, 1);
      assert.ok(locks.every((l) => l.held.size === MAX_LOCK_COPIES && l.alive()));
      await Promise.all(locks.slice(1).map((l) => l.release()));
      assert.equal(lockedOnBravo(), 'Alpha', 'held while one lock of the stream is');
      assert.equal(locks[0]!.alive(), true);
    } finally {
      await locks[0]?.release();
    }
    assert.equal(lockedOnBravo(), undefined, 'the last release ends the stream and its locks');
    // Asked again after that: a stream of its own.
    const next = await w.lock(bravo.lib.device.uuid, [bravoCopy]);
    assert.equal(opened, 2);
    await next.release();
  });

  it('the lock ends with its time: the holder lets go and closes, the asker sees it gone', async () => {
    const lock = await ask([bravoCopy], 300);
    assert.equal(lockedOnBravo(), 'Alpha');
    await eventually('the holder let go at its time', 5_000, () => lockedOnBravo() === undefined);
    assert.equal(lock.alive(), false);
    await lock.release();
  });

  it('the lock ends with its stream: the asker gone (its connection lost), the holder lets go', async () => {
    const lock = await ask();
    assert.equal(lockedOnBravo(), 'Alpha');
    await alpha.node.hangUp(bravo.node.peerId);
    await eventually('the holder let go once the stream was gone', 5_000, () => lockedOnBravo() === undefined);
    await eventually('the asker sees its lock gone', 5_000, () => !lock.alive());
    await lock.release();
    await alpha.node.connect(bravo.node.addresses()[0]!, AbortSignal.timeout(10_000));
    await eventually('reconnected', 10_000, () => bravo.node.connectedPeers().includes(alpha.node.peerId));
  });

  it('the guard over the wire: Alpha\'s drop leans on Bravo\'s locked copy, and Bravo\'s own drop of it waits; two drops at once never both go', async () => {
    const witnesses = (dev: TestDevice) => ({ devices: deviceWitnesses(dev.link(), libraryId()) });
    const hold = await weighDrop(alpha.lib, [alphaLeaving], witnesses(alpha));
    try {
      assert.deepEqual(hold.below, []);
      assert.equal(hold.holds(), true);
      const theirs = await weighDrop(bravo.lib, [{ ...bravoFile, path: join(tmp.path, 'Bravo-photos', 'shared.jpg') }], witnesses(bravo));
      assert.equal(theirs.lockedBy?.device, 'Alpha');
      await theirs.release();
    } finally {
      await hold.release();
    }
    assert.equal(lockedOnBravo(), undefined);
    // Both at once, several rounds: at most one may go (here each finds the other's copy going, or locked).
    for (let round = 0; round < 5; round++) {
      const [a, b] = await Promise.all([
        weighDrop(alpha.lib, [alphaLeaving], witnesses(alpha)),
        weighDrop(bravo.lib, [{ ...bravoFile, path: join(tmp.path, 'Bravo-photos', 'shared.jpg') }], witnesses(bravo)),
      ]);
      const goes = [a, b].filter((h) => h.below.length === 0 && h.lockedBy === undefined).length;
      await Promise.all([a.release(), b.release()]);
      assert.ok(goes <= 1, `round ${round}: ${goes} drops would go`);
    }
  });
});
