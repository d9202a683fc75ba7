import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CERT_DIR, deviceCert, userCert } from './device-cert.js';

describe('the certificate vss makes for the home network', () => {
  it('names every address and name served, is kept owner-only, reused while it does, and made again with the same key when they change or it nears its end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vss-cert-'));
    try {
      const now = Date.parse('2026-11-26T00:00:00Z');
      const a = await deviceCert(dir, ['192.168.1.20', 'fd00::5', 'laptop', 'laptop.local'], now);
      const x = new X509Certificate(a.cert);
      for (const ip of ['192.168.1.20', 'fd00::5']) assert.equal(x.checkIP(ip), ip);
      assert.equal(x.checkHost('laptop.local'), 'laptop.local');
      assert.equal(x.checkIP('192.168.1.21'), undefined);
      assert.ok(x.verify(x.publicKey), 'self-signed');
      assert.equal(a.fingerprint, x.fingerprint256);
      assert.equal(statSync(join(dir, CERT_DIR, 'key.pem')).mode & 0o777, 0o600);
      const same = await deviceCert(dir, ['192.168.1.20', 'laptop'], now + 86_400_000);
      assert.equal(same.fingerprint, a.fingerprint, 'a subset is covered: the same certificate');
      const moved = await deviceCert(dir, ['192.168.1.77'], now + 86_400_000);
      assert.notEqual(moved.fingerprint, a.fingerprint);
      assert.equal(moved.key, a.key, 'the same key');
      assert.equal(new X509Certificate(moved.cert).checkIP('192.168.1.77'), '192.168.1.77');
      const late = await deviceCert(dir, ['192.168.1.77'], Date.parse(new X509Certificate(moved.cert).validTo) - 86_400_000);
      assert.notEqual(late.fingerprint, moved.fingerprint, 'renewed before it ends');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes the user\'s own certificate only with its own key', async () => {
    const [d1, d2] = [mkdtempSync(join(tmpdir(), 'vss-cert-')), mkdtempSync(join(tmpdir(), 'vss-cert-'))];
    try {
      const one = await deviceCert(d1, ['10.0.0.1']);
      await deviceCert(d2, ['10.0.0.2']);
      assert.equal(userCert(join(d1, CERT_DIR, 'cert.pem'), join(d1, CERT_DIR, 'key.pem')).fingerprint, one.fingerprint);
      assert.throws(() => userCert(join(d1, CERT_DIR, 'cert.pem'), join(d2, CERT_DIR, 'key.pem')), /is not the key of/);
      assert.throws(() => userCert(join(d1, CERT_DIR, 'key.pem'), join(d1, CERT_DIR, 'key.pem')), /not a PEM certificate/);
      assert.throws(() => userCert(join(d1, 'absent.pem'), join(d1, CERT_DIR, 'key.pem')), /cannot read the certificate/);
    } finally {
      for (const d of [d1, d2]) rmSync(d, { recursive: true, force: true });
    }
  });
});
