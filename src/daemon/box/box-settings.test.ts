import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keepBoxWebFlags, readBoxWeb } from './box-settings.js';

const OPENSSL = spawnSync('openssl', ['version']).status === 0;

describe('the relay box\'s web side, as kept (daemon/box/box-settings.ts)', { skip: OPENSSL ? false : 'openssl is not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'vss-box-settings-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const cert = (san: string) => {
    const path = join(dir, `${san.replace(/[^a-z0-9]/gi, '_')}.pem`);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=t', '-addext', `subjectAltName=${san}`, '-keyout', `${path}.key`, '-out', path], { stdio: 'ignore' });
    return { boxCert: path, boxKey: `${path}.key` };
  };

  it('keeps the port, the certificate and the name the certificate gives, and forgets them with --no-box-web', () => {
    const data = join(dir, 'a');
    keepBoxWebFlags(data, { boxWeb: 443, ...cert('DNS:box.example.org,DNS:*.example.org') });
    assert.deepEqual({ ...readBoxWeb(data)!, cert: '', key: '' }, { port: 443, cert: '', key: '', name: 'box.example.org' });
    // A later start may change the port alone: the rest is kept.
    keepBoxWebFlags(data, { boxWeb: 8443 });
    assert.equal(readBoxWeb(data)?.port, 8443);
    assert.equal(readBoxWeb(data)?.name, 'box.example.org');
    keepBoxWebFlags(data, { boxWeb: false });
    assert.equal(readBoxWeb(data), null);
  });

  it('takes a name a wildcard covers (one label), refuses one it does not, and asks for the certificate', () => {
    const data = join(dir, 'b');
    const wild = cert('DNS:*.example.org');
    keepBoxWebFlags(data, { boxWeb: 443, ...wild, boxName: 'home.example.org' });
    assert.equal(readBoxWeb(data)?.name, 'home.example.org');
    assert.throws(() => keepBoxWebFlags(data, { boxWeb: 443, ...wild, boxName: 'a.b.example.org' }), /is not for a\.b\.example\.org/);
    assert.throws(() => keepBoxWebFlags(join(dir, 'c'), { boxWeb: 443 }), /--box-cert FILE --box-key FILE/);
    assert.throws(() => keepBoxWebFlags(join(dir, 'c'), { boxWeb: 443, boxCert: wild.boxCert }), /go together/);
    assert.throws(() => keepBoxWebFlags(join(dir, 'c'), { boxWeb: 443, ...wild, relay: false }), /leave out --no-relay/);
  });
});
