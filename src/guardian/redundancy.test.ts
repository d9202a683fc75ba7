import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Installation } from '../library/installation.js';
import type { Library } from '../library/library.js';
import type { EntryFacts } from '../store/entries.js';
import { TagBook } from '../tags/tag-book.js';
import { tempDir } from '../../test/helpers.js';
import { DEFAULT_POLICY, listPolicies, setPolicy } from './policy.js';
import { atRisk, contentSafety, copyCounts, guardianStatus, STALE_AFTER_MS } from './redundancy.js';

const DAY = 24 * 3600_000;
const LAPTOP = '00000000-0000-4000-8000-00000000000b';
const PHONE = '00000000-0000-4000-8000-00000000000c';
const uuidOf = (n: number) => `00000000-0000-5000-8000-${String(n).padStart(12, '0')}`;

/**
 * The Guardian's counts on a real library database (issue 30 item 1): copies on this device's
 * drives and on paired devices, counted once per drive (or paired location), judged against the
 * strictest of the library's, the locations' and the tags' policies.
 */
describe('guardian: copies counted against a policy', () => {
  const tmp = tempDir('vss-guardian-');
  let vss: Installation;
  let lib: Library;
  const now = Date.now();
  const loc: Record<string, number> = {};
  let inode = 0;

  /** A file of content N (SIZE bytes) at NAME in location LOC, linked as the indexer links it. */
  const file = (l: string, name: string, n: number, size: number, verified = true): number => {
    const { store } = lib;
    const id = store.contents.upsert({ uuid: uuidOf(n), cas_id: `c${n}`, cas_version: 1, kind: 'image', mime: 'image/jpeg', size }, 0);
    const facts: EntryFacts = { parent_id: store.entries.rootOf(loc[l]!)!, name, rel_path: name, kind: 'file', size, inode: ++inode, mtime_ms: 1, link_target: null };
    const entry = store.entries.insert(loc[l]!, facts, 0);
    assert.ok(store.entries.linkContents([{ file: { ...facts, id: entry }, uuid: uuidOf(n), verified }], now).size === 1);
    return entry;
  };

  /** DEVICE's rows as a pull leaves them: its location 1 named NAME holding FILES [name, content, size]. */
  const peer = (device: string, name: string, lastSeen: number, files: Array<[string, number, number]>) => {
    const { store } = lib;
    store.transaction(() => {
      store.devices.upsertPeer({ uuid: device, name, publicKey: '', os: 'linux' }, lastSeen);
      store.peerLocations.replace(device, [{ location_id: 1, uuid: device.replace('-4000-', '-4001-'), name: 'Photos', path: '/home/me/Photos', index_mode: 'content', files: files.length, dirs: 0, bytes: 0 }]);
      const ids = store.peerContents.putMany(device, files.map(([, n, size]) => ({ content_uuid: uuidOf(n), cas_id: `c${n}`, cas_version: 1, kind: 'image', mime: 'image/jpeg', size, media_metadata: null })));
      store.peerEntries.putMany(device, 1, '', files.map(([f, n, size]) => ({ name: f, kind: 'file', size, mtime_ms: 0, content_uuid: uuidOf(n), verified_at: 1234 })), 1, ids);
    });
  };

  before(() => {
    vss = new Installation({ dataDir: join(tmp.path, 'data') });
    lib = vss.createLibrary('G', tmp.path);
    const { store } = lib;
    // Drive A holds two locations; drive B is unplugged and was last seen 40 days ago.
    const seen = (fingerprint: string, at: number) => store.volumes.seen(lib.deviceId, { fingerprint, mount_point: `/mnt/${fingerprint}`, fs: 'ext4', capacity: 1, free: 1, removable: 1, read_only: 0 }, at);
    const driveA = seen('A', now);
    const driveB = seen('B', now - 40 * DAY);
    store.volumes.setTracked(driveB.id, true, 'Backup');
    for (const [i, name, drive] of [[1, 'pics', driveA.id], [2, 'more', driveA.id], [3, 'backup', driveB.id]] as const) {
      loc[name] = store.locations.insert({ uuid: `00000000-0000-4000-a000-00000000000${i}`, device_id: lib.deviceId, name, path: `/mnt/x/${name}`, kind: 'disk', index_mode: 'content', ignore_rules: '[]', generation: null }, 0);
      store.entries.insertRoot(loc[name]!, name, ++inode, 0, 0);
      store.locations.setVolume(loc[name]!, drive, name);
    }
    store.locations.setOnline(loc.backup!, false);
    file('pics', 'once.jpg', 1, 10);
    file('pics', 'twice-one-drive.jpg', 2, 20);
    file('more', 'twice-one-drive.jpg', 2, 20, false);
    file('pics', 'two-drives.jpg', 3, 30);
    file('backup', 'two-drives.jpg', 3, 30);
    file('pics', 'laptop-too.jpg', 4, 40);
    file('backup', 'only-backup.jpg', 6, 60);
    peer(LAPTOP, 'Laptop', now - DAY, [['laptop-too.jpg', 4, 40]]);
    peer(PHONE, 'Phone', now - 60 * DAY, [['phone-only.jpg', 5, 50]]);
  });
  after(() => {
    lib.close();
    tmp.cleanup();
  });

  it('counts a copy once per drive (or paired location), and says which are safe, short, single and stale', () => {
    const s = guardianStatus(lib, now);
    assert.deepEqual(s.policy, DEFAULT_POLICY);
    assert.deepEqual({ contents: s.contents, bytes: s.bytes }, { contents: 6, bytes: 210 });
    // Safe: two-drives (two drives of this device), laptop-too (here and on the laptop).
    assert.deepEqual(s.safe, { contents: 2, bytes: 70 });
    assert.deepEqual(s.short, { contents: 4, bytes: 140 });
    // Once: once.jpg, twice-one-drive (one drive), phone-only, only-backup.
    assert.deepEqual(s.single, { contents: 4, bytes: 140 });
    // Only where nothing was seen for 30 days: the phone's, and the unplugged drive's.
    assert.deepEqual(s.stale, { contents: 2, bytes: 110 });
    assert.deepEqual(s.by_device.map((d) => [d.name, d.contents, d.bytes]), [[lib.device.name, 5, 160], ['Laptop', 1, 40], ['Phone', 1, 50]]);
    assert.equal(s.by_device[0]!.last_seen, now);
    assert.equal(s.by_device[2]!.last_seen, now - 60 * DAY);
    assert.ok(now - 60 * DAY < now - STALE_AFTER_MS);
  });

  it('lists the contents short of their policy, fewest copies first, with every file and when it was verified', () => {
    const list = atRisk(lib, new Set([LAPTOP]), {}, now);
    assert.deepEqual(list.map((c) => c.content_uuid), [uuidOf(6), uuidOf(5), uuidOf(2), uuidOf(1)]);
    const twice = list[2]!;
    assert.deepEqual(twice.has, { copies: 1, devices: 1, offsite: 0 });
    assert.deepEqual(twice.short_by, { copies: 1, devices: 0, offsite: 0 });
    assert.deepEqual(twice.copies.map((c) => [c.location, c.path, c.volume, c.verified_at, c.online]), [
      ['more', '/mnt/x/more/twice-one-drive.jpg', 'A', null, true],
      ['pics', '/mnt/x/pics/twice-one-drive.jpg', 'A', now, true],
    ]);
    const phone = list[1]!;
    assert.deepEqual(phone.copies, [{ device_id: PHONE, device_name: 'Phone', location: 'Photos', path: '/home/me/Photos/phone-only.jpg', volume: null, verified_at: 1234, online: false, rotten: false, unconfirmed: false }]);
    assert.equal(list[0]!.copies[0]!.volume, 'Backup', 'a tracked drive by its name');
    assert.equal(list[0]!.copies[0]!.online, false);
    assert.deepEqual(atRisk(lib, new Set(), { limit: 1 }, now).map((c) => c.content_uuid), [uuidOf(6)]);
    assert.throws(() => atRisk(lib, new Set(), { limit: 0 }, now), /--limit is a whole number/);
  });

  it('judges one content, and counts the copies of a few, as the whole library is counted', () => {
    assert.deepEqual(contentSafety(lib, uuidOf(2), now), {
      policy: { copies: 2, devices: 1, offsite: 0 }, policy_chosen: false, has: { copies: 1, devices: 1, offsite: 0 }, short_by: { copies: 1, devices: 0, offsite: 0 }, safe: false,
    });
    assert.deepEqual(contentSafety(lib, uuidOf(4), now)?.has, { copies: 2, devices: 2, offsite: 1 }, 'here and on the laptop');
    assert.equal(contentSafety(lib, uuidOf(5), now)?.has.copies, 1, 'only the phone\'s');
    assert.equal(contentSafety(lib, uuidOf(99), now), null);
    const counts = copyCounts(lib, [uuidOf(1), uuidOf(2), uuidOf(3), uuidOf(4), uuidOf(5), uuidOf(99)]);
    assert.deepEqual([...counts].sort(), [[uuidOf(1), 1], [uuidOf(2), 1], [uuidOf(3), 2], [uuidOf(4), 2], [uuidOf(5), 1]]);
  });

  it('a rotten copy is not a copy: counted nowhere, its content short or lost, listed first, in every variant of the count (faults note, defect 8)', () => {
    const { store } = lib;
    const rotAt = (l: string, name: string) => {
      const e = store.entries.fileAt(loc[l]!, name)!;
      const c = store.contents.byUuid(e.content_uuid!)!;
      store.rot.put({ entry_id: e.id, content_id: c.id, size: c.size, expected: c.cas_id, found: 'x', found_at: now });
      return e.id;
    };
    const rotten = [rotAt('pics', 'two-drives.jpg'), rotAt('pics', 'once.jpg')];
    try {
      const s = guardianStatus(lib, now);
      // two-drives keeps its backup copy (one, short of two); once.jpg has none left: lost.
      assert.deepEqual(s.safe, { contents: 1, bytes: 40 }, 'only laptop-too is safe now');
      assert.deepEqual(s.lost, { contents: 1, bytes: 10 });
      assert.deepEqual(s.rot, { contents: 2, bytes: 40 });
      const list = atRisk(lib, new Set([LAPTOP]), {}, now);
      assert.equal(list[0]!.content_uuid, uuidOf(1), 'the lost one first');
      assert.equal(list[0]!.lost, true);
      assert.deepEqual(list[0]!.copies.map((c) => c.rotten), [true]);
      assert.deepEqual(contentSafety(lib, uuidOf(3), now)?.has.copies, 1);
      assert.deepEqual(copyCounts(lib, [uuidOf(1), uuidOf(3)]), new Map([[uuidOf(3), 1]]), 'the grid does not count it either');
      // With a tag's policy (the other statement): the same counts.
      const tags = new TagBook(lib);
      tags.create('Rotten-check');
      setPolicy(lib, { tag: 'Rotten-check', copies: 1 }, now);
      const t = guardianStatus(lib, now);
      assert.deepEqual([t.safe.contents, t.lost.contents], [1, 1]);
      setPolicy(lib, { tag: 'Rotten-check', clear: true }, now);
      tags.delete('Rotten-check');
    } finally {
      for (const id of rotten) store.rot.clear(id);
    }
    assert.deepEqual(guardianStatus(lib, now).lost, { contents: 0, bytes: 0 }, 'repaired: counted again');
  });

  it('after a restore, another device\'s copies count only once it is heard from again, in every variant of the count', () => {
    const { store } = lib;
    assert.equal(store.devices.unconfirmOthers(lib.device.uuid, now - 1000), 2, 'the laptop and the phone');
    try {
      const s = guardianStatus(lib, now);
      assert.deepEqual(s.safe, { contents: 1, bytes: 30 }, 'two-drives alone: laptop-too is here only now');
      assert.deepEqual(s.lost, { contents: 1, bytes: 50 }, 'phone-only has no copy that counts');
      assert.deepEqual(s.by_device.map((d) => [d.name, d.unconfirmed_since]), [[lib.device.name, null], ['Laptop', now - 1000], ['Phone', now - 1000]]);
      assert.deepEqual(contentSafety(lib, uuidOf(4), now)?.has, { copies: 1, devices: 1, offsite: 0 });
      assert.deepEqual(copyCounts(lib, [uuidOf(4), uuidOf(5)]), new Map([[uuidOf(4), 1]]), 'the grid does not count them either');
      const list = atRisk(lib, new Set(), {}, now);
      assert.equal(list[0]!.content_uuid, uuidOf(5), 'the lost one first');
      assert.equal(list[0]!.lost, true);
      assert.deepEqual(list[0]!.copies.map((c) => [c.device_name, c.unconfirmed]), [['Phone', true]]);
      // With a tag's policy (the other statement): the same counts.
      const tags = new TagBook(lib);
      tags.create('Unconfirmed-check');
      setPolicy(lib, { tag: 'Unconfirmed-check', copies: 1 }, now);
      assert.deepEqual([guardianStatus(lib, now).safe.contents, guardianStatus(lib, now).lost.contents], [1, 1]);
      setPolicy(lib, { tag: 'Unconfirmed-check', clear: true }, now);
      tags.delete('Unconfirmed-check');
      // The laptop begins a pull (still unconfirmed), then it ends whole: its copies count again; the phone's still do not.
      store.devices.upsertPeer({ uuid: LAPTOP, name: 'Laptop', publicKey: '', os: 'linux' }, now - DAY);
      assert.equal(guardianStatus(lib, now).safe.contents, 1);
      store.devices.heardFrom(LAPTOP);
      const heard = guardianStatus(lib, now);
      assert.deepEqual([heard.safe.contents, heard.lost.contents], [2, 1]);
      assert.deepEqual(heard.by_device.map((d) => d.unconfirmed_since), [null, null, now - 1000]);
      assert.equal(store.devices.unconfirmOthers(lib.device.uuid, now), 2);
      assert.equal(store.devices.byUuid(PHONE)!.unconfirmed_since, now - 1000, 'a second restore keeps the first time');
    } finally {
      store.devices.heardFrom(LAPTOP);
      store.devices.heardFrom(PHONE);
    }
    assert.deepEqual(guardianStatus(lib, now).lost, { contents: 0, bytes: 0 }, 'heard from: counted again');
  });

  it('takes the strictest of the library\'s, a location\'s and a tag\'s policy (the tags beneath it too)', () => {
    const tags = new TagBook(lib);
    tags.create('Family');
    tags.create('Kids', { parent: 'Family' });
    tags.add('Kids', [uuidOf(4)]);
    setPolicy(lib, { tag: 'Family', copies: 3 }, now);
    // The backup's files want a copy off this device: two-drives has none.
    setPolicy(lib, { location: loc.backup!, offsite: 1 }, now);
    let s = guardianStatus(lib, now);
    assert.deepEqual(s.safe, { contents: 0, bytes: 0 });
    const list = atRisk(lib, new Set(), {}, now);
    const laptopToo = list.find((c) => c.content_uuid === uuidOf(4))!;
    assert.deepEqual(laptopToo.policy, { copies: 3, devices: 1, offsite: 0 });
    assert.deepEqual(laptopToo.short_by, { copies: 1, devices: 0, offsite: 0 });
    assert.deepEqual(list.find((c) => c.content_uuid === uuidOf(3))!.short_by, { copies: 0, devices: 0, offsite: 1 });
    // The library's own policy: one copy is enough, then the tag and location still ask more.
    setPolicy(lib, { copies: 1 }, now);
    s = guardianStatus(lib, now);
    assert.deepEqual(s.policy, { copies: 1, devices: 1, offsite: 0 });
    assert.deepEqual(s.safe, { contents: 3, bytes: 80 }, 'once, twice-one-drive, phone-only');
    assert.deepEqual(listPolicies(lib).map((p) => [p.scope, p.name, p.copies, p.devices, p.offsite]), [
      ['library', null, 1, 1, 0], ['location', 'backup', null, null, 1], ['tag', 'Family', 3, null, null],
    ]);
    setPolicy(lib, { tag: 'Family', clear: true }, now);
    setPolicy(lib, { location: loc.backup!, clear: true }, now);
    setPolicy(lib, { clear: true }, now);
    assert.deepEqual(guardianStatus(lib, now).safe, { contents: 2, bytes: 70 });
    assert.deepEqual(listPolicies(lib).length, 1);
  });

  it('refuses a policy that cannot mean anything', () => {
    assert.throws(() => setPolicy(lib, {}), /give what the policy asks/);
    assert.throws(() => setPolicy(lib, { copies: 0 }), /at least one copy/);
    assert.throws(() => setPolicy(lib, { copies: 65 }), /from 0 to 64/);
    assert.throws(() => setPolicy(lib, { devices: 1.5 }), /whole number/);
    assert.throws(() => setPolicy(lib, { tag: 'Family', location: loc.pics!, copies: 2 }), /not both/);
    assert.throws(() => setPolicy(lib, { tag: 'nope', copies: 2 }), /no tag "nope"/);
    assert.throws(() => setPolicy(lib, { location: 999, copies: 2 }), /no location with id 999/);
    assert.throws(() => setPolicy(lib, { tag: 'Family', copies: 2, clear: true }), /give no numbers/);
  });
});

