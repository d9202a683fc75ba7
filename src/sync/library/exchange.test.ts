import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { Stream } from '@libp2p/interface';
import { Installation } from '../../library/installation.js';
import type { Library } from '../../library/library.js';
import { addLocation, scanLocation } from '../../locations/locations.js';
import { PeerChannel } from '../messages/channel.js';
import { PeerNode } from '../net/peer-node.js';
import type { RemoteDevice } from '../peer-link.js';
import { tempDir } from '../../../test/helpers.js';
import { loopSkipReason, makeLoopVolume } from '../../../test/loop-volume.js';
import { pullLibrary, serveLibrary } from './exchange.js';
import { ownerChanges } from './owner-changes.js';
import { PeerLibrary } from './peer-library.js';
import { serveOriginal } from './originals.js';
import { getOriginal } from './get-original.js';

const LOOPBACK = ['/ip4/127.0.0.1/tcp/0'];

interface Side {
  lib: Library;
  node: PeerNode;
  remote: RemoteDevice;
}

/**
 * Two devices with their own folder of one library (same id, as pairing leaves them), B's node
 * serving the device-owned rows feed (/vss/feed/1.0.0) on loopback through `serveB.handler`, which a test can swap for a
 * lying or failing owner.
 */
async function twoDevices(root: string) {
  const mk = (name: string) => {
    const vss = new Installation({ dataDir: join(root, name, 'data') });
    return { vss, lib: vss.createLibrary('Shared', join(root, name)) };
  };
  const A = mk('a');
  const B = mk('b');
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
  const a: Side = { lib: A.lib, node: nodeA, remote: { deviceUuid: A.lib.device.uuid, peerId: ids.a, name: 'a', libraryIds: [libId], publicKey: A.lib.device.publicKey } };
  const b: Side = { lib: B.lib, node: nodeB, remote: { deviceUuid: B.lib.device.uuid, peerId: ids.b, name: 'b', libraryIds: [libId], publicKey: B.lib.device.publicKey } };
  const serveB = { handler: (stream: Stream) => serveLibrary(stream, a.remote, (id) => (id === libId ? b.lib : undefined)) };
  await nodeB.handle('feed', (stream) => serveB.handler(stream));
  const originalB = { handler: (stream: Stream) => serveOriginal(stream, a.remote, (id) => (id === libId ? b.lib : undefined)) };
  await nodeB.handle('original', (stream) => originalB.handler(stream));
  const peersOfA = new PeerLibrary(a.lib);
  return {
    a, b, serveB, originalB, peersOfA, libId,
    /** A's network as getOriginal sees it: B connected. */
    peersOfNet: { connected: () => [b.remote], open: (_peer: string, protocol: 'original') => nodeA.open(nodeB.addresses()[0]!, protocol) },
    /** A pulls B's rows. */
    pull: async () => pullLibrary(await nodeA.open(nodeB.addresses()[0]!, 'feed'), peersOfA, b.remote, libId),
    async close() {
      await Promise.all([nodeA.stop(), nodeB.stop()]);
      a.lib.close();
      b.lib.close();
    },
  };
}

/** A's copy of B's folder, as `name kind size content?` lines. */
function listing(lib: Library, owner: string, locationId: number, dir: string): string[] {
  return lib.store.peerEntries.listing(owner, locationId, dir).map((e) => `${e.name} ${e.kind} ${e.size}${e.content_uuid ? ' c' : ''}`);
}

function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

