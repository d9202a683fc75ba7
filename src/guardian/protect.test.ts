import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Installation } from '../library/installation.js';
import type { Library } from '../library/library.js';
import type { EntryFacts } from '../store/entries.js';
import { tempDir } from '../../test/helpers.js';
import { loopSkipReason, makeLoopVolume, type LoopVolume } from '../../test/loop-volume.js';
import { setPolicy } from './policy.js';
import { planProtect } from './protect.js';
import { roomOn, type DeviceTarget } from './protect-targets.js';

const LAPTOP = '00000000-0000-4000-8000-00000000000b';
const uuidOf = (n: number) => `00000000-0000-5000-8000-${String(n).padStart(12, '0')}`;
const BIG = 7 * 1024 * 1024;

describe('protect: the room a drive gives', () => {
  it('what keeps the drive at most 95% full', () => {
    assert.equal(roomOn(50, 100), 45);
    assert.equal(roomOn(4, 100), 0, 'fuller than 95% already: nothing');
    assert.equal(roomOn(1000, 1000), 950);
  });
});

/**
 * Planning on a real library: drive A (locations pics and more), drive B (backup), both folders of
 * this machine's disk told apart by their volume rows, and drive C (small), an 8 MiB ext4 image on
 * a loop device: a real drive without room for a 7 MiB content.
 */
