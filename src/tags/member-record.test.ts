import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { admissionBody, memberRecordId, removalBody, signMemberBody, verifyMemberRecord } from './member-record.js';

const LIB = '11111111-1111-4111-8111-111111111111';
function device(i: number) {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    side: { uuid: `00000000-0000-4000-8000-00000000000${i}`, name: `Device ${i}`, key: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
    priv: privateKey,
  };
}

describe('membership records: signed by both devices of a pairing, or by the remover', () => {
  const [a, b, c] = [device(1), device(2), device(3)];
  const at = '2026-11-26T10:00:00.000Z';

  it('an admission both signed verifies, under the id its body gives', () => {
    const body = admissionBody(LIB, at, a.side, b.side);
    const got = verifyMemberRecord({ body, sig_by: signMemberBody(body, a.priv), sig_member: signMemberBody(body, b.priv) });
    assert.ok(!('refused' in got), JSON.stringify(got));
    assert.equal(got.id, memberRecordId(body));
    assert.equal(got.body.kind, 'admit');
  });

  it('refuses an admission the admitted device did not sign, signatures swapped or made by a third key, and a body changed after signing', () => {
    const body = admissionBody(LIB, at, a.side, b.side);
    const sa = signMemberBody(body, a.priv);
    const sb = signMemberBody(body, b.priv);
    assert.match((verifyMemberRecord({ body, sig_by: sa, sig_member: null }) as { refused: string }).refused, /did not sign/);
    assert.ok('refused' in verifyMemberRecord({ body, sig_by: sb, sig_member: sa }));
    assert.ok('refused' in verifyMemberRecord({ body, sig_by: sa, sig_member: signMemberBody(body, c.priv) }));
    const changed = body.replace('Device 2', 'Device 9');
    assert.ok('refused' in verifyMemberRecord({ body: changed, sig_by: sa, sig_member: sb }));
  });

  it('a removal is signed by its author alone; bounds and forms are checked before any signature', () => {
    const body = removalBody(LIB, at, a.side, { uuid: b.side.uuid, key: b.side.key });
    assert.ok(!('refused' in verifyMemberRecord({ body, sig_by: signMemberBody(body, a.priv), sig_member: null })));
    assert.ok('refused' in verifyMemberRecord({ body, sig_by: signMemberBody(body, c.priv), sig_member: null }));
    assert.ok('refused' in verifyMemberRecord({ body: 'x'.repeat(5000), sig_by: '', sig_member: null }));
    assert.ok('refused' in verifyMemberRecord({ body: '{"v":1}', sig_by: '', sig_member: null }));
    const self = removalBody(LIB, at, a.side, { uuid: a.side.uuid, key: a.side.key });
    assert.match((verifyMemberRecord({ body: self, sig_by: signMemberBody(self, a.priv), sig_member: null }) as { refused: string }).refused, /itself/);
    const badTime = admissionBody(LIB, '2026-11-26', a.side, b.side);
    assert.match((verifyMemberRecord({ body: badTime, sig_by: signMemberBody(badTime, a.priv), sig_member: signMemberBody(badTime, b.priv) }) as { refused: string }).refused, /time/);
  });
});