describe('library sync: an owner\'s rows pulled by a paired device (DESIGN §15)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let t: Awaited<ReturnType<typeof twoDevices>>;
  let tree: string;
  let locationId: number;

  before(async () => {
    tmp = tempDir('vss-libsync-');
    t = await twoDevices(tmp.path);
    tree = join(tmp.path, 'photos');
    write(join(tree, 'a.txt'), 'alpha');
    write(join(tree, '2024', 'trip', 'b.txt'), 'bravo');
    write(join(tree, '2024', 'c.txt'), 'charlie');
    write(join(tree, 'old', 'x', 'y.txt'), 'yankee');
    locationId = addLocation(t.b.lib, tree, { mode: 'content', name: 'Photos' }).id;
    await scanLocation(t.b.lib, locationId);
  });
  after(async () => {
    await t.close();
    tmp.cleanup();
  });

  it('a first pull copies every folder, file and content fact, and names the owner', async () => {
    const got = await t.pull();
    assert.equal(got.full, true);
    const owner = t.b.lib.device.uuid;
    assert.deepEqual(listing(t.a.lib, owner, locationId, ''), ['2024 dir 0', 'a.txt file 5 c', 'old dir 0']);
    assert.deepEqual(listing(t.a.lib, owner, locationId, '2024'), ['c.txt file 7 c', 'trip dir 0']);
    assert.deepEqual(listing(t.a.lib, owner, locationId, '2024/trip'), ['b.txt file 5 c']);
    const loc = t.a.lib.store.peerLocations.ofDevice(owner);
    assert.equal(loc.length, 1);
    assert.equal(loc[0]!.name, 'Photos');
    const a = t.a.lib.store.peerEntries.get(owner, locationId, '', 'a.txt')!;
    const local = t.b.lib.store.contents.byUuid(a.content_uuid!)!;
    const { id, ...facts } = t.a.lib.store.peerContents.get(owner, a.content_uuid!)!;
    assert.ok(id > 0);
    assert.deepEqual(facts, {
      device_uuid: owner, content_uuid: local.uuid, cas_id: local.cas_id, cas_version: local.cas_version, kind: local.kind, mime: local.mime, size: 5, media_metadata: null,
    });
    assert.equal(t.a.lib.store.devices.byUuid(owner)?.name, t.b.lib.device.name);
    // When the owner last verified each file's bytes travels with it (issue 30).
    const verified = t.b.lib.store.entries.fileEntriesOfContent(a.content_uuid!)[0]!.verified_at;
    assert.ok(verified !== null && verified > 0, 'the owner verified the file when it hashed it');
    assert.equal(a.verified_at, verified);
  });

  it('then only what changed comes: a file added, a folder removed as one fact', async () => {
    write(join(tree, '2024', 'trip', 'new.txt'), 'new file');
    rmSync(join(tree, 'old'), { recursive: true });
    await scanLocation(t.b.lib, locationId);
    const got = await t.pull();
    assert.equal(got.full, false);
    const owner = t.b.lib.device.uuid;
    assert.deepEqual(listing(t.a.lib, owner, locationId, '2024/trip'), ['b.txt file 5 c', 'new.txt file 8 c']);
    assert.deepEqual(listing(t.a.lib, owner, locationId, ''), ['2024 dir 0', 'a.txt file 5 c']);
    assert.deepEqual(listing(t.a.lib, owner, locationId, 'old/x'), [], 'nothing stays beneath a removed folder');
    // Only the folders whose listing changed travelled: the root (old gone), 2024 (trip's time
    // changed) and 2024/trip (a file added): 6 entries, not the whole tree.
    assert.equal(got.entries, 6);
    const again = await t.pull();
    assert.equal(again.entries, 0, 'nothing new: nothing sent');
  });

  it('refuses rows that speak for another device, and writes nothing of them', async () => {
    const before = listing(t.a.lib, t.b.lib.device.uuid, locationId, '');
    const liar = '0f0f0f0f-0000-4000-8000-000000000001';
    t.serveB.handler = async (stream) => {
      const ch = new PeerChannel(stream, 'feed');
      await ch.receive(['feed.pull']);
      const { head } = ownerChanges(t.b.lib, { epoch: null, seq: 0 });
      await ch.send('feed.library.head', { ...head, device: { ...head.device, uuid: liar } });
      await ch.send('feed.library.page', { folders: [{ location: locationId, path: '', id: 1, seq: 1, whole: true, entries: [['forged.txt', 'file', 1, 0, null]] }], contents: [] });
      await ch.close();
    };
    await assert.rejects(t.pull(), /speak for device/);
    assert.equal(t.a.lib.store.peerEntries.listing(liar, locationId, '').length, 0);
    assert.deepEqual(listing(t.a.lib, t.b.lib.device.uuid, locationId, ''), before);
  });

  it('refuses a page naming a location its owner did not announce', async () => {
    t.serveB.handler = async (stream) => {
      const ch = new PeerChannel(stream, 'feed');
      const req = await ch.receive(['feed.pull']);
      const { head } = ownerChanges(t.b.lib, { epoch: req.body.epoch ?? null, seq: req.body.seq ?? 0 });
      await ch.send('feed.library.head', head);
      await ch.send('feed.library.page', { folders: [{ location: 999, path: '', id: 1, seq: head.to_seq, whole: true, entries: [['sneaky.txt', 'file', 1, 0, null]] }], contents: [] });
      await ch.close();
    };
    await assert.rejects(t.pull(), /did not announce/);
    assert.equal(t.a.lib.store.peerEntries.listing(t.b.lib.device.uuid, 999, '').length, 0);
  });

  it('refuses a page whose file holds a content the page does not describe, and writes nothing of it', async () => {
    const before = listing(t.a.lib, t.b.lib.device.uuid, locationId, '');
    t.serveB.handler = async (stream) => {
      const ch = new PeerChannel(stream, 'feed');
      const req = await ch.receive(['feed.pull']);
      const { head } = ownerChanges(t.b.lib, { epoch: req.body.epoch ?? null, seq: req.body.seq ?? 0 });
      await ch.send('feed.library.head', head);
      await ch.send('feed.library.page', {
        folders: [{ location: locationId, path: '', id: 1, seq: head.to_seq, whole: true, entries: [['bare.txt', 'file', 1, 0, '0f0f0f0f-0000-5000-8000-000000000002']] }], contents: [],
      });
      await ch.close();
    };
    await assert.rejects(t.pull(), /does not describe/);
    assert.deepEqual(listing(t.a.lib, t.b.lib.device.uuid, locationId, ''), before);
  });

  it('takes a page without verified times (an older vss) with none, and refuses one whose times do not match its listing', async () => {
    const owner = t.b.lib.device.uuid;
    const serve = (change: (f: Record<string, unknown>) => void) => async (stream: Stream) => {
      const ch = new PeerChannel(stream, 'feed');
      await ch.receive(['feed.pull']);
      // A full copy: every folder, each as the owner sends it, changed by CHANGE.
      const { head, pages } = ownerChanges(t.b.lib, { epoch: null, seq: 0 });
      await ch.send('feed.library.head', head);
      let sent = 0;
      let items = 0;
      for (const page of pages()) {
        for (const f of page.folders) {
          change(f);
          items += f.entries.length;
        }
        await ch.send('feed.library.page', page);
        sent++;
        await ch.receive(['feed.ack']);
      }
      await ch.send('feed.end', { pages: sent, items, to_seq: head.to_seq });
      await ch.close();
    };
    t.a.lib.store.feedCursors.remove(owner, 'library');
    t.serveB.handler = serve((f) => f.verified = [0]);
    await assert.rejects(t.pull(), /says when 1 entries were verified; it lists 2/);
    t.a.lib.store.feedCursors.remove(owner, 'library');
    t.serveB.handler = serve((f) => delete f.verified);
    await t.pull();
    assert.equal(t.a.lib.store.peerEntries.get(owner, locationId, '', 'a.txt')!.verified_at, null);
    t.serveB.handler = (stream) => serveLibrary(stream, t.a.remote, (id) => (id === t.libId ? t.b.lib : undefined));
    t.a.lib.store.feedCursors.remove(owner, 'library');
    await t.pull();
    assert.ok(t.a.lib.store.peerEntries.get(owner, locationId, '', 'a.txt')!.verified_at! > 0);
  });

  it('a pull cut off after some pages resumes from the last page applied, with no row twice or lost', async () => {
    // Many folders, so a full copy takes several pages.
    for (let d = 0; d < 40; d++) for (let f = 0; f < 150; f++) write(join(tree, 'many', `d${d}`, `f${f}.txt`), `${d}-${f}`);
    await scanLocation(t.b.lib, locationId);
    // A new epoch on A's side of its cursor makes the next pull a full copy.
    t.a.lib.store.feedCursors.remove(t.b.lib.device.uuid, 'library');
    let pagesSent = 0;
    t.serveB.handler = async (stream) => {
      const ch = new PeerChannel(stream, 'feed');
      const req = await ch.receive(['feed.pull']);
      const { head, pages } = ownerChanges(t.b.lib, { epoch: req.body.epoch ?? null, seq: req.body.seq ?? 0 });
      await ch.send('feed.library.head', head);
      for (const page of pages()) {
        await ch.send('feed.library.page', page);
        await ch.receive(['feed.ack']);
        if (++pagesSent === 1) break; // the owner goes away after one page
      }
      await ch.close();
    };
    await assert.rejects(t.pull());
    const pending = new PeerLibrary(t.a.lib).state(t.b.lib.device.uuid)?.pending;
    assert.ok(pending && pending.full && pending.afterId > 0, `a pull to resume: ${JSON.stringify(pending)}`);
    t.serveB.handler = (stream) => serveLibrary(stream, t.a.remote, (id) => (id === t.libId ? t.b.lib : undefined));
    const got = await t.pull();
    assert.equal(got.resumed, true);
    const owner = t.b.lib.device.uuid;
    assert.equal(t.a.lib.store.peerEntries.count(owner).files, 6004);
    assert.equal(listing(t.a.lib, owner, locationId, 'many/d39').length, 150);
    assert.equal(new PeerLibrary(t.a.lib).state(owner)?.pending, null);
  });

  it('copies an original from the device that holds it, verified, and never overwrites a file', async () => {
    const dest = join(tmp.path, 'desktop');
    mkdirSync(dest);
    const owner = t.b.lib.device.uuid;
    await t.pull();
    const a = t.a.lib.store.peerEntries.get(owner, locationId, '', 'a.txt')!;
    const got = await getOriginal(t.a.lib, a.content_uuid!, dest, t.peersOfNet as never);
    assert.equal(got.path, join(dest, 'a.txt'));
    assert.equal(readFileSync(got.path, 'utf8'), 'alpha');
    assert.equal(got.from, owner);
    assert.equal(got.bytes_received, 5);
    const again = await getOriginal(t.a.lib, `${owner}:/Photos/2024/c.txt`, dest, t.peersOfNet as never);
    assert.equal(readFileSync(again.path, 'utf8'), 'charlie');
    const twice = await getOriginal(t.a.lib, a.content_uuid!, dest, t.peersOfNet as never);
    assert.equal(twice.path, join(dest, 'a (2).txt'), 'an existing file is never overwritten');
  });

  it('an original copied into a location of this device is in its index at once, as any landing (issue 57)', async () => {
    const mine = join(tmp.path, 'a-photos');
    mkdirSync(mine);
    const id = addLocation(t.a.lib, mine, { name: 'Mine' }).id;
    const owner = t.b.lib.device.uuid;
    await t.pull();
    const b = t.a.lib.store.peerEntries.get(owner, locationId, '2024/trip', 'b.txt')!;
    const got = await getOriginal(t.a.lib, b.content_uuid!, mine, t.peersOfNet as never);
    assert.equal(got.path, join(mine, 'b.txt'));
    // No scan ran: the landing told the index, linked by the BLAKE3 the bytes were verified against.
    const entry = t.a.lib.store.entries.fileAt(id, 'b.txt');
    assert.ok(entry?.content_uuid, 'indexed once landed');
    assert.equal(t.a.lib.store.contents.byUuid(entry.content_uuid)?.cas_id, t.a.lib.store.peerContents.get(owner, b.content_uuid!)!.cas_id);
  });

  it('an original asked into a location whose drive is unplugged is refused as offline, and nothing is written under the mount point it left (S1)', { skip: loopSkipReason() }, async () => {
    const drive = makeLoopVolume({ sizeMiB: 16 });
    try {
      const mount = drive.mountPoint!;
      addLocation(t.a.lib, mount, { name: 'Stick' });
      const owner = t.b.lib.device.uuid;
      const a = t.a.lib.store.peerEntries.get(owner, locationId, '', 'a.txt')!;
      drive.unplug();
      await assert.rejects(getOriginal(t.a.lib, a.content_uuid!, mount, t.peersOfNet as never), /location "Stick" is offline/);
      assert.deepEqual(readdirSync(mount), [], 'nothing under the mount point: no partial, no file');
    } finally {
      drive.remove();
    }
  });

  it('a device serving other bytes than the content is caught, and nothing is kept', async () => {
    const dest = join(tmp.path, 'lies');
    mkdirSync(dest);
    const owner = t.b.lib.device.uuid;
    const a = t.a.lib.store.peerEntries.get(owner, locationId, '', 'a.txt')!;
    const facts = t.a.lib.store.peerContents.get(owner, a.content_uuid!)!;
    t.originalB.handler = async (stream) => {
      const ch = new PeerChannel(stream, 'original');
      await ch.receive(['original.request']);
      // The right header, the wrong bytes (same length).
      await ch.send('original.item', { size: 5, offset: 0, cas_id: facts.cas_id, cas_version: facts.cas_version });
      await ch.writeBytes(Buffer.from('ALPHA'));
      await ch.close();
    };
    await assert.rejects(getOriginal(t.a.lib, a.content_uuid!, dest, t.peersOfNet as never), /are not content/);
    assert.deepEqual(readdirSync(dest), [], 'no file and no partial left');
    t.originalB.handler = (stream) => serveOriginal(stream, t.a.remote, (id) => (id === t.libId ? t.b.lib : undefined));
  });

  it('unpairing drops every row of the device', async () => {
    const owner = t.b.lib.device.uuid;
    new PeerLibrary(t.a.lib).removeDevice(owner);
    assert.deepEqual(t.a.lib.store.peerEntries.count(owner), { files: 0, dirs: 0 });
    assert.equal(t.a.lib.store.peerLocations.ofDevice(owner).length, 0);
    assert.equal(t.a.lib.store.peerContents.count(owner), 0);
    assert.equal(t.a.lib.store.devices.byUuid(owner), undefined);
  });

  it('a device removed while its rows are pulled leaves none behind: the pages after its removal are refused', async () => {
    const owner = t.b.lib.device.uuid;
    let pagesSent = 0;
    t.serveB.handler = async (stream) => {
      const ch = new PeerChannel(stream, 'feed');
      const req = await ch.receive(['feed.pull']);
      const { head, pages } = ownerChanges(t.b.lib, { epoch: req.body.epoch ?? null, seq: req.body.seq ?? 0 });
      await ch.send('feed.library.head', head);
      let items = 0;
      try {
        for (const page of pages()) {
          await ch.send('feed.library.page', page);
          await ch.receive(['feed.ack']);
          for (const f of page.folders) items += f.entries.length;
          // Unpaired on A between two pages: what the pull takes from here on must not bring it back.
          if (++pagesSent === 1) new PeerLibrary(t.a.lib).removeDevice(owner);
        }
        await ch.send('feed.end', { pages: pagesSent, items, to_seq: head.to_seq });
      } catch {
        // A hung up once it refused: nothing more to send.
      }
      await ch.close();
    };
    await assert.rejects(t.pull(), /removed while its rows were pulled/);
    assert.ok(pagesSent > 1, 'the owner sent pages after the removal');
    assert.deepEqual(t.a.lib.store.peerEntries.count(owner), { files: 0, dirs: 0 });
    assert.equal(t.a.lib.store.peerLocations.ofDevice(owner).length, 0);
    assert.equal(t.a.lib.store.peerContents.count(owner), 0);
  });
});