describe('guardian: when a copy was last verified', () => {
  const tmp = tempDir('vss-verified-');
  let lib: Library;
  before(() => {
    lib = new Installation({ dataDir: join(tmp.path, 'data') }).createLibrary('V', tmp.path);
  });
  after(() => {
    lib.close();
    tmp.cleanup();
  });

  it('a whole hash verifies, a change of the bytes forgets it, and a scrub\'s mark numbers the folder for peers', () => {
    const { store } = lib;
    const l = store.locations.insert({ uuid: '00000000-0000-4000-a000-000000000001', device_id: lib.deviceId, name: 'l', path: '/x', kind: 'disk', index_mode: 'content', ignore_rules: '[]', generation: null }, 0);
    const root = store.entries.insertRoot(l, 'l', 1, 0, 0);
    const c = store.contents.upsert({ uuid: uuidOf(1), cas_id: 'c1', cas_version: 1, kind: 'image', mime: 'image/jpeg', size: 1 }, 0);
    const facts: EntryFacts = { parent_id: root, name: 'a', rel_path: 'a', kind: 'file', size: 1, inode: 2, mtime_ms: 1, link_target: null };
    const id = store.entries.insert(l, facts, 0);
    store.entries.linkContents([{ file: { ...facts, id }, uuid: uuidOf(1) }], 100);
    assert.equal(store.entries.byId(id)!.verified_at, null, 'a sampled hash verifies nothing');
    store.entries.linkContents([{ file: { ...facts, id, content_id: c }, uuid: uuidOf(1), verified: true }], 200);
    assert.equal(store.entries.byId(id)!.verified_at, 200);
    store.entries.linkContents([{ file: { ...facts, id, content_id: c }, uuid: uuidOf(1) }], 300);
    assert.equal(store.entries.byId(id)!.verified_at, 200, 'linked again to the same content by samples: the whole hash still stands');
    store.entries.update(id, { ...facts, size: 2 }, false, 400);
    assert.equal(store.entries.byId(id)!.verified_at, 200, 'moved or renamed: the same bytes');
    store.entries.update(id, { ...facts, size: 3 }, true, 500);
    assert.equal(store.entries.byId(id)!.verified_at, null, 'bytes that may differ are not the ones verified');
    store.entries.linkContent({ ...facts, size: 3, id }, c, 600, true);
    assert.equal(store.entries.byId(id)!.verified_at, 600);
    const seq = store.entries.lastFolderSeq();
    assert.equal(store.entries.markVerified([id], 700), 1);
    assert.equal(store.entries.byId(id)!.verified_at, 700);
    assert.ok(store.entries.lastFolderSeq() > seq, 'peers hear of it');
    assert.equal(store.entries.markVerified([root], 800), 0, 'a folder is never verified');
  });
});

