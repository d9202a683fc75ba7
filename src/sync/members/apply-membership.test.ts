import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { tempDir } from '../../../test/helpers.js';
import { Installation } from '../../library/installation.js';
import { SharedData } from '../../tags/shared-data.js';
import { admissionBody, memberRecordId, removalBody, signMemberBody, type MemberSide } from '../../tags/member-record.js';
import { peerIdOfPublicKey } from '../net/device-key.js';
import { PairedDevices } from '../pairing/paired-devices.js';
import { applyMembership } from './apply-membership.js';

function key() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), priv: privateKey };
}
function device(name: string) {
  const k = key();
  return { side: { uuid: randomUUID(), name, key: k.pem } as MemberSide, priv: k.priv };
}
type Dev = ReturnType<typeof device>;
const at = (s: number) => new Date(Date.UTC(2026, 10, 26, 10, 0, s)).toISOString();

/** What a peer sends: the records as shared-data operations, taken in through the same checks as a pull. */
function admitOp(library: string, by: Dev, member: Dev, t: number, forge = false) {
  const body = admissionBody(library, at(t), by.side, member.side);
  return { hlc: `${Date.parse(at(t))}-000000-${by.side.uuid}`, record: 'member', id: memberRecordId(body), set: { body, sig_by: signMemberBody(body, by.priv), sig_member: signMemberBody(body, forge ? by.priv : member.priv) } };
}
function removeOp(library: string, by: Dev, member: Dev, t: number, keeps: string[] = []) {
  const body = removalBody(library, at(t), by.side, member.side, keeps);
  return { hlc: `${Date.parse(at(t))}-000000-${by.side.uuid}`, record: 'member', id: memberRecordId(body), set: { body, sig_by: signMemberBody(body, by.priv), sig_member: null } };
}

describe('membership brought into the trust store', () => {
  const tmp = tempDir('vss-apply-members-');
  after(() => tmp.cleanup());

  it('trusts the members for the library only, refuses forged and foreign records, and drops a removed device', () => {
    const vss = new Installation({ dataDir: join(tmp.path, 'data') });
    const lib = vss.createLibrary('Home', join(tmp.path, 'lib'));
    const id = lib.config.id;
    const me = { uuid: lib.device.uuid, name: lib.device.name, key: lib.device.publicKey };
    const trust = PairedDevices.load(join(tmp.path, 'data'));
    const [laptop, desktop, nas, stranger] = [device('Laptop'), device('Desktop'), device('NAS'), device('Stranger')];
    // This device paired with the laptop by hand.
    trust.add({ device_uuid: laptop.side.uuid, name: 'Laptop', public_key: laptop.side.key, peer_id: peerIdOfPublicKey(laptop.side.key), paired_at: at(0), library_ids: [id], addrs: [], last_seen: null });
    const shared = new SharedData(lib);
    const got = shared.receive([
      admitOp(id, laptop, desktop, 1),
      admitOp(id, desktop, nas, 2),
      // Forged: the "admitted" signature is the admitter's own.
      admitOp(id, laptop, stranger, 3, true),
      // Another library's admission, properly signed, sent in this library's log.
      admitOp(randomUUID(), laptop, stranger, 4),
    ], laptop.side.uuid);
    assert.equal(got.applied, 3);
    assert.equal(got.refused.length, 1);
    assert.match(got.refused[0]!, /did not sign/);

    const change = applyMembership(trust, lib, me);
    assert.deepEqual(change.added.sort(), [desktop, nas].map((d) => peerIdOfPublicKey(d.side.key)).sort());
    assert.equal(trust.get(stranger.side.uuid), undefined, 'a record of another library is no evidence here');
    assert.deepEqual(trust.get(nas.side.uuid)?.member_of, [id]);
    assert.equal(trust.get(laptop.side.uuid)?.member_of, undefined, 'paired by hand: not only a member');
    assert.equal(applyMembership(trust, lib, me).added.length, 0, 'worked out again: nothing new');

    // The desktop removes the laptop: dropped here too, though this device paired with it.
    shared.receive([removeOp(id, desktop, laptop, 5, [admitOp(id, laptop, desktop, 1).id])], desktop.side.uuid);
    const after = applyMembership(trust, lib, me);
    assert.deepEqual(after.dropped.map((d) => [d.uuid, d.gone]), [[laptop.side.uuid, true]]);
    assert.equal(trust.get(laptop.side.uuid), undefined);
    assert.ok(trust.get(nas.side.uuid), 'the devices it admitted before stay');
    lib.close();
  });
});
