import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { Stream } from '@libp2p/interface';
import pino from 'pino';
import { tempDir } from '../../../test/helpers.js';
import { copyLocksOf } from '../../guardian/copy-locks.js';
import type { RemoteLock, Witnesses } from '../../guardian/guard.js';
import { setPolicy } from '../../guardian/policy.js';
import { weighDrop } from '../../guardian/guard.js';
import { Installation } from '../../library/installation.js';
import type { Library } from '../../library/library.js';
import { addLocation, scanLocation } from '../../locations/locations.js';
import { PeerNode } from '../net/peer-node.js';
import type { RemoteDevice } from '../peer-link.js';
import { placeInLocation } from './into-location.js';
import type { PlaceRequest } from './drop-place.js';
import { serveDrop } from './receive.js';
import { DropRefused, sendDrop, type DropItem } from './send.js';

const LOOPBACK = ['/ip4/127.0.0.1/tcp/0'];
const PHONE = '00000000-0000-4000-8000-0000000000cc';

/**
 * D2 of the faults note (2026-11-25): a paired device's `place` with `replace` over files of this
 * device's location is weighed by this device's own Guardian (place-guard.ts), as a replace asked
 * here is. Real nodes on loopback, a real library scanned from disk; the receiver's witnesses (the
 * Phone, another device holding a copy) answer as a device holding a lock would.
 */
