import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import type { Library } from '../library/library.js';
import { flipBit, tempDir } from '../../test/helpers.js';
import { contentOf, makeLibrary } from '../../test/support/guard-library.js';
import { copyLocksOf } from './copy-locks.js';
import { belowPolicy, describeBelow, fallsShort, lockForPeer, policyRefusal, tally, weighDrop, type RemoteLock, type Witnesses } from './guard.js';
import { setPolicy } from './policy.js';

const LAPTOP = '00000000-0000-4000-8000-00000000000b';
const PHONE = '00000000-0000-4000-8000-00000000000c';
const uuidOf = (n: number) => `00000000-0000-5000-8000-${String(n).padStart(12, '0')}`;

describe('guard: what falls short', () => {
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

  it('says each content, its path and why its other copies were not counted', () => {
    const last = { content_uuid: uuidOf(1), path: '/p/a.jpg', have: 0, policy: 2, of: 'copies' as const, not_counted: 0 };
    assert.equal(describeBelow(last), `the last copy in the library of content ${uuidOf(1)} (/p/a.jpg)`);
    assert.equal(describeBelow({ ...last, have: 1 }), `content ${uuidOf(1)} (/p/a.jpg): 1 copy left, its policy asks 2`);
    assert.equal(describeBelow({ ...last, not_counted: 1, uncounted: ["Bravo's copy (a.jpg) can't be confirmed now (Bravo is offline)"] }),
      `the last copy that can be confirmed now of content ${uuidOf(1)} (/p/a.jpg) (not counted: Bravo's copy (a.jpg) can't be confirmed now (Bravo is offline))`);
    const err = policyRefusal('delete', [last, { ...last, content_uuid: uuidOf(2), of: 'offsite', have: 0, policy: 1 }]);
    assert.equal(err.code, 'POLICY');
    assert.match(err.message, /^refused: this delete would leave 2 contents below their policy \(a copy counts when it can be confirmed now: .*\): the last copy in the library .*; content .*: 0 copies off this device left, its policy asks 1\. A delete for good is the permanent step \(a delete into the trash, without --permanent, is never refused: the Guardian weighs it when the trash is emptied\)\. Add --force to delete anyway$/);
  });
});

