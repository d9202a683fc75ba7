import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Installation } from '../library/installation.js';
import type { Library } from '../library/library.js';
import type { EntryFacts } from '../store/entries.js';
import { tempDir } from '../../test/helpers.js';
import { describeBelow, fallsShort, GUARD_WINDOW_MS, tally, vouchedFor, belowPolicy, policyRefusal } from './guard.js';
import { setPolicy } from './policy.js';

const DAY = 24 * 3600_000;
const LAPTOP = '00000000-0000-4000-8000-00000000000b';
const PHONE = '00000000-0000-4000-8000-00000000000c';
const uuidOf = (n: number) => `00000000-0000-5000-8000-${String(n).padStart(12, '0')}`;

describe('guard: which copies count, and what falls short', () => {
  const now = 1_000 * DAY;
  const away = { here: false, reachable: false, present: false };

  it('a copy elsewhere counts while verified or seen within the window (30 days)', () => {
    assert.equal(GUARD_WINDOW_MS, 30 * DAY);
    assert.equal(vouchedFor({ ...away, verified_at: now - 10 * DAY, seen_at: now - 400 * DAY }, now), true, 'verified 10 days ago');
    assert.equal(vouchedFor({ ...away, verified_at: now - 400 * DAY, seen_at: now - 400 * DAY }, now), false, 'verified and seen 400 days ago');
    assert.equal(vouchedFor({ ...away, verified_at: null, seen_at: now - DAY }, now), true, 'its device seen yesterday, its index naming the file');
    assert.equal(vouchedFor({ ...away, verified_at: null, seen_at: null }, now), false);
    assert.equal(vouchedFor({ ...away, verified_at: now - 40 * DAY, seen_at: null }, now, 50 * DAY), true, 'the window is a parameter');
  });

  it('a copy here counts when the file is there now, whatever it was verified; on an unplugged drive, as one elsewhere', () => {
    assert.equal(vouchedFor({ here: true, reachable: true, present: true, verified_at: null, seen_at: null }, now), true);
    assert.equal(vouchedFor({ here: true, reachable: true, present: false, verified_at: now, seen_at: now }, now), false, 'gone from the disk');
    assert.equal(vouchedFor({ here: true, reachable: false, present: false, verified_at: now - 10 * DAY, seen_at: null }, now), true);
    assert.equal(vouchedFor({ here: true, reachable: false, present: false, verified_at: null, seen_at: now - 400 * DAY }, now), false);
  });

  it('counts one copy per store, the devices, and the stores off this device', () => {
    assert.deepEqual(tally([
      { device: 'me', here: true, place: 'v1' }, { device: 'me', here: true, place: 'v1' }, { device: 'me', here: true, place: 'v2' },
      { device: 'laptop', here: false, place: 'p:1' }, { device: 'laptop', here: false, place: 'p:2' },
    ]), { copies: 4, devices: 2, offsite: 2 });
    assert.deepEqual(tally([]), { copies: 0, devices: 0, offsite: 0 });
  });

  it('refuses only a change that lowers a number below what the policy asks', () => {
    const policy = { copies: 2, devices: 1, offsite: 0 };
    assert.deepEqual(fallsShort({ copies: 2, devices: 2, offsite: 1 }, { copies: 1, devices: 1, offsite: 0 }, policy), { of: 'copies', have: 1, policy: 2 });
    assert.equal(fallsShort({ copies: 3, devices: 1, offsite: 0 }, { copies: 2, devices: 1, offsite: 0 }, policy), null, 'still meets it');
    assert.equal(fallsShort({ copies: 1, devices: 1, offsite: 0 }, { copies: 1, devices: 1, offsite: 0 }, policy), null, 'already short, lowered nothing');
    assert.deepEqual(fallsShort({ copies: 2, devices: 2, offsite: 1 }, { copies: 2, devices: 1, offsite: 0 }, { copies: 2, devices: 2, offsite: 0 }), { of: 'devices', have: 1, policy: 2 });
    assert.deepEqual(fallsShort({ copies: 3, devices: 2, offsite: 1 }, { copies: 2, devices: 2, offsite: 0 }, { copies: 2, devices: 1, offsite: 1 }), { of: 'offsite', have: 0, policy: 1 });
  });

  it('says each content, its path and why', () => {
    const last = { content_uuid: uuidOf(1), path: '/p/a.jpg', have: 0, policy: 2, of: 'copies' as const, not_counted: 0 };
    assert.equal(describeBelow(last), `the last copy in the library of content ${uuidOf(1)} (/p/a.jpg)`);
    assert.equal(describeBelow({ ...last, have: 1 }), `content ${uuidOf(1)} (/p/a.jpg): 1 copy left, its policy asks 2`);
    assert.match(describeBelow({ ...last, not_counted: 1 }), /last copy verified in 30 days of .* \(1 more not verified in the last 30 days\)/);
    const err = policyRefusal('delete', [last, { ...last, content_uuid: uuidOf(2), of: 'offsite', have: 0, policy: 1 }]);
    assert.equal(err.code, 'POLICY');
    assert.match(err.message, /^refused: this delete would leave 2 contents below their policy .*: the last copy in the library .*; content .*: 0 copies off this device left, its policy asks 1\. Deleting is for good \(no trash\)\. Add --force to delete anyway$/);
  });
});