describe('drop into a location: a replace is weighed by the receiver\'s own Guardian', () => {
  const tmp = tempDir('vss-place-guard-');
  const src = join(tmp.path, 'src');
  const photos = join(tmp.path, 'photos');
  const backup = join(tmp.path, 'backup');
  let backupLoc = { id: 0, uuid: '' };
  let lib: Library;
  let loc = { id: 0, uuid: '' };
  let nodeA: PeerNode;
  let nodeB: PeerNode;
  let peersMayForce = false;
  /** The Phone's lock on its copy: held, and whether it stays held. */
  let phoneUp = false;
  let phoneHolds = true;
  const remoteA: RemoteDevice = { deviceUuid: randomUUID(), peerId: '', name: 'Laptop', libraryIds: [] };
  const witnesses = (): Witnesses => ({
    devices: {
      online: (d) => d === PHONE && phoneUp,
      lock: async (_d, copies): Promise<RemoteLock> => ({ held: new Set(copies.map((_, i) => i)), refused: new Map(), alive: () => phoneHolds, release: async () => undefined }),
    },
  });
  const open = () => nodeA.open(nodeB.addresses()[0]!, 'drop');
  const file = (name: string, bytes: Buffer | string): DropItem => {
    writeFileSync(join(src, name), bytes);
    return { path: join(src, name), root: src, name, size: statSync(join(src, name)).size, mtime_ms: Math.floor(statSync(join(src, name)).mtimeMs) };
  };
  const into = (over: Partial<PlaceRequest> = {}): PlaceRequest => ({ library: lib.config.id, location: loc.uuid, dir: 'in', onConflict: 'replace', ...over });
  const refused = async (items: DropItem[], req: PlaceRequest): Promise<DropRefused> => {
    const err = await sendDrop(await open(), randomUUID(), items, { into: req }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof DropRefused, `refused (${String(err)})`);
    return err;
  };
  const here = (rel: string) => readFileSync(join(photos, rel), 'utf8');

  before(async () => {
    for (const d of [src, join(photos, 'in'), join(photos, 'other')]) mkdirSync(d, { recursive: true });
    writeFileSync(join(photos, 'in', 'victim.txt'), 'the only copy');
    writeFileSync(join(photos, 'in', 'twin.txt'), 'a content held twice');
    writeFileSync(join(photos, 'other', 'twin.txt'), 'a content held twice');
    writeFileSync(join(photos, 'in', 'shared.txt'), 'also on the phone');
    mkdirSync(backup, { recursive: true });
    writeFileSync(join(photos, 'in', 'dual.txt'), 'here and on the backup drive');
    writeFileSync(join(backup, 'dual.txt'), 'here and on the backup drive');
    const vss = new Installation({ dataDir: join(tmp.path, 'data') });
    lib = vss.createLibrary('Shared', join(tmp.path, 'lib'));
    loc = addLocation(lib, photos, { name: 'Photos' });
    await scanLocation(lib, loc.id);
    // A second location on a drive of its own: its copy is a copy of its own.
    backupLoc = addLocation(lib, backup, { name: 'Backup' });
    await scanLocation(lib, backupLoc.id);
    const drive = lib.store.volumes.seen(lib.deviceId, { fingerprint: 'backup-drive', mount_point: backup, fs: 'ext4', capacity: 1, free: 1, removable: 1, read_only: 0 }).id;
    lib.store.locations.setVolume(backupLoc.id, drive, '');
    lib.store.locations.setOnline(backupLoc.id, true);
    // One copy is asked for: a twin on the same drive is one copy, kept; the Phone holds the shared one.
    setPolicy(lib, { copies: 1 });
    const shared = lib.store.contents.byUuid(lib.store.entries.fileAt(loc.id, 'in/shared.txt')!.content_uuid!)!;
    lib.store.transaction(() => {
      lib.store.devices.upsertPeer({ uuid: PHONE, name: 'Phone', publicKey: '', os: 'android' }, Date.now());
      lib.store.peerLocations.replace(PHONE, [{ location_id: 1, uuid: '00000000-0000-4000-a000-0000000000cc', name: 'Camera', path: '/sdcard/DCIM', index_mode: 'content', files: 1, dirs: 0, bytes: shared.size }]);
      const ids = lib.store.peerContents.putMany(PHONE, [{ content_uuid: shared.uuid, cas_id: shared.cas_id, cas_version: shared.cas_version, kind: shared.kind, mime: shared.mime, size: shared.size, media_metadata: null }]);
      lib.store.peerEntries.putMany(PHONE, 1, '', [{ name: 'shared.txt', kind: 'file', size: shared.size, mtime_ms: 0, content_uuid: shared.uuid, verified_at: Date.now() }], 1, ids);
    });
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
      place: (r, req) => placeInLocation((id) => (id === lib.config.id ? lib : undefined), r, req, { witnesses, peersMayForce: () => peersMayForce }),
    }));
  });
  after(async () => {
    await Promise.all([nodeA?.stop(), nodeB?.stop()]);
    lib?.close();
    tmp.cleanup();
  });

  it('a replace over the last copy is refused with the guard\'s reason before a byte is taken; nothing replaced, nothing left', async () => {
    const err = await refused([file('victim.txt', randomBytes(100_000))], into());
    assert.equal(err.retry, false);
    assert.match(err.reason, /^this replace would leave a content below its policy \(a copy counts when .*\): the last copy in the library of content [0-9a-f-]{36} \(.*victim\.txt\)\. Add --force to replace anyway \(--force, which the receiving device takes from other devices only when its user allows it/);
    assert.equal(here('in/victim.txt'), 'the only copy');
    assert.deepEqual(readdirSync(join(photos, '.vss-drop')).filter((n) => n.endsWith('.partial')), [], 'no byte taken');
    // Keep-both gives nothing up: not weighed, landed beside it.
    const both = await sendDrop(await open(), randomUUID(), [file('victim.txt', 'theirs')], { into: into({ onConflict: 'keep-both' }) });
    assert.deepEqual(both.saved, ['victim (2).txt']);
  });

  it('--force from the sender goes only where this device lets peers force it', async () => {
    const err = await refused([file('victim.txt', 'forced')], into({ force: true }));
    assert.match(err.reason, /It was asked with --force, which the receiving device takes from other devices only when its user allows it/);
    assert.equal(here('in/victim.txt'), 'the only copy');
    peersMayForce = true;
    try {
      await sendDrop(await open(), randomUUID(), [file('victim.txt', 'forced')], { into: into({ force: true }) });
      assert.equal(here('in/victim.txt'), 'forced');
      // Allowed, yet not forced by the sender: still refused (now its only copy is 'forced').
      const again = await refused([file('victim.txt', 'unforced')], into());
      assert.doesNotMatch(again.reason, /peer-force/);
    } finally {
      peersMayForce = false;
    }
  });

  it('a file there the index does not know (never indexed, or edited since) is refused as a local replace of it is', async () => {
    writeFileSync(join(photos, 'in', 'fresh.txt'), 'written after the last scan');
    const err = await refused([file('fresh.txt', 'theirs')], into());
    assert.match(err.reason, /fresh\.txt.*never indexed/);
    assert.equal(here('in/fresh.txt'), 'written after the last scan');
  });

  it('what loses nothing goes: a content with another copy that counts, or the very content that comes', async () => {
    // The twin's other file is on the same drive: one copy before and after, nothing lowered.
    await sendDrop(await open(), randomUUID(), [file('twin.txt', 'over the twin')], { into: into() });
    assert.equal(here('in/twin.txt'), 'over the twin');
    // The same bytes offered with their BLAKE3: nothing is given up.
    const { blake3 } = await import('@napi-rs/blake-hash');
    const same = { ...file('victim.txt', 'forced'), blake3: blake3(Buffer.from('forced')).toString('hex') };
    await sendDrop(await open(), randomUUID(), [same], { into: into() });
    assert.equal(here('in/victim.txt'), 'forced');
  });

  it('another device\'s copy counts while it locks it, and the place goes only while the lock holds; one this device\'s peer counts on waits', async () => {
    // The Phone away: its copy cannot be confirmed, and the shared content would be left with one copy here.
    const away = await refused([file('shared.txt', 'x')], into());
    assert.match(away.reason, /Phone's copy \(shared\.txt\) can't be confirmed now \(Phone is offline\)/);
    phoneUp = true;
    phoneHolds = false;
    try {
      // Locked, then the lock ends before the file is placed: refused, to try again, what came kept to resume from.
      const ended = await refused([file('shared.txt', randomBytes(50_000))], into());
      assert.equal(ended.retry, true);
      assert.match(ended.reason, /stopped holding it/);
      assert.equal(here('in/shared.txt'), 'also on the phone');
      assert.equal(readdirSync(join(photos, '.vss-drop')).filter((n) => n.endsWith('.partial')).length, 1, 'what came is kept');
      phoneHolds = true;
      // Another device counts on this file now (its own drop leans on it): the place waits its turn.
      const locked = copyLocksOf(lib).lock([{ locationId: loc.id, rel: 'in/shared.txt' }], 'Desktop');
      try {
        const busy = await refused([file('shared.txt', 'x')], into());
        assert.equal(busy.retry, true);
        assert.match(busy.reason, /^Desktop counts on .*shared\.txt now/);
      } finally {
        locked.release();
      }
      await sendDrop(await open(), randomUUID(), [file('shared.txt', 'replaced, the Phone holding its copy')], { into: into() });
      assert.equal(here('in/shared.txt'), 'replaced, the Phone holding its copy');
      assert.equal(existsSync(join(photos, 'in', 'shared (2).txt')), false);
    } finally {
      phoneUp = false;
    }
  });

  it('a replace and this device\'s own drop of the content\'s other copy at once never both go', async () => {
    // The backup's copy is being deleted here (its drop weighed and held, as a running delete holds it): the place may not lean on it.
    const local = await weighDrop(lib, [{ locationId: backupLoc.id, rel: 'dual.txt', path: join(backup, 'dual.txt') }], {});
    try {
      assert.deepEqual(local.below, [], 'the delete leans on the copy in Photos');
      const err = await refused([file('dual.txt', 'over the copy the delete leans on')], into());
      assert.match(err.reason, /backup\/dual\.txt is being deleted, moved or replaced by another operation now/);
      assert.equal(here('in/dual.txt'), 'here and on the backup drive');
    } finally {
      await local.release();
    }
    await sendDrop(await open(), randomUUID(), [file('dual.txt', 'the delete let go')], { into: into() });
    assert.equal(here('in/dual.txt'), 'the delete let go');
  });
});