/**
 * The counts where a content has three files or more (stores counted distinct, not files), and
 * where this library still holds another device's locations (a library folder moved here from
 * it): each device counted once, the former device's holdings its own in by_device.
 */
describe('guardian: three files and more, and a former device\'s locations', () => {
  const tmp = tempDir('vss-guardian-3-');
  const now = Date.now();
  let lib: Library;
  after(() => {
    lib.close();
    tmp.cleanup();
  });

  it('a content on three locations of two drives is two copies; one on a former device\'s drive too is three copies on two devices, one off this device', () => {
    const inst = new Installation({ dataDir: join(tmp.path, 'data') });
    lib = inst.createLibrary('T', tmp.path);
    const { store } = lib;
    store.devices.upsertPeer({ uuid: LAPTOP, name: 'Old laptop', publicKey: '', os: 'linux' }, now);
    const formerId = store.devices.byUuid(LAPTOP)!.id;
    const drive = (fp: string, device = lib.deviceId) => store.volumes.seen(device, { fingerprint: fp, mount_point: `/mnt/${fp}`, fs: 'ext4', capacity: 1, free: 1, removable: 1, read_only: 0 }, now).id;
    const locs: number[] = [];
    let inode = 0;
    for (const [i, vol, device] of [[1, drive('A'), lib.deviceId], [2, drive('A'), lib.deviceId], [3, drive('B'), lib.deviceId], [4, drive('C', formerId), formerId]] as const) {
      const id = store.locations.insert({ uuid: `00000000-0000-4000-a000-00000000000${i}`, device_id: device, name: `l${i}`, path: `/mnt/l${i}`, kind: 'disk', index_mode: 'content', ignore_rules: '[]', generation: null }, 0);
      store.entries.insertRoot(id, `l${i}`, ++inode, 0, 0);
      store.locations.setVolume(id, vol, `l${i}`);
      locs.push(id);
    }
    const put = (l: number, name: string, n: number) => {
      store.contents.upsert({ uuid: uuidOf(n), cas_id: `c${n}`, cas_version: 1, kind: 'image', mime: 'image/jpeg', size: 10 * n }, 0);
      const facts: EntryFacts = { parent_id: store.entries.rootOf(l)!, name, rel_path: name, kind: 'file', size: 10 * n, inode: ++inode, mtime_ms: 1, link_target: null };
      const id = store.entries.insert(l, facts, 0);
      store.entries.linkContents([{ file: { ...facts, id }, uuid: uuidOf(n), verified: true }], now);
    };
    // Content 1: two locations of drive A and one of drive B. Content 2: the same, and the former device's drive.
    for (const n of [1, 2]) for (const l of locs.slice(0, 3)) put(l, `c${n}.jpg`, n);
    put(locs[3]!, 'c2.jpg', 2);
    setPolicy(lib, { copies: 3, devices: 2, offsite: 1 }, now);
    const one = contentSafety(lib, uuidOf(1), now)!;
    const two = contentSafety(lib, uuidOf(2), now)!;
    assert.deepEqual(one.has, { copies: 2, devices: 1, offsite: 0 });
    assert.deepEqual(two.has, { copies: 3, devices: 2, offsite: 1 });
    assert.equal(two.safe, true);
    const s = guardianStatus(lib, now);
    assert.deepEqual([s.contents, s.safe.contents, s.single.contents], [2, 1, 0]);
    assert.deepEqual(s.by_device.map((d) => [d.name, d.contents, d.bytes]), [[lib.device.name, 2, 30], ['Old laptop', 1, 20]]);
    assert.deepEqual(copyCounts(lib, [uuidOf(1), uuidOf(2)]), new Map([[uuidOf(1), 2], [uuidOf(2), 3]]));
    // Restored from a snapshot: the former device's drive counts again only once it opens the library.
    store.devices.unconfirmOthers(lib.device.uuid, now);
    assert.deepEqual(contentSafety(lib, uuidOf(2), now)!.has, { copies: 2, devices: 1, offsite: 0 });
    store.devices.upsertSelf({ uuid: LAPTOP, name: 'Old laptop', publicKey: '' }, now);
    assert.deepEqual(contentSafety(lib, uuidOf(2), now)!.has, { copies: 3, devices: 2, offsite: 1 });
  });
});
