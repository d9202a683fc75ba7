/**
 * Issue 57, messages: how the home network is served is said where the user looks. `--lan-http`
 * warns at start, in `daemon status` and at `ui pair` that the pairing address and the cookie
 * cross the network in the clear; a certificate of the user's for another name is refused, one
 * that does not name the address the pairing address is given on is warned of. The daemon serves
 * 127.0.0.3 as its home-network address (VSS_LAN_ADDRESSES).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { runCli, tempDir, type CliResult } from '../helpers.js';
import { freePort } from '../support/free-port.js';

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A self-signed certificate naming NAMES (DNS names, or IP addresses), and its key, written under DIR as NAME.pem and NAME.key. */
async function certFor(dir: string, name: string, names: Array<{ type: 'dns' | 'ip'; value: string }>): Promise<{ cert: string; key: string }> {
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(8).toString('hex').replace(/^[89a-f]/, '1'), name: `CN=${names[0]!.value}`, notBefore: new Date(Date.now() - 86_400_000),
    notAfter: new Date(Date.now() + 30 * 86_400_000), keys, signingAlgorithm: ALG, extensions: [new x509.SubjectAlternativeNameExtension(names)],
  });
  const key = createPrivateKey({ key: Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)), format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }) as string;
  const paths = { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
  writeFileSync(paths.cert, cert.toString('pem'));
  writeFileSync(paths.key, key);
  return paths;
}

describe('how the home network is served, said where the user looks', { timeout: 300_000 }, () => {
  const tmp = tempDir('vss-lan-warn-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_LAN_ADDRESSES: '127.0.0.3' };
  const cli = (args: string[]): Promise<CliResult> => runCli(args, env);
  after(async () => {
    await cli(['daemon', 'stop']);
    tmp.cleanup();
  });

  it('--lan-http: at start, in daemon status and at ui pair, the pairing address and the cookie cross the network in the clear', async () => {
    assert.equal((await cli(['library', 'create', 'Home'])).code, 0);
    const clear = /plain HTTP \(--lan-http\): the pairing address and the session cookie cross it in the clear/;
    const start = await cli(['daemon', 'start', '--lan', '--lan-http', '--lan-port', String(await freePort())]);
    assert.equal(start.code, 0, start.stderr);
    assert.match(start.stdout, /note: +the home network is served over plain HTTP/);
    assert.match(start.stdout, clear);
    assert.match((await cli(['daemon', 'status'])).stdout, clear);
    const pair = await cli(['ui', 'pair']);
    assert.equal(pair.code, 0, pair.stderr);
    assert.match(pair.stdout, /^http:\/\/127\.0\.0\.3:/m);
    assert.match(pair.stderr, clear);
    const json = await cli(['--json', 'ui', 'pair']);
    assert.match(json.stderr, clear, 'with --json too, on stderr');
    assert.equal((await cli(['daemon', 'stop'])).code, 0);
  });

  it('--tls-cert for another name is refused, nothing kept; one that does not name the address the pairing address is on is warned of', async () => {
    const other = await certFor(tmp.path, 'other', [{ type: 'dns', value: 'photos.example.org' }]);
    const refused = await cli(['daemon', 'start', '--lan', '--tls-cert', other.cert, '--tls-key', other.key]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /--tls-cert .*other\.pem is for DNS:photos\.example\.org, not for this device on the home network \(127\.0\.0\.3, /);
    assert.match(refused.stderr, /leave out --tls-cert\/--tls-key \(vss makes one\)/);
    assert.equal((await cli(['--json', 'daemon', 'status'])).stdout.includes('"running": true'), false);

    const byName = await certFor(tmp.path, 'host', [{ type: 'dns', value: hostname().toLowerCase() }]);
    const started = await cli(['daemon', 'start', '--lan', '--lan-port', String(await freePort()), '--tls-cert', byName.cert, '--tls-key', byName.key]);
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stderr, new RegExp(`is for DNS:${hostname().toLowerCase()}, not 127\\.0\\.0\\.3: a browser opening the web app there .* refuses it; open it by ${hostname().toLowerCase()}`));
    assert.ok(existsSync(join(env.VSS_DATA_DIR, 'device-settings.json')));
  });
});