/** The guard on a real library: files on disk, two drives, paired devices connected or not. */
describe('guard: the first look (a plan, a dry run)', () => {
  const tmp = tempDir('vss-guard-');
  let lib: Library;
  let loc: Record<string, number>;
  let at: ReturnType<typeof makeLibrary>['at'];
  let file: ReturnType<typeof makeLibrary>['file'];
  const bytes = (n: number) => Buffer.from(`content ${n} `.repeat(8));

  /** DEVICE holding contents NS, as its index last said. */
  const peer = (device: string, ns: number[]) => {
    const { store } = lib;
    store.transaction(() => {
      store.devices.upsertPeer({ uuid: device, name: device === LAPTOP ? 'Laptop' : 'Phone', publicKey: '', os: 'linux' }, Date.now());
      store.peerLocations.replace(device, [{ location_id: 1, uuid: device.replace('-4000-', '-4001-'), name: 'Photos', path: '/home/me/Photos', index_mode: 'content', files: ns.length, dirs: 0, bytes: 0 }]);
      const ids = store.peerContents.putMany(device, ns.map((n) => ({ content_uuid: contentOf(bytes(n)), cas_id: blake3(bytes(n)).toString('hex'), cas_version: 1, kind: 'unknown', mime: 'application/octet-stream', size: bytes(n).length, media_metadata: null })));
      store.peerEntries.putMany(device, 1, '', ns.map((n) => ({ name: `f${n}`, kind: 'file', size: bytes(n).length, mtime_ms: 0, content_uuid: contentOf(bytes(n)), verified_at: Date.now() })), 1, ids);
    });
  };
  const online = (...devices: string[]): Witnesses => ({ devices: { online: (d) => devices.includes(d), lock: () => Promise.reject(new Error('not asked in a first look')) } });

  before(() => {
    const made = makeLibrary(tmp.path, 'one');
    ({ lib, loc, at, file } = made);
    made.file('pics', 'on-laptop', bytes(1));
    made.file('pics', 'two-drives', bytes(3));
    made.file('backup', 'two-drives', bytes(3));
    made.file('pics', 'gone-twin', bytes(4));
    made.file('backup', 'gone-twin', bytes(4));
    made.file('pics', 'same-drive', bytes(5));
    made.file('more', 'same-drive', bytes(5));
    made.file('pics', 'edited-twin', bytes(6));
    made.file('backup', 'edited-twin', bytes(6));
    made.file('pics', 'rotten-twin', bytes(7));
    made.file('backup', 'rotten-twin', bytes(7));
    made.file('pics', 'edited-alone', bytes(8));
    made.file('backup', 'edited-alone', bytes(8));
    peer(LAPTOP, [1]);
  });
  after(() => {
    lib.close();
    tmp.cleanup();
  });

  it('another device\'s copy counts while that device is connected; offline, or with no daemon to ask it, it does not, and the refusal says why', () => {
    setPolicy(lib, { copies: 1 });
    try {
      assert.deepEqual(belowPolicy(lib, [at('pics', 'on-laptop')], online(LAPTOP)), []);
      const away = belowPolicy(lib, [at('pics', 'on-laptop')], online(PHONE));
      assert.deepEqual(away.map((b) => [b.have, b.not_counted]), [[0, 1]]);
      assert.match(away[0]!.uncounted![0]!, /^Laptop's copy \(f1\) can't be confirmed now \(Laptop is offline\)$/);
      assert.match(belowPolicy(lib, [at('pics', 'on-laptop')])[0]!.uncounted![0]!, /no daemon runs to ask Laptop \(vss daemon start\)/);
    } finally {
      setPolicy(lib, { clear: true });
    }
  });

  it('a file here counts only when it is on the disk now, unchanged since indexed, and not recorded rotten', () => {
    assert.deepEqual(belowPolicy(lib, [at('pics', 'gone-twin')]).map((b) => [b.have, b.not_counted]), [[1, 0]], 'its twin there: one left, the policy asks 2');
    rmSync(join(tmp.path, 'one', 'backup', 'gone-twin'));
    const gone = belowPolicy(lib, [at('pics', 'gone-twin')]);
    assert.deepEqual(gone.map((b) => [b.have, b.not_counted]), [[0, 1]], 'its twin gone from the disk: the last copy');
    assert.match(gone[0]!.uncounted![0]!, /gone-twin is gone$/);

    const edited = join(tmp.path, 'one', 'backup', 'edited-twin');
    writeFileSync(edited, Buffer.from(bytes(6)).fill(65, 0, 3), { flag: 'r+' });
    utimesSync(edited, new Date(), new Date(Date.now() + 5000));
    setPolicy(lib, { copies: 1 });
    try {
      const b = belowPolicy(lib, [at('pics', 'edited-twin')]);
      assert.deepEqual(b.map((x) => [x.have, x.not_counted]), [[0, 1]], 'an edit in place: the twin is not this content any more');
      assert.match(b[0]!.uncounted![0]!, /changed since it was indexed/);

      const rotten = lib.store.entries.fileAt(loc.backup!, 'rotten-twin')!;
      const content = lib.store.contents.byUuid(contentOf(bytes(7)))!;
      assert.deepEqual(belowPolicy(lib, [at('pics', 'rotten-twin')]), [], 'before the scrub: its twin counts');
      lib.store.rot.put({ entry_id: rotten.id, content_id: content.id, size: content.size, expected: content.cas_id, found: 'f'.repeat(64), found_at: Date.now() });
      const r = belowPolicy(lib, [at('pics', 'rotten-twin')]);
      assert.deepEqual(r.map((x) => [x.have, x.not_counted]), [[0, 1]], 'a copy recorded rotten never counts');
      assert.match(r[0]!.uncounted![0]!, /a scrub found its bytes rotten/);
      assert.deepEqual(belowPolicy(lib, [at('backup', 'rotten-twin')]), [], 'deleting the rotten one takes no copy away');
      // Edited since (new bytes, nobody looked at them): no longer the known rotten bytes.
      const rottenPath = join(tmp.path, 'one', 'backup', 'rotten-twin');
      writeFileSync(rottenPath, Buffer.concat([Buffer.from(bytes(7)).fill(67, 0, 2), Buffer.from('more')]));
      utimesSync(rottenPath, new Date(), new Date(Date.now() + 4000));
      assert.match(belowPolicy(lib, [at('backup', 'rotten-twin')])[0]?.changed ?? '', /^its bytes changed since it was indexed/);
    } finally {
      setPolicy(lib, { clear: true });
    }
  });

  it('a file whose bytes vss does not know now (edited since indexed, or never indexed) may not be deleted or replaced: they may be nowhere else; moved, it may', async () => {
    const edited = join(tmp.path, 'one', 'pics', 'edited-alone');
    const indexed = statSync(edited);
    writeFileSync(edited, Buffer.from(bytes(8)).fill(66, 0, 4), { flag: 'r+' });
    utimesSync(edited, new Date(), new Date(Date.now() + 3000));
    // Its size kept: the first look takes it for its content (its twin keeps one), the weighing hashes it and finds other bytes.
    setPolicy(lib, { copies: 1 });
    assert.deepEqual(belowPolicy(lib, [at('pics', 'edited-alone')]), [], 'its size kept: hashed when the drop is weighed');
    const weighed = await weighDrop(lib, [at('pics', 'edited-alone')]);
    await weighed.release();
    setPolicy(lib, { clear: true });
    assert.deepEqual(weighed.below.map((x) => x.changed), ['its bytes changed since it was indexed: vss cannot tell whether its bytes are anywhere else (rescan its location, then ask again)']);
    // Its size changed too: refused at the first look.
    writeFileSync(edited, Buffer.concat([Buffer.from(bytes(8)), Buffer.from('more')]));
    utimesSync(edited, new Date(), new Date(indexed.mtimeMs + 5000));
    const b = belowPolicy(lib, [at('pics', 'edited-alone')]);
    assert.deepEqual(b.map((x) => x.changed), ['its bytes changed since it was indexed: vss cannot tell whether its bytes are anywhere else (rescan its location, then ask again)'], 'though its content has a copy on backup');
    assert.equal(describeBelow(b[0]!), `${edited}: ${b[0]!.changed}`);
    assert.deepEqual(belowPolicy(lib, [{ ...at('pics', 'edited-alone', loc.more!), moved: true }]), [], 'a move keeps its bytes');
    const fresh = join(tmp.path, 'one', 'pics', 'never-indexed');
    writeFileSync(fresh, 'new bytes');
    assert.match(belowPolicy(lib, [at('pics', 'never-indexed')])[0]?.changed ?? '', /^it was never indexed/);
    rmSync(fresh);
    assert.deepEqual(belowPolicy(lib, [at('pics', 'never-indexed')]), [], 'gone: nothing to lose');
  });

  it('a file whose times changed but not its bytes (a chmod, a touch, chattr) is weighed as its content: hashed, it may go', async () => {
    const touched = join(tmp.path, 'one', 'pics', 'touched');
    const twin = join(tmp.path, 'one', 'backup', 'touched');
    file('pics', 'touched', bytes(9));
    file('backup', 'touched', bytes(9));
    utimesSync(touched, new Date(), new Date(Date.now() + 7000));
    setPolicy(lib, { copies: 1 });
    try {
      assert.deepEqual(belowPolicy(lib, [at('pics', 'touched')]), []);
      const weighed = await weighDrop(lib, [at('pics', 'touched')]);
      await weighed.release();
      assert.deepEqual(weighed.below, [], 'hashed now: still its content, whose twin counts');
      rmSync(twin);
      assert.deepEqual(belowPolicy(lib, [at('pics', 'touched')]).map((x) => [x.have, x.policy]), [[0, 1]], 'the first look takes it for the last copy');
      const alone = await weighDrop(lib, [at('pics', 'touched')]);
      await alone.release();
      assert.deepEqual(alone.below.map((x) => [x.have, x.policy]), [[0, 1]], 'its twin gone: hashed, the last copy, refused as such');
    } finally {
      setPolicy(lib, { clear: true });
    }
  });

  it('a file on a drive not plugged in cannot vouch', () => {
    setPolicy(lib, { copies: 1 });
    lib.store.locations.setOnline(loc.backup!, false);
    try {
      const b = belowPolicy(lib, [at('pics', 'two-drives')]);
      assert.deepEqual(b.map((x) => x.have), [0]);
      assert.match(b[0]!.uncounted![0]!, /the drive “one-B” holding .* is not reachable now \(plug it in\)/);
    } finally {
      lib.store.locations.setOnline(loc.backup!, true);
      setPolicy(lib, { clear: true });
    }
  });

  // Found by the safety model: the drive unplugged (its location recorded offline), plugged back, and its only copy deleted.
  it('a location recorded offline is looked at again: the file going from it, there now, is the copy its delete takes away', async () => {
    const path = join(tmp.path, 'one', 'loose');
    mkdirSync(path);
    loc.loose = lib.store.locations.insert({ uuid: '00000000-0000-4000-a000-00000000f00d', device_id: lib.deviceId, name: 'loose', path, kind: 'disk', index_mode: 'content', ignore_rules: '[]', generation: null }, 0);
    lib.store.entries.insertRoot(loc.loose, 'loose', statSync(path).ino, 0, 0);
    file('loose', 'alone', bytes(10));
    lib.store.locations.setOnline(loc.loose, false);
    setPolicy(lib, { copies: 1 });
    try {
      assert.deepEqual(belowPolicy(lib, [at('loose', 'alone')]).map((b) => [b.have, b.not_counted]), [[0, 0]], 'the last copy in the library');
      const weighed = await weighDrop(lib, [at('loose', 'alone')]);
      await weighed.release();
      assert.deepEqual(weighed.below.map((b) => b.have), [0]);
    } finally {
      setPolicy(lib, { clear: true });
    }
  });

  it('a second file on the same drive is one copy: deleting it lowers nothing, deleting both is refused', () => {
    assert.deepEqual(belowPolicy(lib, [at('more', 'same-drive')]), []);
    assert.deepEqual(belowPolicy(lib, [at('more', 'same-drive'), at('pics', 'same-drive')]).map((b) => b.have), [0]);
  });

  it('a move keeps the count, within a drive or to another; onto a drive that holds it already, it loses one; out of the library, it leaves', () => {
    assert.deepEqual(belowPolicy(lib, [at('pics', 'two-drives', loc.more!)]), [], 'within drive A');
    assert.deepEqual(belowPolicy(lib, [at('pics', 'two-drives', loc.backup!)]).map((b) => [b.have, b.policy]), [[1, 2]], 'onto the drive holding its other copy');
    assert.deepEqual(belowPolicy(lib, [at('pics', 'on-laptop', null)], online(LAPTOP)).map((b) => b.have), [1], 'out of the library\'s sight');
    assert.deepEqual(belowPolicy(lib, [at('pics', 'on-laptop', loc.backup!)], online(LAPTOP)), [], 'from drive A to drive B');
  });

  it('takes a location\'s stricter policy', () => {
    setPolicy(lib, { location: loc.backup!, copies: 3 });
    try {
      assert.deepEqual(belowPolicy(lib, [at('backup', 'two-drives')]).map((b) => [b.have, b.policy]), [[1, 3]]);
    } finally {
      setPolicy(lib, { location: loc.backup!, clear: true });
    }
  });
});

