/**
 * Issue 46 item 4, the box's side: `vss daemon start --relay --box-web PORT --box-cert F
 * --box-key F` serves the web app over HTTPS with the user's certificate, says whose box it is at
 * /.well-known/vss-box.json, and hands secure WebSockets at `/` on the same port to its libp2p
 * node (the browser's way in): a WebSocket there speaks libp2p's multistream-select, one at
 * another path is refused, and no API is served. A real daemon, a certificate made by openssl for
 * localhost, Node's TLS client trusting that certificate alone.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import WebSocket from 'ws';
import { json, tempDir, type CliResult } from '../helpers.js';
import { cliHere } from '../support/cli-here.js';

const OPENSSL = spawnSync('openssl', ['version']).status === 0;

function makeCert(dir: string, san: string): { cert: string; key: string } {
  const cert = join(dir, `${san.replace(/[^a-z0-9]/gi, '_')}.pem`);
  const key = `${cert}.key`;
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=vss-test-box',
    '-addext', `subjectAltName=${san}`, '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

function get(url: string, ca: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer in 10 s`)));
    req.on('error', reject);
  });
}

/** The first message a WebSocket at URL answers a multistream-select header with, or why it closed. */
function multistreamHello(url: string, ca: string): Promise<{ said: string } | { closed: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { ca, handshakeTimeout: 10_000 });
    const timer = setTimeout(() => { ws.terminate(); resolve({ closed: 'no answer in 10 s' }); }, 10_000);
    const header = Buffer.from('/multistream/1.0.0\n');
    ws.on('open', () => ws.send(Buffer.concat([Buffer.from([header.length]), header])));
    // The answer is one length-prefixed line, in as many messages as the sender likes.
    let got = Buffer.alloc(0);
    ws.on('message', (data: Buffer) => {
      got = Buffer.concat([got, Buffer.from(data)]);
      if (got.length < 1 || got.length < 1 + got[0]!) return;
      clearTimeout(timer);
      ws.terminate();
      resolve({ said: got.subarray(1, 1 + got[0]!).toString() });
    });
    ws.on('error', (err: Error) => { clearTimeout(timer); resolve({ closed: err.message }); });
    ws.on('close', () => { clearTimeout(timer); resolve({ closed: 'closed' }); });
  });
}

describe('the relay box serves browsers: the web app over HTTPS and libp2p over a secure WebSocket on one port', { skip: OPENSSL ? false : 'openssl is not installed', timeout: 300_000 }, () => {
  const tmp = tempDir('vss-box-web-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'box') };
  let cert!: { cert: string; key: string };
  let ca = '';
  let url = '';
  const cli = (...args: string[]): Promise<CliResult> => cliHere(args, env);

  before(async () => {
    cert = makeCert(tmp.path, 'DNS:localhost,IP:127.0.0.1');
    ca = readFileSync(cert.cert, 'utf8');
    const r = await cli('--json', 'daemon', 'start', '--relay', '--listen', '/ip4/127.0.0.1/tcp/0', '--box-web', '0', '--box-cert', cert.cert, '--box-key', cert.key);
    assert.equal(r.code, 0, r.stderr);
    const status = json<{ web_urls: string[]; listen: string[]; peer_id: string }>(r);
    url = status.web_urls[0]!;
    assert.match(url, /^https:\/\/localhost:\d+\/ui\/$/);
  });
  after(async () => {
    await cli('daemon', 'stop');
    tmp.cleanup();
  });

  it('serves the app and its own address over HTTPS with the certificate given, and no API', async () => {
    const page = await get(url, ca);
    assert.equal(page.status, 200);
    assert.match(page.body, /<!doctype html>/i);
    assert.match(String(page.headers['content-security-policy']), /connect-src 'self'/);
    const origin = new URL(url).origin;
    const info = JSON.parse((await get(`${origin}/.well-known/vss-box.json`, ca)).body) as { peer_id: string; wss: string; multiaddr: string };
    const status = json<{ peer_id: string; listen: string[] }>(await cli('--json', 'daemon', 'status'));
    assert.equal(info.peer_id, status.peer_id);
    assert.equal(info.wss, `wss://localhost:${new URL(url).port}/`);
    assert.equal(info.multiaddr, `/dns/localhost/tcp/${new URL(url).port}/tls/ws/p2p/${status.peer_id}`);
    // The box announces that address (what a home's slot on it is reached at), never the loopback listener behind it.
    assert.ok(status.listen.includes(info.multiaddr), status.listen.join(' '));
    assert.ok(!status.listen.some((a) => /\/ws\//.test(a) && !a.includes('/tls/')), status.listen.join(' '));
    assert.equal((await get(`${origin}/api/libraries`, ca)).status, 404);
    assert.equal((await get(`${origin}/`, ca)).status, 308);
  });

  it('hands a WebSocket at / to libp2p (multistream-select answers) and refuses one elsewhere', async () => {
    const origin = new URL(url).origin.replace('https:', 'wss:');
    assert.deepEqual(await multistreamHello(`${origin}/`, ca), { said: '/multistream/1.0.0\n' });
    const elsewhere = await multistreamHello(`${origin}/ui/`, ca);
    assert.ok('closed' in elsewhere, JSON.stringify(elsewhere));
  });

  it('refuses a certificate that is not for the name, and a web side without a certificate', async () => {
    const other = makeCert(tmp.path, 'DNS:box.example.org');
    const env2 = { VSS_DATA_DIR: join(tmp.path, 'other') };
    const wrong = await cliHere(['daemon', 'start', '--relay', '--box-web', '0', '--box-cert', other.cert, '--box-key', other.key, '--box-name', 'localhost'], env2);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /is not for localhost \(it names box\.example\.org\)/);
    const bare = await cliHere(['daemon', 'start', '--relay', '--box-web', '0'], env2);
    assert.notEqual(bare.code, 0);
    assert.match(bare.stderr, /--box-cert FILE --box-key FILE/);
    assert.equal(json<{ running: boolean }>(await cliHere(['--json', 'daemon', 'status'], env2)).running, false);
  });
});
