import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../test/helpers.js';
import { Installation } from '../../library/installation.js';
import { SharedData } from '../../tags/shared-data.js';
import { admissionBody, memberRecordId, removalBody, rightsBody, signMemberBody, type MemberSide, type Right } from '../../tags/member-record.js';
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

function rightsOp(library: string, by: { side: MemberSide; priv: unknown }, member: Dev, t: number, rights: Right[]) {
  const body = rightsBody(library, at(t), by.side, member.side, rights);
  return { hlc: `${Date.parse(at(t))}-000000-${by.side.uuid}`, record: 'member', id: memberRecordId(body), set: { body, sig_by: signMemberBody(body, by.priv as Parameters<typeof signMemberBody>[1]), sig_member: null } };
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
    const [laptop, desktop, nas, stranger, phone] = [device('Laptop'), device('Desktop'), device('NAS'), device('Stranger'), device('Phone')];
    // This device made the library (it is its founder) and paired with the laptop by hand, letting it admit others.
    trust.add({ device_uuid: laptop.side.uuid, name: 'Laptop', public_key: laptop.side.key, peer_id: peerIdOfPublicKey(laptop.side.key), paired_at: at(0), library_ids: [id], addrs: [], last_seen: null });
    const self = { side: me as MemberSide, priv: readFileSync(join(tmp.path, 'data', 'device.key'), 'utf8') };
    const shared = new SharedData(lib);
    const got = shared.receive([
      // The pairing's admission, both signed: what joins the laptop to this device in the records.
      admitOp(id, self as unknown as Dev, laptop, 0),
      rightsOp(id, self, laptop, 1, ['admit', 'remove', 'relay']),
      admitOp(id, laptop, desktop, 1),
      admitOp(id, laptop, nas, 2),
      // The desktop may not admit: its pairing with the phone trusts the two of them, no one else.
      admitOp(id, desktop, phone, 3),
      // Forged: the "admitted" signature is the admitter's own.
      admitOp(id, laptop, stranger, 3, true),
      // Another library's admission, properly signed, sent in this library's log.
      admitOp(randomUUID(), laptop, stranger, 4),
    ], laptop.side.uuid);
    assert.equal(got.applied, 6);
    assert.equal(got.refused.length, 1);
    assert.match(got.refused[0]!, /did not sign/);

    const change = applyMembership(trust, lib, me);
    assert.deepEqual(change.added.sort(), [desktop, nas].map((d) => peerIdOfPublicKey(d.side.key)).sort());
    assert.equal(trust.get(stranger.side.uuid), undefined, 'a record of another library is no evidence here');
    assert.equal(trust.get(phone.side.uuid), undefined, 'let in by a device that may not admit');
    assert.deepEqual(trust.get(nas.side.uuid)?.member_of, [id]);
    assert.equal(trust.get(laptop.side.uuid)?.member_of, undefined, 'paired by hand: not only a member');
    assert.equal(applyMembership(trust, lib, me).added.length, 0, 'worked out again: nothing new');
    assert.equal(trust.mayRelay(peerIdOfPublicKey(nas.side.key)), true, 'a member may be relayed unless a grant says otherwise');

    // The founder lets the NAS remove but not be relayed: this device's relay refuses it a slot and circuits.
    shared.receive([rightsOp(id, self, nas, 4, ['remove'])], me.uuid);
    applyMembership(trust, lib, me);
    assert.deepEqual(trust.get(nas.side.uuid)?.no_relay, [id]);
    assert.equal(trust.mayRelay(peerIdOfPublicKey(nas.side.key)), false);
    assert.equal(trust.mayRelay(peerIdOfPublicKey(desktop.side.key)), true);

    // The desktop removes the laptop: a plain member's removal of a device that may admit counts for nothing (N2).
    const keeps = [admitOp(id, laptop, desktop, 1).id, admitOp(id, laptop, nas, 2).id];
    shared.receive([removeOp(id, desktop, laptop, 5, keeps)], desktop.side.uuid);
    assert.deepEqual(applyMembership(trust, lib, me).dropped, []);
    // Let admit too, its removal counts: dropped here, though this device paired with it.
    shared.receive([rightsOp(id, self, desktop, 6, ['admit', 'remove', 'relay']), removeOp(id, desktop, laptop, 7, keeps)], desktop.side.uuid);
    const after = applyMembership(trust, lib, me);
    assert.deepEqual(after.dropped.map((d) => [d.uuid, d.gone]), [[laptop.side.uuid, true]]);
    assert.equal(trust.get(laptop.side.uuid), undefined);
    assert.ok(trust.get(nas.side.uuid), 'the devices it admitted before stay');
    lib.close();
  });
});
