import '../net/polyfill.js';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../test/helpers.js';
import { loopStreams } from '../../../test/safety/loop-stream.js';
import { Installation } from '../../library/installation.js';
import type { Library } from '../../library/library.js';
import { admissionBody, memberRecordId, removalBody, signMemberBody, type MemberSide } from '../../tags/member-record.js';
import { SharedData } from '../../tags/shared-data.js';
import { peerIdOfPublicKey } from '../net/device-key.js';
import { PairedDevices } from '../pairing/paired-devices.js';
import { applyMembership } from './apply-membership.js';
import { removalOps, serveRemovalNotice, tellRemoved } from './removal-notice.js';
import { readRemovedFrom, refusesThisDevice } from './removed-from.js';

/* Issue 57: a removed device is told, over a real stream pair, and takes in nothing else that way. */

const at = (s: number) => new Date(Date.UTC(2026, 10, 27, 9, 0, s)).toISOString();
function device(name: string) {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { side: { uuid: randomUUID(), name, key: publicKey.export({ type: 'spki', format: 'pem' }).toString() } as MemberSide, priv: privateKey };
}

describe('a removed device is told by a member connected to it', () => {
  const tmp = tempDir('vss-removal-notice-');
  after(() => tmp.cleanup());
  let n = 0;
  /** This device, let into the laptop's library by the laptop (the founder): the laptop removes it. */
  const setup = () => {
    const dir = join(tmp.path, String(n++));
    const lib = new Installation({ dataDir: join(dir, 'data') }).createLibrary('Home', join(dir, 'lib'));
    const id = lib.config.id;
    const laptop = device('Laptop');
    const me = { side: { uuid: lib.device.uuid, name: lib.device.name, key: lib.device.publicKey } as MemberSide, priv: createPrivateKey(readFileSync(join(dir, 'data', 'device.key'), 'utf8')) };
    const trust = PairedDevices.load(join(dir, 'data'));
    trust.add({ device_uuid: laptop.side.uuid, name: 'Laptop', public_key: laptop.side.key, peer_id: peerIdOfPublicKey(laptop.side.key), paired_at: at(0), library_ids: [id], addrs: [], last_seen: null });
    const admit = admissionBody(id, at(1), laptop.side, me.side, [], laptop.side.key);
    new SharedData(lib).receive([{ hlc: `${Date.parse(at(1))}-000000-${laptop.side.uuid}`, record: 'member', id: memberRecordId(admit), set: { body: admit, sig_by: signMemberBody(admit, laptop.priv), sig_member: signMemberBody(admit, me.priv) } }], laptop.side.uuid);
    const removal = (member: { uuid: string; key: string }, t = 2) => {
      const body = removalBody(id, at(t), laptop.side, member, [memberRecordId(admit)]);
      return JSON.stringify({ hlc: `${Date.parse(at(t))}-000000-${laptop.side.uuid}`, record: 'member', id: memberRecordId(body), set: { body, sig_by: signMemberBody(body, laptop.priv), sig_member: null } });
    };
    const remote = { deviceUuid: laptop.side.uuid, peerId: peerIdOfPublicKey(laptop.side.key), name: 'Laptop', libraryIds: [id] };
    return { lib, id, dir, trust, me: me.side, removal, remote };
  };
  /** OPS told to this device over a stream pair: whether it took them in. */
  const tell = async (lib: Library, remote: Parameters<typeof serveRemovalNotice>[1], library: string, ops: string[]) => {
    const [mine, theirs] = loopStreams();
    let taken = false;
    await Promise.all([tellRemoved(async () => mine, library, ops), serveRemovalNotice(theirs, remote, (l) => (l === lib.config.id ? lib : undefined), () => (taken = true))]);
    return taken;
  };

  it('takes in its own removal, and its membership then says it is out', async () => {
    const { lib, id, trust, me, removal, remote } = setup();
    try {
      assert.equal(await tell(lib, remote, id, [removal(me)]), true);
      const change = applyMembership(trust, lib, me);
      assert.equal(change.selfRemoved, true);
      assert.equal(change.view.removed.get(me.key)?.by, remote.deviceUuid);
      // What the sender reads back out of its own records: the same operation.
      const held = lib.store.libraryMembers.removalsOf([me.uuid])[0]!;
      assert.deepEqual(removalOps(lib, me.uuid, held.id).map((o) => JSON.parse(o) as unknown), [JSON.parse(removal(me))]);
    } finally {
      lib.close();
    }
  });

  it('takes nothing else that way: a removal of another device, of another library, or from a device it does not share the library with', async () => {
    const { lib, id, trust, me, removal, remote } = setup();
    try {
      const other = device('Phone').side;
      const before = lib.store.libraryMembers.count();
      assert.equal(await tell(lib, remote, id, [removal(other)]), false);
      assert.equal(await tell(lib, remote, id, [removal(me), removal(other, 3)]), false, 'all of them its own removals, or none taken');
      assert.equal(await tell(lib, remote, randomUUID(), [removal(me)]), false);
      assert.equal(await tell(lib, { ...remote, libraryIds: [] }, id, [removal(me)]), false);
      assert.equal(await tell(lib, remote, id, ['{not json']), false);
      assert.equal(lib.store.libraryMembers.count(), before);
      assert.equal(applyMembership(trust, lib, me).selfRemoved, false);
    } finally {
      lib.close();
    }
  });

  it('says it in words for each device that shares only such libraries', () => {
    const removed = [{ library_id: 'L1', library: 'Home', by: 'Laptop', at: '2026-11-27T09:00:02.000Z' }];
    assert.equal(refusesThisDevice(['L1'], removed), 'this device was removed from Home by Laptop on 2026-11-27 09:00 UTC');
    assert.equal(refusesThisDevice(['L1', 'L2'], removed), null, 'another library they share still lets it in');
    assert.equal(refusesThisDevice([], removed), null);
    assert.deepEqual(readRemovedFrom(join(tmp.path, 'nowhere')), []);
  });
});