describe('protect: the copies planned', { skip: loopSkipReason() }, () => {
  const tmp = tempDir('vss-protect-');
  let lib: Library;
  let small: LoopVolume;
  const now = Date.now();
  const loc: Record<string, number> = {};
  const dir: Record<string, string> = {};
  let inode = 0;

  /** Content N of SIZE bytes at NAME in location L, written and linked as the indexer links it. */
  const file = (l: string, name: string, n: number, size = 4) => {
    const { store } = lib;
    store.contents.upsert({ uuid: uuidOf(n), cas_id: `c${n}`, cas_version: 1, kind: 'image', mime: 'image/jpeg', size }, 0);
    writeFileSync(join(dir[l]!, name), Buffer.alloc(size, n));
    // As the indexer records it: a copy counts only while the file is what the index says (guardian/evidence.ts).
    const st = statSync(join(dir[l]!, name));
    const facts: EntryFacts = { parent_id: store.entries.rootOf(loc[l]!)!, name, rel_path: name, kind: 'file', size, inode: st.ino, mtime_ms: st.mtimeMs, link_target: null };
    const entry = store.entries.insert(loc[l]!, facts, 0);
    store.entries.linkContents([{ file: { ...facts, id: entry }, uuid: uuidOf(n), verified: true }], now);
  };
  const plan = (to?: string) => planProtect(lib, to, { now });
  const reasonOf = (p: ReturnType<typeof plan>, n: number) => p.shown.not_planned.find((x) => x.content_uuid === uuidOf(n))?.reason;

  before(() => {
    small = makeLoopVolume({ sizeMiB: 8 });
    const inst = new Installation({ dataDir: join(tmp.path, 'data') });
    lib = inst.createLibrary('G', tmp.path);
    const { store } = lib;
    const drive = (fingerprint: string) => store.volumes.seen(lib.deviceId, { fingerprint, mount_point: `/mnt/${fingerprint}`, fs: 'ext4', capacity: 1, free: 1, removable: 1, read_only: 0 }, now).id;
    const drives = { A: drive('A'), B: drive('B'), C: drive('C') };
    store.volumes.setTracked(drives.C, true, 'small');
    const places = [[1, 'pics', drives.A, join(tmp.path, 'pics')], [2, 'more', drives.A, join(tmp.path, 'more')], [3, 'backup', drives.B, join(tmp.path, 'backup')], [4, 'small', drives.C, join(small.mountPoint!, 'small')]] as const;
    for (const [i, name, d, path] of places) {
      mkdirSync(path);
      dir[name] = path;
      const uuid = `00000000-0000-4000-a000-00000000000${i}`;
      loc[name] = store.locations.insert({ uuid, device_id: lib.deviceId, name, path, kind: 'disk', index_mode: 'content', ignore_rules: '[]', generation: null }, 0);
      inst.grants.grant(lib.config.id, uuid, path);
      store.entries.insertRoot(loc[name]!, name, ++inode, 0, 0);
      store.locations.setVolume(loc[name]!, d, name);
    }
    file('pics', 'once.jpg', 1);
    file('pics', 'both.jpg', 2);
    file('backup', 'both.jpg', 2);
    file('pics', 'same-drive.jpg', 3);
    file('more', 'same-drive.jpg', 3);
    file('pics', 'big.jpg', 4, BIG);
    file('backup', 'backed.jpg', 6);
    file('small', 'backed.jpg', 6);
    store.transaction(() => {
      store.devices.upsertPeer({ uuid: LAPTOP, name: 'Laptop', publicKey: '', os: 'linux' }, now);
      store.peerLocations.replace(LAPTOP, [{ location_id: 1, uuid: '00000000-0000-4001-8000-00000000000b', name: 'Photos', path: '/home/me/Photos', index_mode: 'content', files: 1, dirs: 0, bytes: 4 }]);
      const ids = store.peerContents.putMany(LAPTOP, [{ content_uuid: uuidOf(5), cas_id: 'c5', cas_version: 1, kind: 'image', mime: 'image/jpeg', size: 4, media_metadata: null }]);
      store.peerEntries.putMany(LAPTOP, 1, '', [{ name: 'laptop.jpg', kind: 'file', size: 4, mtime_ms: 0, content_uuid: uuidOf(5), verified_at: now }], 1, ids);
    });
  });
  after(() => {
    lib.close();
    small.remove();
    tmp.cleanup();
  });

  it('a content on drive A alone gets a copy on the first other drive with room; one on two drives gets none; two files on one drive are one copy', () => {
    const p = plan();
    const dsts = new Map(p.items.map((it) => [it.src, it.dst]));
    assert.equal(dsts.get(join(dir.pics!, 'once.jpg')), join(dir.backup!, 'vss-protect', 'pics', 'once.jpg'), 'drive B: the first drive other than A');
    assert.equal(dsts.get(join(dir.pics!, 'same-drive.jpg')), join(dir.backup!, 'vss-protect', 'pics', 'same-drive.jpg'));
    assert.equal(dsts.get(join(dir.pics!, 'big.jpg')), join(dir.backup!, 'vss-protect', 'pics', 'big.jpg'));
    assert.ok(![...dsts.keys()].some((s) => s.endsWith('both.jpg') || s.endsWith('backed.jpg')), 'the contents on two drives are left alone');
    assert.equal(p.items.length, 3, 'one copy each: one was missing');
    assert.deepEqual([p.shown.contents, p.shown.files, p.shown.bytes], [3, 3, 8 + BIG]);
    assert.deepEqual(p.shown.targets.map((t) => [t.target, t.drive, t.files, t.bytes]), [[join(dir.backup!, 'vss-protect'), 'B', 3, 8 + BIG]]);
    assert.match(reasonOf(p, 5) ?? '', /^held only by Laptop: fetching it is not part of protect yet \(vss content get \S+ --to FOLDER brings it here; vss content get --all --to FOLDER, every content/);
    assert.equal(p.params.op, 'copy');
    assert.equal(p.params.on_conflict, 'keep-both');
  });

  it('policy 3: each content gets a copy on each drive that lacks it, never two on one drive; the big one on no drive without room', () => {
    setPolicy(lib, { copies: 3 }, now);
    try {
      const p = plan();
      const once = p.items.filter((it) => it.src.endsWith('once.jpg')).map((it) => it.dst);
      assert.deepEqual(once, [join(dir.backup!, 'vss-protect', 'pics', 'once.jpg'), join(dir.small!, 'vss-protect', 'pics', 'once.jpg')]);
      const both = p.items.filter((it) => it.src.endsWith('both.jpg')).map((it) => it.dst);
      assert.deepEqual(both, [join(dir.small!, 'vss-protect', 'pics', 'both.jpg')], 'only the drive that lacks it');
      assert.deepEqual(p.items.filter((it) => it.src.endsWith('big.jpg')).map((it) => it.dst), [join(dir.backup!, 'vss-protect', 'pics', 'big.jpg')]);
      assert.equal(reasonOf(p, 4), '1 more copy needed: no other drive of this device has room for it');
      assert.deepEqual(p.items.filter((it) => it.src.endsWith('backed.jpg')).map((it) => it.dst), [join(dir.pics!, 'vss-protect', 'backup', 'backed.jpg')], 'drive A lacks it: the first location there');
      setPolicy(lib, { copies: 4 }, now);
      assert.equal(reasonOf(plan(), 6), '1 more copy needed: no other drive of this device to copy it to (add a location on another drive, or protect --to a drive)');
    } finally {
      setPolicy(lib, { clear: true }, now);
    }
  });

  it('--to a folder: copies land under it by location; a content its drive holds already is not copied there', () => {
    const to = join(dir.backup!, 'safe');
    const p = plan(to);
    assert.deepEqual(p.items.map((it) => it.dst).sort(), ['big.jpg', 'once.jpg', 'same-drive.jpg'].map((n) => join(to, 'pics', n)));
    assert.equal(p.params.dst, to);
    const onA = plan(join(dir.more!, 'x'));
    assert.deepEqual(onA.items, []);
    assert.match(reasonOf(onA, 1) ?? '', /^1 more copy needed: the drive of .*more\/x holds it already$/);
    assert.throws(() => plan(join(tmp.path, 'elsewhere')), /not inside a location of this device/);
  });

  it('--to a drive: into a location on it, under vss-protect/; a plan that needs more room than it has is refused; a device needs the daemon', () => {
    assert.throws(() => plan('small'), (err: Error & { code?: string }) => {
      assert.match(err.message, /^--to small: the copies need 7\.3 MB and .*small\/vss-protect may take .* \(.* free; a protect leaves 5% of a drive free\): make room, or give another target$/);
      return err.code === 'IO';
    });
    const bare = lib.store.volumes.seen(lib.deviceId, { fingerprint: 'D', mount_point: '/mnt/D', fs: 'ext4', capacity: 1, free: 1, removable: 1, read_only: 0 }, now).id;
    lib.store.volumes.setTracked(bare, true, 'bare');
    assert.throws(() => plan('bare'), /^VssError: --to bare: the drive "bare" holds no location of this library: add one \(vss location add \/mnt\/D\/…\), then protect to it$/);
    assert.throws(() => plan('Laptop:/Photos/x'), /^UsageError: --to Laptop:\/Photos\/x: a copy to a paired device goes through the daemon's P2P node/);
    assert.throws(() => plan('nothing'), /no drive or bucket of that name, fingerprint or id/);
  });
  it('--to DEVICE:/LOCATION/PATH: one copy each to the paired device, short of copies, devices or off-site; none of what it holds', () => {
    const laptop: DeviceTarget = { kind: 'device', deviceUuid: LAPTOP, deviceName: 'Laptop', location: '00000000-0000-4001-8000-00000000000b', locationName: 'Photos', dir: 'safe', named: true };
    const asked: string[] = [];
    const toLaptop = () => planProtect(lib, 'Laptop:/Photos/safe', { now, device: (to) => (asked.push(to), laptop) });
    const p = toLaptop();
    assert.deepEqual(asked, ['Laptop:/Photos/safe']);
    assert.equal(p.device, laptop);
    assert.deepEqual(p.items.map((it) => [it.src, it.dst]).sort(), [
      [join(dir.pics!, 'big.jpg'), 'safe/pics/big.jpg'], [join(dir.pics!, 'once.jpg'), 'safe/pics/once.jpg'], [join(dir.pics!, 'same-drive.jpg'), 'safe/pics/same-drive.jpg'],
    ], 'paths in the laptop\'s location, by source location');
    assert.deepEqual(p.shown.targets, [{ target: 'Laptop:/Photos/safe', drive: null, files: 3, bytes: 8 + BIG, free_bytes: null }]);
    setPolicy(lib, { devices: 2 }, now);
    try {
      const two = toLaptop();
      assert.deepEqual(two.items.map((it) => it.dst).sort(), ['safe/backup/backed.jpg', 'safe/pics/big.jpg', 'safe/pics/both.jpg', 'safe/pics/once.jpg', 'safe/pics/same-drive.jpg'],
        'short only of a device: each content here gets one copy there');
      assert.match(reasonOf(two, 5) ?? '', /^held only by Laptop/, 'what the laptop holds is not sent to it');
      setPolicy(lib, { copies: 4, devices: 2 }, now);
      assert.equal(reasonOf(toLaptop(), 1), '2 more copies needed after the one on Laptop: protect again to another device or drive');
      setPolicy(lib, { clear: true }, now);
      assert.match(reasonOf(plan(), 5) ?? '', /^held only by Laptop/);
      setPolicy(lib, { devices: 2 }, now);
      assert.match(reasonOf(plan(), 2) ?? '', /needs 1 more device: protect --to DEVICE:\/LOCATION\/PATH copies it to a paired device$/);
    } finally {
      setPolicy(lib, { clear: true }, now);
    }
  });

  it('--to a device unconfirmed since a restore: what its old rows say it holds is sent to it again, as its copies no longer count; once heard from, not', () => {
    const { store } = lib;
    const laptop: DeviceTarget = { kind: 'device', deviceUuid: LAPTOP, deviceName: 'Laptop', location: '00000000-0000-4001-8000-00000000000b', locationName: 'Photos', dir: 'safe', named: true };
    const toLaptop = () => planProtect(lib, 'Laptop:/Photos/safe', { now, device: () => laptop });
    // once.jpg (content 1) is here; the snapshot says the laptop holds it too.
    const ids = store.peerContents.putMany(LAPTOP, [{ content_uuid: uuidOf(1), cas_id: 'c1', cas_version: 1, kind: 'image', mime: 'image/jpeg', size: 4, media_metadata: null }]);
    store.peerEntries.putMany(LAPTOP, 1, '', [{ name: 'old-once.jpg', kind: 'file', size: 4, mtime_ms: 0, content_uuid: uuidOf(1), verified_at: now }], 2, ids);
    setPolicy(lib, { devices: 2 }, now);
    try {
      assert.ok(!toLaptop().items.some((it) => it.src.endsWith('once.jpg')), 'held by the laptop, heard from: not sent');
      // A restore: every other device is unconfirmed until heard from (library/restore.ts).
      store.devices.unconfirmOthers(lib.device.uuid, now);
      assert.ok(store.devices.byUuid(LAPTOP)!.unconfirmed_since !== null);
      assert.deepEqual(toLaptop().items.filter((it) => it.src.endsWith('once.jpg')).map((it) => it.dst), ['safe/pics/once.jpg'],
        'its copy counts no more, and it is not taken to hold it: sent again');
      store.devices.heardFrom(LAPTOP);
      assert.ok(!toLaptop().items.some((it) => it.src.endsWith('once.jpg')), 'heard from again: held, not sent');
    } finally {
      store.devices.heardFrom(LAPTOP);
      setPolicy(lib, { clear: true }, now);
      // The laptop's folder as before: laptop.jpg alone.
      store.peerEntries.putMany(LAPTOP, 1, '', [{ name: 'laptop.jpg', kind: 'file', size: 4, mtime_ms: 0, content_uuid: uuidOf(5), verified_at: now }], 3);
      store.peerEntries.sweepFolder(LAPTOP, 1, '', 3);
    }
  });

  it('a source recorded rotten, or gone since it was indexed, is left out with its reason; the rest is planned (faults note, defect 7)', () => {
    const { store } = lib;
    const e = store.entries.fileAt(loc.pics!, 'once.jpg')!;
    const c = store.contents.byUuid(uuidOf(1))!;
    store.rot.put({ entry_id: e.id, content_id: c.id, size: c.size, expected: c.cas_id, found: 'x', found_at: now });
    const moved = join(dir.pics!, 'same-drive.jpg');
    const kept = readFileSync(moved);
    rmSync(moved);
    try {
      const p = plan();
      assert.match(reasonOf(p, 1) ?? '', /^every copy of it on this device is rotten \(.*once\.jpg: a scrub found its bytes rotten\)/);
      // same-drive.jpg is gone from pics, but its twin in more (drive A too) is a good source.
      assert.deepEqual(p.items.filter((it) => it.src.endsWith('same-drive.jpg')).map((it) => it.src), [join(dir.more!, 'same-drive.jpg')]);
      assert.ok(p.items.some((it) => it.src.endsWith('big.jpg')), 'the rest goes on');
    } finally {
      store.rot.clear(e.id);
      writeFileSync(moved, kept);
    }
  });

  it('two locations of one name: the second one\'s copies go into a folder named with its id', () => {
    const { store } = lib;
    const path = join(tmp.path, 'pics-on-b');
    mkdirSync(path);
    dir.twin = path;
    loc.twin = store.locations.insert({ uuid: '00000000-0000-4000-a000-000000000009', device_id: lib.deviceId, name: 'pics', path, kind: 'disk', index_mode: 'content', ignore_rules: '[]', generation: null }, 0);
    store.entries.insertRoot(loc.twin, 'pics', ++inode, 0, 0);
    store.locations.setVolume(loc.twin, store.locations.byId(loc.backup!)!.volume_id!, 'pics-on-b');
    file('twin', 'twin.jpg', 7);
    const dsts = new Map(plan().items.map((it) => [it.src, it.dst]));
    assert.equal(dsts.get(join(dir.pics!, 'once.jpg')), join(dir.backup!, 'vss-protect', 'pics', 'once.jpg'));
    assert.equal(dsts.get(join(dir.twin!, 'twin.jpg')), join(dir.pics!, 'vss-protect', `pics (${loc.twin})`, 'twin.jpg'), 'drive A lacks it; its folder named apart');
  });
});