describe('library sync: an owner with no folders of its own', () => {
  it('answers every pull with a full copy of nothing, which is news the first time only (members with none had pulled each other on end)', async () => {
    const tmp = tempDir('vss-libsync-empty-');
    const t = await twoDevices(tmp.path);
    try {
      const first = await t.pull();
      assert.equal(first.full, true);
      assert.equal(first.entries, 0);
      assert.equal(first.news, true, 'the owner\'s place in its feed is new here');
      for (let i = 0; i < 3; i++) {
        const again = await t.pull();
        assert.equal(again.full, true, 'seq 0 asks a full copy');
        assert.equal(again.news, false, `pull ${i + 2}: nothing changed`);
      }
      // Its first folder is news again.
      const tree = join(tmp.path, 'later');
      write(join(tree, 'a.txt'), 'alpha');
      const loc = addLocation(t.b.lib, tree, { mode: 'content', name: 'Later' }).id;
      await scanLocation(t.b.lib, loc);
      const after = await t.pull();
      assert.ok(after.entries > 0);
      assert.equal(after.news, true);
      assert.equal((await t.pull()).news, false);
      // A location gone offline (its drive unplugged) numbers no folder: news all the same (it is shown).
      t.b.lib.store.locations.setOnline(loc, false);
      assert.equal((await t.pull()).news, true);
      assert.equal((await t.pull()).news, false);
    } finally {
      await t.close();
      tmp.cleanup();
    }
  });
});
