import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../test/helpers.js';
import { Installation } from '../../library/installation.js';
import { SharedData } from '../../tags/shared-data.js';
import { admissionBody, memberRecordId, removalBody, signMemberBody, type MemberSide } from '../../tags/member-record.js';
import { peerIdOfPublicKey } from '../net/device-key.js';
import { PairedDevices } from '../pairing/paired-devices.js';
import { applyMembership } from './apply-membership.js';
import { removalRefused } from './record-member.js';

/*
 * Issue 57, N2: a plain member (default rights: remove, relay) removing the library's founder, or
 * a device that may admit. Seen from a member that was let in by the founder, with real library
 * files and a real trust store, as the records come in over a pull.
 */

function device(name: string) {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { side: { uuid: randomUUID(), name, key: publicKey.export({ type: 'spki', format: 'pem' }).toString() } as MemberSide, priv: privateKey };
}
type Dev = { side: MemberSide; priv: ReturnType<typeof device>['priv'] };
const at = (s: number) => new Date(Date.UTC(2026, 10, 27, 10, 0, s)).toISOString();
const op = (body: string, by: Dev, sigMember: string | null, t: number) => ({ hlc: `${Date.parse(at(t))}-000000-${by.side.uuid}`, record: 'member', id: memberRecordId(body), set: { body, sig_by: signMemberBody(body, by.priv), sig_member: sigMember } });
const admitOp = (library: string, by: Dev, member: Dev, founder: string, t: number) => {
  const body = admissionBody(library, at(t), by.side, member.side, [], founder);
  return op(body, by, signMemberBody(body, member.priv), t);
};
const removeOp = (library: string, by: Dev, member: Dev, t: number, keeps: string[] = []) => op(removalBody(library, at(t), by.side, member.side, keeps), by, null, t);

describe('removing the founder, or a device that may admit, takes the right to admit (N2)', () => {
  const tmp = tempDir('vss-removal-rights-');
  after(() => tmp.cleanup());
  let n = 0;
  /** This device (the desktop) was let in by the founder (the laptop), as was the server: both plain members. */
  const setup = () => {
    const dir = join(tmp.path, String(n++));
    const lib = new Installation({ dataDir: join(dir, 'data') }).createLibrary('Home', join(dir, 'lib'));
    const id = lib.config.id;
    const trust = PairedDevices.load(join(dir, 'data'));
    const [laptop, server] = [device('Laptop'), device('Server')];
    const me = { side: { uuid: lib.device.uuid, name: lib.device.name, key: lib.device.publicKey } as MemberSide, priv: createPrivateKey(readFileSync(join(dir, 'data', 'device.key'), 'utf8')) };
    const founder = laptop.side.key;
    trust.add({ device_uuid: laptop.side.uuid, name: 'Laptop', public_key: laptop.side.key, peer_id: peerIdOfPublicKey(laptop.side.key), paired_at: at(0), library_ids: [id], addrs: [], last_seen: null });
    const shared = new SharedData(lib);
    // The pairing that let this device in: the founder's admission, both signed.
    assert.deepEqual(shared.receive([admitOp(id, laptop, me, founder, 1)], laptop.side.uuid).refused, []);
    return { lib, id, trust, laptop, server, me: me.side, founder, shared };
  };

  it("a plain member's removal of the founder counts for nothing: the founder stays trusted, and its removal of that member comes in and counts", () => {
    const { lib, id, trust, laptop, server, me, founder, shared } = setup();
    try {
      const admitServer = admitOp(id, laptop, server, founder, 2);
      const got = shared.receive([admitServer, removeOp(id, server, laptop, 3)], laptop.side.uuid);
      assert.deepEqual(got.refused, []);
      const change = applyMembership(trust, lib, me);
      assert.deepEqual(change.dropped, [], 'the founder is not dropped');
      assert.ok(trust.get(laptop.side.uuid), 'the founder is still trusted');
      assert.ok(change.view.members.has(founder));
      assert.equal(change.view.removed.size, 0);
      // The founder's removal of the server, made after: signed by a device a removal names, yet taken in (that removal counts for nothing).
      const back = removeOp(id, laptop, server, 4, [admitServer.id]);
      assert.equal(shared.receive([back], laptop.side.uuid).applied, 1);
      assert.ok(lib.store.libraryMembers.has(back.id), 'the founder\'s removal of the member is held');
      const after = applyMembership(trust, lib, me);
      assert.deepEqual(after.dropped.map((d) => d.uuid), [server.side.uuid]);
      assert.ok(trust.get(laptop.side.uuid));
    } finally {
      lib.close();
    }
  });

  it('a founder an older vss dropped for such a removal comes back: trusted again, and its records refused then are taken when they come again', () => {
    const { lib, id, trust, laptop, server, me, founder, shared } = setup();
    try {
      const admitServer = admitOp(id, laptop, server, founder, 2);
      const rogue = removeOp(id, server, laptop, 3);
      shared.receive([admitServer, rogue], laptop.side.uuid);
      // What an older vss left: the founder dropped from the trust store, and its next record
      // logged with the shared data but refused as signed by a removed device.
      trust.remove(laptop.side.uuid);
      const refusedThen = removeOp(id, laptop, server, 4, [admitServer.id]);
      lib.store.immediate(() => lib.store.sharedOps.append(refusedThen.hlc, JSON.stringify(refusedThen)));
      assert.equal(lib.store.libraryMembers.has(refusedThen.id), false);

      const change = applyMembership(trust, lib, me);
      assert.ok(change.view.members.has(founder), 'a member again');
      assert.deepEqual(trust.get(laptop.side.uuid)?.member_of, [id], 'trusted again, as a member of the library');
      // The pull from the founder starts over once it was forgotten: its record comes again, and is taken.
      assert.equal(shared.receive([refusedThen], laptop.side.uuid).applied, 1);
      assert.ok(lib.store.libraryMembers.has(refusedThen.id));
      assert.deepEqual(applyMembership(trust, lib, me).dropped.map((d) => d.uuid), [server.side.uuid]);
    } finally {
      lib.close();
    }
  });

  it('`devices remove` of the founder by a plain member is refused with the reason; of another plain member it is not', () => {
    const { lib, id, trust, laptop, server, me, founder, shared } = setup();
    try {
      shared.receive([admitOp(id, laptop, server, founder, 2)], laptop.side.uuid);
      applyMembership(trust, lib, me);
      const why = removalRefused(trust, lib, me, { uuid: laptop.side.uuid, key: laptop.side.key, name: 'Laptop' });
      assert.equal(why, 'this device may not remove Laptop from Home: Laptop made the library, and only a device that may admit removes it');
      assert.equal(removalRefused(trust, lib, me, { uuid: server.side.uuid, key: server.side.key, name: 'Server' }), undefined);
    } finally {
      lib.close();
    }
  });
});
