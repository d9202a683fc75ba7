import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { Stream } from '@libp2p/interface';
import pino from 'pino';
import { tempDir } from '../../../test/helpers.js';
import { loopSkipReason, makeLoopVolume } from '../../../test/loop-volume.js';
import { VssError } from '../../core/errors.js';
import { Installation } from '../../library/installation.js';
import type { Library } from '../../library/library.js';
import { addLocation } from '../../locations/locations.js';
import { PeerNode } from '../net/peer-node.js';
import type { RemoteDevice } from '../peer-link.js';
import { placeInLocation } from './into-location.js';
import type { PlaceRequest } from './drop-place.js';
import { serveDrop } from './receive.js';
import { DropRefused, sendDrop, type DropItem } from './send.js';

const LOOPBACK = ['/ip4/127.0.0.1/tcp/0'];

/**
 * /vss/drop's `place` between two nodes on loopback: A offers files into a folder of B's location;
 * B's handler is the daemon's (serveDrop with placeInLocation over a real library). Whatever A
 * names, B writes only inside a location of its own, in a library A shares.
 */
describe('drop into a location: the receiver\'s checks', () => {
  const tmp = tempDir('vss-place-');
  const src = join(tmp.path, 'src');
  const photos = join(tmp.path, 'photos');
  const outside = join(tmp.path, 'outside');
  let lib: Library;
  let location = '';
  let nodeA: PeerNode;
  let nodeB: PeerNode;
  const remoteA: RemoteDevice = { deviceUuid: randomUUID(), peerId: '', name: 'Laptop', libraryIds: [] };
  const open = () => nodeA.open(nodeB.addresses()[0]!, 'drop');
  const file = (name: string, bytes: Buffer): DropItem => {
    writeFileSync(join(src, name), bytes);
    // As the job offers it: no BLAKE3 (taken as the bytes go), its time (how an offer made again is known).
    return { path: join(src, name), root: src, name, size: bytes.length, mtime_ms: Math.floor(statSync(join(src, name)).mtimeMs) };
  };
  const resolve = (r: RemoteDevice, req: PlaceRequest) => placeInLocation((id) => (id === lib.config.id ? lib : undefined), r, req);
  /** The daemon's place, swapped by a test that does something between it and the bytes. */
  let placing = resolve;
  const into = (over: Partial<PlaceRequest> = {}): PlaceRequest => ({ library: lib.config.id, location, dir: 'in', onConflict: 'keep-both', ...over });
  const refusal = async (req: PlaceRequest): Promise<string> => {
    const err = await sendDrop(await open(), randomUUID(), [file('x.txt', Buffer.from('x'))], { into: req }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof DropRefused, `refused (${String(err)})`);
    return err.reason;
  };

  before(async () => {
    for (const d of [src, photos, outside]) mkdirSync(d, { recursive: true });
    const vss = new Installation({ dataDir: join(tmp.path, 'data') });
    lib = vss.createLibrary('Shared', tmp.path);
    location = addLocation(lib, photos, { name: 'Photos' }).uuid;
    remoteA.libraryIds = [lib.config.id];
    const [ka, kb] = [await generateKeyPair('Ed25519'), await generateKeyPair('Ed25519')];
    const ids = { a: '', b: '' };
    nodeA = await PeerNode.start({ privateKey: ka, listen: LOOPBACK, admit: (p) => p === ids.b, isPaired: (p) => p === ids.b });
    nodeB = await PeerNode.start({ privateKey: kb, listen: LOOPBACK, admit: (p) => p === ids.a, isPaired: (p) => p === ids.a });
    ids.a = nodeA.peerId;
    ids.b = nodeB.peerId;
    remoteA.peerId = ids.a;
    await nodeB.handle('drop', (stream: Stream) => serveDrop(stream, remoteA, {
      inbox: () => join(tmp.path, 'inbox'), isPaired: () => true, log: pino({ level: 'silent' }),
      place: (r, req) => placing(r, req),
    }));
  });
  after(async () => {
    await Promise.all([nodeA?.stop(), nodeB?.stop()]);
    lib?.close();
    tmp.cleanup();
  });

  it('files land verified in the folder named (made there), indexed at once', async () => {
    const bytes = randomBytes(200_000);
    // A confirm (what a move waits for before it removes its source) comes once the file is in place there.
    const inPlaceWhenConfirmed: boolean[] = [];
    const sent = await sendDrop(await open(), randomUUID(), [file('a.jpg', bytes), file('b.txt', Buffer.from('b'))], {
      into: into({ dir: 'in/sub' }), onSaved: (_, name) => { inPlaceWhenConfirmed.push(existsSync(join(photos, 'in', 'sub', name))); },
    });
    assert.deepEqual(sent.saved, ['a.jpg', 'b.txt']);
    assert.deepEqual(inPlaceWhenConfirmed, [true, true]);
    assert.deepEqual(readFileSync(join(photos, 'in', 'sub', 'a.jpg')), bytes);
    const loc = lib.store.locations.ofDevice(lib.deviceId)[0]!;
    assert.ok(lib.store.entries.fileAt(loc.id, 'in/sub/a.jpg')?.content_uuid, 'indexed with its content on arrival');
    assert.deepEqual(readdirSync(join(photos, '.vss-drop')).filter((n) => n.endsWith('.partial')), [], 'no partial left');
  });

  it('an offer made again after it was done is answered from the journal, not landed twice', async () => {
    const transfer = randomUUID();
    const items = [file('c.txt', Buffer.from('once'))];
    await sendDrop(await open(), transfer, items, { into: into() });
    const again = await sendDrop(await open(), transfer, items, { into: into() });
    assert.deepEqual([again.saved, again.bytesSent], [['c.txt'], 0]);
    assert.deepEqual(readdirSync(join(photos, 'in')).filter((n) => n.startsWith('c')), ['c.txt']);
  });

  it('a receiver killed between a file\'s rename and its journal\'s next write: the send offered again finds the file by its inode, never lands it twice', async () => {
    const transfer = randomUUID();
    const bytes = randomBytes(300_000);
    const items = [file('k1.bin', bytes), file('k2.bin', randomBytes(1000))];
    await sendDrop(await open(), transfer, items, { into: into({ dir: 'killed' }) });
    // The journal as a kill right after the renames leaves it: the files in place, the journal still
    // saying they were about to be renamed (written before the renames), not that they are in.
    const path = join(photos, '.vss-drop', `${transfer}.json`);
    const j = JSON.parse(readFileSync(path, 'utf8')) as { saved: Record<string, string>; placing?: Record<string, unknown> };
    const placing: Record<string, unknown> = {};
    for (const [i, name] of Object.entries(j.saved)) {
      const st = statSync(join(photos, 'killed', name));
      placing[i] = { dev: st.dev, ino: st.ino, size: st.size, blake3: blake3(readFileSync(join(photos, 'killed', name))).toString('hex') };
    }
    writeFileSync(path, JSON.stringify({ ...j, saved: {}, placing }));
    const again = await sendDrop(await open(), transfer, items, { into: into({ dir: 'killed' }) });
    assert.deepEqual([again.saved, again.bytesSent], [['k1.bin', 'k2.bin'], 0], 'answered placed, not sent again');
    assert.deepEqual(readdirSync(join(photos, 'killed')).sort(), ['k1.bin', 'k2.bin'], 'no "(2)" copy');
    assert.deepEqual(readFileSync(join(photos, 'killed', 'k1.bin')), bytes);
  });

  it('the same bytes sent again by another transfer (a protect made again after its job failed) are answered placed under the name they have, never as "NAME (2)"', async () => {
    const bytes = randomBytes(400_000);
    const first = await sendDrop(await open(), randomUUID(), [file('twice.bin', bytes)], { into: into({ dir: 'again' }) });
    assert.deepEqual(first.saved, ['twice.bin']);
    // Offered with its BLAKE3 (a protect's): known at the offer, no byte sent.
    const withHash = await sendDrop(await open(), randomUUID(), [{ ...file('twice.bin', bytes), blake3: blake3(bytes).toString('hex') }], { into: into({ dir: 'again' }) });
    assert.deepEqual([withHash.saved, withHash.bytesSent, [...withHash.skipped]], [['twice.bin'], 0, []]);
    // Offered without it (a copy's: hashed as it goes): known once its bytes came, before it is placed.
    const hashedAsSent = await sendDrop(await open(), randomUUID(), [file('twice.bin', bytes)], { into: into({ dir: 'again' }) });
    assert.deepEqual(hashedAsSent.saved, ['twice.bin']);
    assert.deepEqual(readdirSync(join(photos, 'again')), ['twice.bin']);
    // Other bytes under that name are still kept both.
    const other = await sendDrop(await open(), randomUUID(), [file('twice.bin', randomBytes(400_000))], { into: into({ dir: 'again' }) });
    assert.deepEqual(other.saved, ['twice (2).bin']);
    assert.deepEqual(readdirSync(join(photos, '.vss-drop')).filter((n) => n.endsWith('.partial')), [], 'no partial left');
  });

  it('a small file offered before one answered placed at the offer (the last item): it is placed and confirmed too, before done', async () => {
    // A protect made again before the laptop heard of the first one's copies: a file already there
    // offered after a new one. The new one's group was left unplaced, and done said after 1 of 2.
    const there = randomBytes(1000);
    assert.deepEqual((await sendDrop(await open(), randomUUID(), [file('kept.bin', there)], { into: into({ dir: 'mixed' }) })).saved, ['kept.bin']);
    const sent = await sendDrop(await open(), randomUUID(), [file('new.txt', Buffer.from('new')), { ...file('kept.bin', there), blake3: blake3(there).toString('hex') }], { into: into({ dir: 'mixed' }) });
    assert.deepEqual(sent.saved, ['new.txt', 'kept.bin']);
    assert.equal(readFileSync(join(photos, 'mixed', 'new.txt'), 'utf8'), 'new');
    assert.deepEqual(readdirSync(join(photos, 'mixed')).sort(), ['kept.bin', 'new.txt']);
  });

  it('a stream closed before the offer goes is the link\'s failure (tried again), not the send\'s', async () => {
    const stream = await open();
    await stream.close();
    await assert.rejects(sendDrop(stream, randomUUID(), [file('closed.txt', Buffer.from('x'))], { into: into() }), (err: unknown) => err instanceof VssError && err.code === 'UNAVAILABLE');
  });

  it('a name taken there: skip writes nothing, replace overwrites, keep-both names it apart', async () => {
    writeFileSync(join(photos, 'in', 'd.txt'), 'mine');
    const skip = await sendDrop(await open(), randomUUID(), [file('d.txt', Buffer.from('theirs'))], { into: into({ onConflict: 'skip' }) });
    assert.deepEqual([...skip.skipped], [0]);
    assert.equal(readFileSync(join(photos, 'in', 'd.txt'), 'utf8'), 'mine');
    const both = await sendDrop(await open(), randomUUID(), [file('d.txt', Buffer.from('theirs'))], { into: into() });
    assert.deepEqual(both.saved, ['d (2).txt']);
    await sendDrop(await open(), randomUUID(), [file('d.txt', Buffer.from('new'))], { into: into({ onConflict: 'replace' }) });
    assert.equal(readFileSync(join(photos, 'in', 'd.txt'), 'utf8'), 'new');
  });

  it('a path out of the location, an absolute one, a symlinked folder, another location or library: refused with the reason, nothing written', async () => {
    assert.match(await refusal(into({ dir: '../x' })), /not a path inside .*`\.\.`/);
    assert.match(await refusal(into({ dir: 'in/../../x' })), /`\.\.`/);
    assert.match(await refusal(into({ dir: '/etc' })), /an absolute path where a relative one belongs/);
    symlinkSync(outside, join(photos, 'link'));
    assert.match(await refusal(into({ dir: 'link/deeper' })), /leads outside .* through a symlink/);
    assert.match(await refusal(into({ location: randomUUID() })), /not a location of this device/);
    assert.match(await refusal(into({ library: randomUUID() })), /is not shared with Laptop/);
    assert.match(await refusal(into({ onConflict: 'clobber' })), /unknown conflict policy/);
    assert.deepEqual(readdirSync(outside), [], 'nothing written outside');
    assert.equal(existsSync(join(tmp.path, 'x')), false);
  });

  it('a folder in vss\'s own bookkeeping (.vss-drop, any .vss-* part, whatever its case) is refused, and nothing lands there', async () => {
    // The journal of a send under way: a place into .vss-drop could name it and, with replace, overwrite it.
    const transfer = randomUUID();
    await sendDrop(await open(), transfer, [file('kept.txt', Buffer.from('kept'))], { into: into() });
    const journal = join(photos, '.vss-drop', `${transfer}.json`);
    const before = readFileSync(journal, 'utf8');
    for (const dir of ['.vss-drop', '.vss-drop/deeper', 'in/.vss-drop', '.VSS-Drop', 'a/.vss-partial-x/b']) {
      assert.match(await refusal(into({ dir })), /in vss's own bookkeeping/, dir);
    }
    const hidden = await sendDrop(await open(), randomUUID(), [file(`${transfer}.json`, Buffer.from('{"sender":"x","items":[],"saved":{}}'))], { into: into({ dir: '.vss-drop', onConflict: 'replace' }) }).then(() => undefined, (e: unknown) => e);
    assert.ok(hidden instanceof DropRefused && /bookkeeping/.test(hidden.reason), String(hidden));
    assert.equal(readFileSync(journal, 'utf8'), before, 'the journal is untouched');
    assert.deepEqual(readdirSync(join(photos, '.vss-drop')).filter((n) => !n.endsWith('.json') && !n.endsWith('.partial')), [], 'no peer\'s file among the bookkeeping');
    assert.equal(existsSync(join(photos, '.VSS-Drop')), false);
    assert.equal(existsSync(join(photos, 'in', '.vss-drop')), false);
  });

  it('a drive unplugged after the place was found: refused as offline (tried again later), nothing written under the mount point it left (S1)', { skip: loopSkipReason() }, async () => {
    const drive = makeLoopVolume({ sizeMiB: 16 });
    try {
      const mount = drive.mountPoint!;
      mkdirSync(join(mount, 'photos'));
      const stick = addLocation(lib, join(mount, 'photos'), { name: 'Stick' }).uuid;
      // Found online and checked; then its drive goes before a byte lands.
      placing = async (r, req) => {
        const place = await resolve(r, req);
        drive.unplug();
        return place;
      };
      const err = await sendDrop(await open(), randomUUID(), [file('s1.txt', Buffer.from('s1'))], { into: into({ location: stick, dir: '' }) }).then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof DropRefused, `refused (${String(err)})`);
      assert.match(err.reason, /location "Stick" is offline/);
      assert.equal(err.retry, true, 'tried again once the drive is back');
      assert.deepEqual(readdirSync(mount), [], 'nothing under the mount point');
    } finally {
      placing = resolve;
      drive.remove();
    }
  });
});