/** The guard on a real library: files on disk, two drives, paired devices seen and verified long ago or lately. */
describe('guard: copies weighed on a library', () => {
  const tmp = tempDir('vss-guard-');
  let lib: Library;
  const now = Date.now();
  const loc: Record<string, number> = {};
  let inode = 0;

  /** Content N at NAME in location L, linked as the indexer links it; ON_DISK: the file is written too. */
  const file = (l: string, name: string, n: number, onDisk = true) => {
    const { store } = lib;
    store.contents.upsert({ uuid: uuidOf(n), cas_id: `c${n}`, cas_version: 1, kind: 'image', mime: 'image/jpeg', size: 4 }, 0);
    if (onDisk) writeFileSync(join(tmp.path, l, name), `c${n}!`.slice(0, 4).padEnd(4, '.'));
    const facts: EntryFacts = { parent_id: store.entries.rootOf(loc[l]!)!, name, rel_path: name, kind: 'file', size: 4, inode: ++inode, mtime_ms: 1, link_target: null };
    const entry = store.entries.insert(loc[l]!, facts, 0);
    store.entries.linkContents([{ file: { ...facts, id: entry }, uuid: uuidOf(n), verified: true }], now);
  };

  /** DEVICE, last seen at SEEN, holding contents N with their copies verified at VERIFIED. */
  const peer = (device: string, seen: number, files: Array<[number, number | null]>) => {
    const { store } = lib;
    store.transaction(() => {
      store.devices.upsertPeer({ uuid: device, name: device.slice(-1), publicKey: '', os: 'linux' }, seen);
      store.peerLocations.replace(device, [{ location_id: 1, uuid: device.replace('-4000-', '-4001-'), name: 'Photos', path: '/home/me/Photos', index_mode: 'content', files: files.length, dirs: 0, bytes: 0 }]);
      const ids = store.peerContents.putMany(device, files.map(([n]) => ({ content_uuid: uuidOf(n), cas_id: `c${n}`, cas_version: 1, kind: 'image', mime: 'image/jpeg', size: 4, media_metadata: null })));
      store.peerEntries.putMany(device, 1, '', files.map(([n, verified]) => ({ name: `f${n}.jpg`, kind: 'file', size: 4, mtime_ms: 0, content_uuid: uuidOf(n), verified_at: verified })), 1, ids);
    });
  };
  const at = (l: string, name: string, to?: number | null) => ({ locationId: loc[l]!, rel: name, path: join(tmp.path, l, name), ...(to !== undefined ? { to } : {}) });

  before(() => {
    lib = new Installation({ dataDir: join(tmp.path, 'data') }).createLibrary('G', tmp.path);
    const { store } = lib;
    const drive = (fingerprint: string) => store.volumes.seen(lib.deviceId, { fingerprint, mount_point: `/mnt/${fingerprint}`, fs: 'ext4', capacity: 1, free: 1, removable: 1, read_only: 0 }, now).id;
    const drives = { A: drive('A'), B: drive('B') };
    for (const [i, name, d] of [[1, 'pics', drives.A], [2, 'more', drives.A], [3, 'backup', drives.B]] as const) {
      mkdirSync(join(tmp.path, name));
      loc[name] = store.locations.insert({ uuid: `00000000-0000-4000-a000-00000000000${i}`, device_id: lib.deviceId, name, path: join(tmp.path, name), index_mode: 'content', ignore_rules: '[]', generation: null }, 0);
      store.entries.insertRoot(loc[name]!, name, ++inode, 0, 0);
      store.locations.setVolume(loc[name]!, d, name);
    }
    file('pics', 'laptop-fresh.jpg', 1);
    file('pics', 'phone-stale.jpg', 2);
    file('pics', 'two-drives.jpg', 3);
    file('backup', 'two-drives.jpg', 3);
    file('pics', 'gone-twin.jpg', 4);
    file('backup', 'gone-twin.jpg', 4, false);
    file('pics', 'same-drive.jpg', 5);
    file('more', 'same-drive.jpg', 5);
    // The laptop was away for 400 days but verified its copy 10 days ago (it was seen then: its rows say so).
    peer(LAPTOP, now - 400 * DAY, [[1, now - 10 * DAY]]);
    // The phone was away for 400 days, its copy verified then.
    peer(PHONE, now - 400 * DAY, [[2, now - 400 * DAY]]);
  });
  after(() => {
    lib.close();
    tmp.cleanup();
  });

  it('policy 2: a delete that leaves one copy is refused; a copy verified 10 days ago counts, one 400 days ago does not', () => {
    assert.deepEqual(belowPolicy(lib, [at('pics', 'laptop-fresh.jpg')], now).map((b) => [b.content_uuid, b.have, b.policy, b.not_counted]), [[uuidOf(1), 1, 2, 0]]);
    const stale = belowPolicy(lib, [at('pics', 'phone-stale.jpg')], now);
    assert.deepEqual(stale.map((b) => [b.content_uuid, b.path, b.have, b.policy, b.not_counted]), [[uuidOf(2), join(tmp.path, 'pics', 'phone-stale.jpg'), 0, 2, 1]]);
  });

  it('policy 1: the fresh copy elsewhere is enough, the stale one is not', () => {
    setPolicy(lib, { copies: 1 }, now);
    try {
      assert.deepEqual(belowPolicy(lib, [at('pics', 'laptop-fresh.jpg')], now), []);
      assert.deepEqual(belowPolicy(lib, [at('pics', 'phone-stale.jpg')], now).map((b) => b.have), [0]);
    } finally {
      setPolicy(lib, { clear: true }, now);
    }
  });

  it('a file here counts only when it is on the disk now', () => {
    // The backup's twin is in the index but not on the disk: deleting the one in pics leaves none.
    assert.deepEqual(belowPolicy(lib, [at('pics', 'gone-twin.jpg')], now).map((b) => [b.have, b.not_counted]), [[0, 1]]);
  });

  it('a second file on the same drive is one copy: deleting it lowers nothing, deleting both is refused', () => {
    assert.deepEqual(belowPolicy(lib, [at('more', 'same-drive.jpg')], now), []);
    assert.deepEqual(belowPolicy(lib, [at('more', 'same-drive.jpg'), at('pics', 'same-drive.jpg')], now).map((b) => b.have), [0]);
  });

  it('a move keeps the count, within a drive or to another; onto a drive that holds it already, it loses one; out of the library, it leaves', () => {
    assert.deepEqual(belowPolicy(lib, [at('pics', 'two-drives.jpg', loc.more!)], now), [], 'within drive A');
    assert.deepEqual(belowPolicy(lib, [at('pics', 'laptop-fresh.jpg', loc.backup!)], now), [], 'from drive A to drive B');
    assert.deepEqual(belowPolicy(lib, [at('pics', 'two-drives.jpg', loc.backup!)], now).map((b) => [b.have, b.policy]), [[1, 2]], 'onto the drive holding its other copy');
    assert.deepEqual(belowPolicy(lib, [at('pics', 'laptop-fresh.jpg', null)], now).map((b) => b.have), [1], 'out of the library\'s sight');
  });

  it('takes a tag\'s or a location\'s stricter policy', () => {
    setPolicy(lib, { location: loc.backup!, copies: 3 }, now);
    try {
      // two-drives has a file in backup: its policy asks 3, it has 2; deleting the backup's leaves 1.
      assert.deepEqual(belowPolicy(lib, [at('backup', 'two-drives.jpg')], now).map((b) => [b.have, b.policy]), [[1, 3]]);
    } finally {
      setPolicy(lib, { location: loc.backup!, clear: true }, now);
    }
  });
});
