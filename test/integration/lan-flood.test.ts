/**
 * Issue 57, N4: a LAN flood cannot keep a signed-in phone out. The daemon serves the web app on
 * 127.0.0.2 (as its home-network address); nine other loopback addresses each hold 32 TLS
 * connections that never finish their handshake, each opened again as soon as it is closed — the
 * note's 9 × 32 slow TLS connections, which took every place the server had. A phone signed in
 * from 127.0.0.20, opening a new connection for every request, is served each time.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { json, runCli, tempDir, until, type CliResult } from '../helpers.js';
import { freePort } from '../support/free-port.js';

const SERVER = '127.0.0.2';
const PHONE = '127.0.0.20';
const FLOOD = Array.from({ length: 9 }, (_, i) => `127.0.0.${3 + i}`);
const PER_ADDRESS = 32;

/** A GET from the phone's address on a connection of its own, trusting CA: its status, or the error that ended it. */
function get(url: string, ca: string, cookie?: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = https.request(url, { ca, agent: false, localAddress: PHONE, timeout: 10_000, headers: cookie ? { cookie, 'sec-fetch-site': 'same-origin' } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('no answer in 10 s')));
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    req.end();
  });
}

/** Connections from ADDRS that open TLS and say no more (a record header promising 512 bytes), each opened again once closed, until stopped. */
class Flood {
  private stopped = false;
  private readonly open = new Set<Socket>();
  connected = 0;

  constructor(private readonly port: number) {}

  start(addrs: readonly string[], per: number): void {
    for (const a of addrs) for (let i = 0; i < per; i++) this.dial(a);
  }

  live(): number {
    return this.open.size;
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.open) s.destroy();
  }

  private dial(from: string): void {
    if (this.stopped) return;
    const s = connect({ host: SERVER, port: this.port, localAddress: from });
    this.open.add(s);
    s.on('connect', () => {
      this.connected++;
      s.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]));
    });
    s.on('error', () => undefined);
    s.on('close', () => {
      this.open.delete(s);
      setImmediate(() => this.dial(from));
    });
  }
}

describe('a LAN flood of connections that show no session', { timeout: 300_000 }, () => {
  const tmp = tempDir('vss-lan-flood-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_LAN_ADDRESSES: SERVER };
  let port = 0;
  let ca = '';
  let flood: Flood | undefined;
  const ok = async (args: string[]): Promise<CliResult> => {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };

  before(async () => {
    port = await freePort();
    await ok(['library', 'create', 'Home']);
    await ok(['daemon', 'start', '--lan', '--lan-port', String(port)]);
    ca = readFileSync(join(env.VSS_DATA_DIR, 'lan-tls', 'cert.pem'), 'utf8');
  });

  after(async () => {
    flood?.stop();
    await runCli(['daemon', 'stop'], env);
    tmp.cleanup();
  });

  it('keeps no signed-in phone out: every one of its requests, each on a new connection, is served', async () => {
    const { url } = json<{ url: string }>(await ok(['--json', 'ui', 'pair', '--name', 'Phone']));
    const signIn = await new Promise<string>((resolve, reject) => {
      https.get(url, { ca, agent: false, localAddress: PHONE }, (res) => {
        res.resume();
        resolve(String(res.headers['set-cookie']).split(';')[0]!);
      }).on('error', reject);
    });
    const api = `https://${SERVER}:${port}/api/libraries`;
    assert.equal(await get(api, ca, signIn), 200, 'served before the flood');

    flood = new Flood(port);
    flood.start(FLOOD, PER_ADDRESS);
    await until('the flood holds its connections', 30_000, async () => (flood!.connected >= FLOOD.length * PER_ADDRESS ? true : undefined), 50);
    const answers: Array<number | string> = [];
    for (let i = 0; i < 14; i++) answers.push(await get(api, ca, signIn));
    const held = flood.live();
    console.log(`# the phone during the flood: ${answers.join(' ')}; flood connections open at the end: ${held}, made: ${flood.connected}`);
    assert.deepEqual(answers, Array(14).fill(200));
    // Without a session, a browser on the network is still answered (refused, but not cut off).
    assert.equal(await get(api, ca), 401);
  });
});