/**
 * The drop as it runs, between two real libraries in one process (Alpha and Bravo, one content
 * each holds a copy of): Bravo's side of a lock is the real one (`lockForPeer` on its library);
 * only the stream between them is left out.
 */
describe('guard: the drop, with the other device asked to lock its copy', () => {
  const tmp = tempDir('vss-guard-drop-');
  let alpha: ReturnType<typeof makeLibrary>;
  let bravo: ReturnType<typeof makeLibrary>;
  let bravoUp = true;
  const shared = Buffer.from('a photo both devices hold '.repeat(40));

  /** SELF's witnesses: the other device answers with its own library's lockForPeer while up. */
  const witnessesOf = (self: () => ReturnType<typeof makeLibrary>, other: () => ReturnType<typeof makeLibrary>, up: () => boolean): Witnesses => ({
    devices: {
      online: () => up(),
      async lock(_device, copies): Promise<RemoteLock> {
        await Promise.resolve();
        if (!up()) throw new Error('the stream closed');
        const got = await lockForPeer(other().lib, self().lib.device.uuid, copies);
        let released = false;
        return { held: new Set(got.held), refused: got.refused, alive: () => !released && up(), release: async () => { released = true; got.release(); } };
      },
    },
  });

  /** What Alpha knows of Bravo's copy (as Bravo's index sent it), and Bravo of Alpha's. */
  const knowsOf = (me: ReturnType<typeof makeLibrary>, them: ReturnType<typeof makeLibrary>, name: string) => {
    const { store } = me.lib;
    const device = them.lib.device.uuid;
    const loc = them.lib.store.locations.byId(them.loc.pics!)!;
    store.transaction(() => {
      store.devices.upsertPeer({ uuid: device, name, publicKey: '', os: 'linux' }, Date.now());
      store.peerLocations.replace(device, [{ location_id: loc.id, uuid: loc.uuid, name: 'pics', path: loc.path, index_mode: 'content', files: 1, dirs: 0, bytes: 0 }]);
      const ids = store.peerContents.putMany(device, [{ content_uuid: contentOf(shared), cas_id: blake3(shared).toString('hex'), cas_version: 1, kind: 'unknown', mime: 'application/octet-stream', size: shared.length, media_metadata: null }]);
      store.peerEntries.putMany(device, loc.id, '', [{ name: 'shared', kind: 'file', size: shared.length, mtime_ms: 0, content_uuid: contentOf(shared), verified_at: Date.now() }], 1, ids);
    });
  };

  before(() => {
    alpha = makeLibrary(tmp.path, 'alpha');
    bravo = makeLibrary(tmp.path, 'bravo');
    alpha.file('pics', 'shared', shared);
    bravo.file('pics', 'shared', shared);
    knowsOf(alpha, bravo, 'Bravo');
    knowsOf(bravo, alpha, 'Alpha');
    setPolicy(alpha.lib, { copies: 1 });
    setPolicy(bravo.lib, { copies: 1 });
  });
  after(() => {
    alpha.lib.close();
    bravo.lib.close();
    tmp.cleanup();
  });
  const alphaW = () => witnessesOf(() => alpha, () => bravo, () => bravoUp);
  const bravoW = () => witnessesOf(() => bravo, () => alpha, () => true);

  it('Bravo online locks its copy: Alpha may drop its own, and Bravo cannot drop its copy while the lock holds', async () => {
    const hold = await weighDrop(alpha.lib, [alpha.at('pics', 'shared')], alphaW());
    try {
      assert.deepEqual(hold.below, []);
      assert.equal(hold.holds(), true);
      const theirs = await weighDrop(bravo.lib, [bravo.at('pics', 'shared')], bravoW());
      assert.deepEqual(theirs.lockedBy?.device, alpha.lib.device.uuid, 'Bravo\'s own drop of the locked copy waits');
      await theirs.release();
    } finally {
      await hold.release();
    }
    const after = await weighDrop(bravo.lib, [bravo.at('pics', 'shared')], bravoW());
    assert.equal(after.lockedBy, undefined, 'released: Bravo may weigh its own drop again');
    await after.release();
  });

  it('Bravo away: Alpha\'s drop is refused, saying Bravo\'s copy cannot be confirmed now (faults note, defect 4 apart)', async () => {
    bravoUp = false;
    try {
      const hold = await weighDrop(alpha.lib, [alpha.at('pics', 'shared')], alphaW());
      await hold.release();
      assert.deepEqual(hold.below.map((b) => b.have), [0]);
      assert.match(hold.below[0]!.uncounted![0]!, /^Bravo's copy \(shared\) can't be confirmed now \(Bravo is offline\)$/);
    } finally {
      bravoUp = true;
    }
  });

  it('both devices dropping at once: each finds the other\'s copy going, and neither goes (defect 4 online)', async () => {
    const [a, b] = await Promise.all([
      weighDrop(alpha.lib, [alpha.at('pics', 'shared')], alphaW()),
      weighDrop(bravo.lib, [bravo.at('pics', 'shared')], bravoW()),
    ]);
    await Promise.all([a.release(), b.release()]);
    assert.equal(a.below.length, 1, 'Alpha refused');
    assert.equal(b.below.length, 1, 'Bravo refused');
    assert.match(a.below[0]!.uncounted![0]!, /this device is deleting or moving it now/);
  });

  it('a lock that ends before the drop does is seen (holds() turns false)', async () => {
    const hold = await weighDrop(alpha.lib, [alpha.at('pics', 'shared')], alphaW());
    try {
      assert.equal(hold.holds(), true);
      bravoUp = false;
      assert.equal(hold.holds(), false);
    } finally {
      bravoUp = true;
      await hold.release();
    }
  });

  it('a peer may not lock a copy that changed, is rotten, or is not there as that content', async () => {
    const mine = bravo.lib.store.locations.byId(bravo.loc.pics!)!;
    const ask = (rel: string, content = contentOf(shared)) => lockForPeer(bravo.lib, 'Alpha', [{ content_uuid: content, location: mine.uuid, rel_path: rel, size: shared.length }]);
    const wrong = await ask('shared', contentOf(Buffer.from('other')));
    assert.deepEqual([wrong.held, [...wrong.refused.values()]], [[], ['the file is not there as that content (moved, deleted or changed)']]);
    const none = await lockForPeer(bravo.lib, 'Alpha', [{ content_uuid: contentOf(shared), location: '00000000-0000-4000-a000-999999999999', rel_path: 'shared', size: 1 }]);
    assert.deepEqual([...none.refused.values()], ['no such location on this device']);
    const fine = await ask('shared');
    assert.deepEqual(fine.held, [0]);
    fine.release();
    assert.equal(copyLocksOf(bravo.lib).lockedBy({ locationId: bravo.loc.pics!, rel: 'shared' }), undefined, 'released');
  });

  it('the holder hashes a small copy again before it locks it: silent rot (size, times, inode kept) is found, recorded, and refused (found by the safety model)', async () => {
    const rottenBytes = Buffer.from('a photo the holder will rot '.repeat(30));
    alpha.file('more', 'held', rottenBytes);
    bravo.file('more', 'held', rottenBytes);
    const where = join(tmp.path, 'bravo', 'more', 'held');
    flipBit(where, 7);
    const mine = bravo.lib.store.locations.byId(bravo.loc.more!)!;
    const got = await lockForPeer(bravo.lib, 'Alpha', [{ content_uuid: contentOf(rottenBytes), location: mine.uuid, rel_path: 'held', size: rottenBytes.length }]);
    got.release();
    assert.deepEqual(got.held, []);
    assert.match(got.refused.get(0) ?? '', /hashed again now, its bytes are not the content's \(rot, recorded\)/);
    assert.equal(bravo.lib.store.rot.has(bravo.lib.store.entries.fileAt(bravo.loc.more!, 'held')!.id), true);
  });

  it('forced: nothing weighed, yet a file another device locked still makes the drop wait', async () => {
    const got = await lockForPeer(alpha.lib, 'Bravo', [{ content_uuid: contentOf(shared), location: alpha.lib.store.locations.byId(alpha.loc.pics!)!.uuid, rel_path: 'shared', size: shared.length }]);
    try {
      const hold = await weighDrop(alpha.lib, [alpha.at('pics', 'shared')], {}, { forced: true });
      assert.equal(hold.lockedBy?.device, 'Bravo');
    } finally {
      got.release();
    }
    const forced = await weighDrop(alpha.lib, [alpha.at('pics', 'shared')], {}, { forced: true });
    assert.deepEqual(forced.below, []);
    await forced.release();
  });
});
