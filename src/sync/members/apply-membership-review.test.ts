import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Installation } from '../../library/installation.js';
import { admissionBody, memberRecordId, signMemberBody, type MemberSide } from '../../tags/member-record.js';
import { SharedData } from '../../tags/shared-data.js';
import { tempDir } from '../../../test/helpers.js';
import { peerIdOfPublicKey } from '../net/device-key.js';
import { PairedDevices, MAX_PAIRED_DEVICES } from '../pairing/paired-devices.js';
import { applyMembership } from './apply-membership.js';
import { recordMember } from './record-member.js';

/* A second, adversarial read of what membership records can put in the trust store (issue 46). */

const at = (t: number) => new Date(Date.UTC(2026, 10, 1) + t * 1000).toISOString();

describe('applyMembership, read adversarially: what reaches the trust store', () => {
  const tmp = tempDir('vss-members-review-');
  after(() => tmp.cleanup());
  const keyed = (name: string, uuid?: string) => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const side: MemberSide = { uuid: uuid ?? randomUUID(), name, key: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
    return { side, priv: privateKey };
  };
  let n = 0;
  /** A library here, and a member M paired with this device for it (a root): M is the one who signs. */
  const setup = () => {
    const dir = join(tmp.path, String(n++));
    const lib = new Installation({ dataDir: join(dir, 'data') }).createLibrary('Home', join(dir, 'lib'));
    const trust = PairedDevices.load(join(dir, 'data'));
    const m = keyed('Member');
    trust.add({ device_uuid: m.side.uuid, name: 'Member', public_key: m.side.key, peer_id: peerIdOfPublicKey(m.side.key), paired_at: at(0), library_ids: [lib.config.id], addrs: [], last_seen: null });
    const self = { uuid: lib.device.uuid, name: lib.device.name, key: lib.device.publicKey };
    const signed = (side: MemberSide, priv: ReturnType<typeof keyed>['priv'], t: number) => {
      const body = admissionBody(lib.config.id, at(t), m.side, side);
      return { body, sig_by: signMemberBody(body, m.priv), sig_member: signMemberBody(body, priv) };
    };
    const mint = (side: MemberSide, priv: ReturnType<typeof keyed>['priv'], t: number) => recordMember(lib, signed(side, priv, t));
    return { lib, trust, self, mint, signed };
  };

  it("a key a member admits under this device's own uuid is not trusted as a device", () => {
    const { lib, trust, self, mint } = setup();
    try {
      const k = keyed('Me, really', self.uuid);
      mint(k.side, k.priv, 1);
      const change = applyMembership(trust, lib, self);
      assert.equal(trust.get(self.uuid), undefined, "a device under this device's own uuid, trusted (removing it later forgets this device's rows: refused with a throw)");
      assert.deepEqual(change.added, []);
    } finally {
      lib.close();
    }
  });

  it('keys one member mints cannot fill the trust store so that pairing is refused', () => {
    const { lib, trust, self, signed } = setup();
    try {
      // The store nearly full already (written as one file here, to keep the test fast: each member
      // applyMembership adds is a write of the whole file), then a member mints the last few.
      const here = trust.list();
      const filler = Array.from({ length: MAX_PAIRED_DEVICES - here.length - 8 }, (_, i) => {
        const k = keyed(`paired ${i}`);
        return { device_uuid: k.side.uuid, name: k.side.name, public_key: k.side.key, peer_id: peerIdOfPublicKey(k.side.key), paired_at: at(0), library_ids: [randomUUID()], addrs: [], last_seen: null };
      });
      writeFileSync(trust.path, JSON.stringify({ version: 1, devices: [...here, ...filler] }));
      const full = PairedDevices.load(dirname(trust.path));
      const minted = Array.from({ length: 8 }, (_, i) => {
        const k = keyed(`minted ${i}`);
        return signed(k.side, k.priv, 1 + i);
      });
      new SharedData(lib).commit(minted.map((r) => ({ record: 'member' as const, id: memberRecordId(r.body), set: r })));
      applyMembership(full, lib, self);
      const next = keyed('A new laptop');
      assert.doesNotThrow(() => full.add({ device_uuid: next.side.uuid, name: 'Laptop', public_key: next.side.key, peer_id: peerIdOfPublicKey(next.side.key), paired_at: at(9_000), library_ids: [lib.config.id], addrs: [], last_seen: null }));
    } finally {
      lib.close();
    }
  });
});
