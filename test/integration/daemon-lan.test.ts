/**
 * Issue 44 item 1: `vss daemon start --lan` serves the web app on the device's home-network
 * addresses over HTTPS, with a certificate vss makes for it (its fingerprint in `daemon status`),
 * and only to a browser paired by `vss ui pair`'s address. The daemon runs in a network namespace
 * the test makes, whose one link's other end is in this namespace: the test dials the daemon's
 * own address there, as a phone on the LAN would. Without namespaces (not root), the home
 * network's address is named instead (VSS_LAN_ADDRESSES=127.0.0.2), the same server and checks
 * (VSS_TEST_LAN_LOOPBACK=1 runs that variant where namespaces can be made).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';
import { connect } from 'node:net';
import http from 'node:http';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { X509Certificate } from 'node:crypto';
import { json, tempDir, VSS_BIN, outputOf, type CliResult } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { netnsSkipReason, spawnInNs } from '../net/netns.js';
import { freePort } from '../support/free-port.js';

interface Status { running: boolean; http: string; web_urls: string[]; tls_fingerprint: string | null }
interface Device { kind: string; id: string; name: string; paired_at: string; online: boolean; reached: string; may?: Record<string, boolean> }
interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: string; fingerprint: string }

const SUBNET = 243;

/** One namespace for the daemon, linked to this one by a veth pair (the link goes when the namespace does). */
function makeLan(): { ns: string; addr: string; remove(): void } {
  const tag = `${process.pid}`.slice(-5);
  const ns = `vss-wl-${tag}`;
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const remove = () => void spawnSync('ip', ['netns', 'del', ns]);
  // A killed run of a process whose pid ended alike left this name behind: gone first.
  remove();
  try {
    ip('netns', 'add', ns);
    ip('link', 'add', `vwl${tag}a`, 'type', 'veth', 'peer', 'name', `vwl${tag}b`);
    ip('link', 'set', `vwl${tag}a`, 'netns', ns);
    ip('-n', ns, 'addr', 'add', `10.${SUBNET}.0.1/24`, 'dev', `vwl${tag}a`);
    ip('-n', ns, 'link', 'set', `vwl${tag}a`, 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('addr', 'add', `10.${SUBNET}.0.2/24`, 'dev', `vwl${tag}b`);
    ip('link', 'set', `vwl${tag}b`, 'up');
  } catch (err) {
    remove();
    throw err;
  }
  return { ns, addr: `10.${SUBNET}.0.1`, remove };
}

/** A port free on this machine now (the daemon's LAN port is fixed, not picked by the daemon). */
/** An HTTPS request trusting CA alone (the device's certificate): its SAN must name the address dialled. */
function request(url: string, ca: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // The name checked against the certificate is the address dialled, also where Host names another (an attacker's page).
    const checkServerIdentity = (_host: string, cert: import('node:tls').PeerCertificate) => tls.checkServerIdentity(new URL(url).hostname, cert);
    // A connection of its own (agent: false): Node 20's global agent keeps sockets alive, and one kept
    // from before a daemon's restart may be handed a request as it closes ('socket hang up').
    const req = https.request(url, { method: opts.method ?? 'GET', headers: opts.headers ?? {}, ca, timeout: 10_000, checkServerIdentity, agent: false }, (res) => {
      let body = '';
      // Read while the connection is open (it may be closed, and the socket let go, by the end).
      const fingerprint = (res.socket as import('node:tls').TLSSocket).getPeerCertificate().fingerprint256;
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, fingerprint }));
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer in 10 s`)));
    req.on('error', reject);
    req.end();
  });
}

/** This machine's mDNS name as the daemon offers it (none for a host name no URL can carry). */
function localName(): string[] {
  const h = hostname().toLowerCase();
  if (!/^[a-z0-9][a-z0-9.-]{0,252}$/.test(h)) return [];
  return [h.endsWith('.local') ? h : `${h}.local`];
}

const namespaces = netnsSkipReason() === false && process.env.VSS_TEST_LAN_LOOPBACK !== "1";

describe(`the web app on the home network (daemon start --lan)${namespaces ? ', in a network namespace' : ', on 127.0.0.2 (no namespaces here)'}`, { timeout: 300_000 }, () => {
  const tmp = tempDir('vss-lan-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), ...(namespaces ? {} : { VSS_LAN_ADDRESSES: '127.0.0.2' }) };
  let lan: ReturnType<typeof makeLan> | undefined;
  let addr = '127.0.0.2';
  let port = 0;
  let status: Status;
  let ca = '';
  const cli = (args: string[]): Promise<CliResult> => runCli(args, env);
  const ok = async (args: string[]): Promise<CliResult> => {
    const r = await cli(args);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const base = () => `https://${addr}:${port}`;
  /** A browser on the network opening a pairing address: the cookie it is given. */
  const signIn = async (): Promise<{ cookie: string; setCookie: string }> => {
    const { url } = json<{ url: string }>(await ok(['--json', 'ui', 'pair']));
    const a = await request(url, ca);
    assert.equal(a.status, 303, a.body);
    const setCookie = String(a.headers['set-cookie']);
    return { cookie: setCookie.split(';')[0]!, setCookie };
  };
  const fromApp = (cookie: string) => ({ cookie, 'sec-fetch-site': 'same-origin' });

  before(async () => {
    port = await freePort();
    await ok(['library', 'create', 'Home']);
    if (namespaces) {
      lan = makeLan();
      addr = lan.addr;
      // Started inside the namespace: it sees that namespace's addresses as its own.
      const r = await outputOf(spawnInNs(lan.ns, [VSS_BIN, 'daemon', 'start', '--lan', '--lan-port', String(port)], env));
      assert.equal(r.code, 0, r.stderr);
    } else {
      await ok(['daemon', 'start', '--lan', '--lan-port', String(port)]);
    }
    status = json<Status>(await ok(['--json', 'daemon', 'status']));
    ca = readFileSync(join(env.VSS_DATA_DIR, 'lan-tls', 'cert.pem'), 'utf8');
  });

  after(async () => {
    await cli(['daemon', 'stop']);
    lan?.remove();
    tmp.cleanup();
  });

  it('lists every home-network address as an HTTPS address of the web app, the machine\'s .local name after them, loopback last, and the certificate\'s fingerprint', () => {
    assert.deepEqual(status.web_urls, [`https://${addr}:${port}/ui/`, ...localName().map((n) => `https://${n}:${port}/ui/`), `${status.http}/ui/`]);
    assert.equal(status.tls_fingerprint, new X509Certificate(ca).fingerprint256);
    assert.deepEqual(JSON.parse(readFileSync(join(env.VSS_DATA_DIR, 'device-settings.json'), 'utf8')).lan, { on: true, port });
  });

  it('shows the certificate it lists, naming the address dialled (trusted as the only CA, it verifies)', async () => {
    const a = await request(`${base()}/api/libraries`, ca);
    assert.equal(a.fingerprint, status.tls_fingerprint);
  });

  it('answers nothing to a browser that is not paired, to the daemon\'s token, or to a request naming another host', async () => {
    const none = await request(`${base()}/api/libraries`, ca);
    assert.equal(none.status, 401);
    assert.match(none.body, /vss ui pair/);
    const token = readFileSync(join(env.VSS_DATA_DIR, 'daemon.token'), 'utf8').trim();
    const bearer = await request(`${base()}/api/libraries`, ca, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(bearer.status, 403, 'the token never crosses the network');
    const { cookie } = await signIn();
    const rebound = await request(`${base()}/api/libraries`, ca, { headers: { ...fromApp(cookie), host: `evil.example:${port}` } });
    assert.equal(rebound.status, 403, 'DNS rebinding: Host must name this server');
    const page = await request(`${base()}/ui/`, ca);
    assert.equal(page.status, 401);
  });

  it('pairs a browser by `ui pair`\'s address: once, into a Secure, HttpOnly, SameSite=Strict session that views the library', async () => {
    const { url, urls, expires_at } = json<{ url: string; urls: string[]; expires_at: string }>(await ok(['--json', 'ui', 'pair', '--name', 'Ann\'s phone']));
    assert.ok(url.startsWith(`${base()}/ui/?ticket=`), url);
    // Every home address carries the same ticket, the best guess first; the machine's .local name among them.
    assert.equal(urls[0], url);
    const ticket = new URL(url).searchParams.get('ticket');
    assert.ok(urls.every((u) => new URL(u).searchParams.get('ticket') === ticket && !u.includes('127.0.0.1:')), urls.join(' '));
    for (const n of localName()) assert.ok(urls.some((u) => new URL(u).hostname === n), urls.join(' '));
    const left = Date.parse(expires_at) - Date.now();
    assert.ok(left > 4 * 60_000 && left <= 5 * 60_000, `five minutes to use it, not ${left} ms`);
    const first = await request(url, ca);
    assert.equal(first.status, 303);
    assert.equal(first.headers.location, '/ui/');
    const setCookie = String(first.headers['set-cookie']);
    for (const attr of ['HttpOnly', 'Secure', 'SameSite=Strict']) assert.ok(setCookie.includes(attr), `${attr} in ${setCookie}`);
    const again = await request(url, ca);
    assert.equal(again.status, 401, 'single use');
    const cookie = setCookie.split(';')[0]!;
    const libs = await request(`${base()}/api/libraries`, ca, { headers: fromApp(cookie) });
    assert.equal(libs.status, 200, libs.body);
    assert.deepEqual((JSON.parse(libs.body) as Array<{ name: string }>).map((l) => l.name), ['Home']);
    const app = await request(`${base()}/ui/`, ca, { headers: { cookie, 'sec-fetch-site': 'none' } });
    assert.ok(app.status === 200 || app.status === 503, `the app's page (or "not built"): ${app.status}`);
    assert.match(setCookie, /Max-Age=\d{7,}/, 'a paired browser keeps its cookie across its own restarts');
    const ann = json<Device[]>(await ok(['--json', 'devices', 'list'])).find((d) => d.name === 'Ann\'s phone');
    assert.ok(ann, 'listed among the devices');
    assert.equal(ann.kind, 'browser');
    assert.equal(ann.reached, 'lan');
    assert.equal(ann.online, true);
    // Organising is on by default; uploading needs a folder to land in, and this library has no location yet.
    assert.deepEqual(ann.may, { view: true, upload: false, organise: true, files: false });
  });

  it('puts the address asked for in the pairing code (`--address`), and refuses one the daemon does not serve, naming those it does', async () => {
    const { url } = json<{ url: string }>(await ok(['--json', 'ui', 'pair', '--address', addr]));
    assert.ok(url.startsWith(`${base()}/ui/?ticket=`), url);
    const no = await cli(['ui', 'pair', '--address', '203.0.113.7']);
    assert.notEqual(no.code, 0);
    assert.match(no.stderr, new RegExp(`not served at 203\\.0\\.113\\.7: choose one of .*${addr.replace(/\./g, '\\.')}`));
  });

  it('lets a paired browser on the network view, not change: a change is refused whatever it carries', async () => {
    const { cookie } = await signIn();
    const change = await request(`${base()}/api/libraries`, ca, { method: 'POST', headers: { ...fromApp(cookie), 'x-vss-ui': '1', 'content-type': 'application/json' } });
    assert.equal(change.status, 403, change.body);
    const pair = await request(`${base()}/api/ui/pair`, ca, { method: 'POST', headers: { ...fromApp(cookie), 'x-vss-ui': '1' } });
    assert.equal(pair.status, 403, 'a browser does not make pairing addresses');
    const crossSite = await request(`${base()}/api/libraries`, ca, { headers: { cookie, 'sec-fetch-site': 'cross-site' } });
    assert.equal(crossSite.status, 403, 'CSRF: the cookie counts only on the app\'s own requests');
  });

  it('lets a view-only browser read the library only: not a folder of this machine, not the daemon\'s health or settings', async () => {
    const { cookie } = await signIn();
    for (const path of ['/api/libraries/current/browse-folder?path=/etc', '/api/health', '/api/device', '/api/devices', '/api/libraries/current/jobs']) {
      const a = await request(`${base()}${path}`, ca, { headers: fromApp(cookie) });
      assert.equal(a.status, 403, `${path}: ${a.status} ${a.body.slice(0, 200)}`);
    }
    for (const path of ['/api/libraries/current/grid?limit=10', '/api/libraries/current/search?q=x', '/api/libraries/current/tags']) {
      const a = await request(`${base()}${path}`, ca, { headers: fromApp(cookie) });
      assert.equal(a.status, 200, `${path}: ${a.body.slice(0, 200)}`);
    }
    // A content's files are on wildcard routes: reached (the route's own answer: no such content here), not refused.
    for (const path of [`/api/libraries/current/content/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`, `/api/libraries/current/sidecars/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/thumb/grid`]) {
      const a = await request(`${base()}${path}`, ca, { headers: fromApp(cookie) });
      assert.ok(a.status === 404 || a.status === 400, `${path}: ${a.status} ${a.body.slice(0, 200)}`);
      assert.doesNotMatch(a.body, /may view the library/);
    }
  });

  it('does not sign in a desktop\'s `vss ui` address from the network (it stays good on this machine)', async () => {
    const { url } = json<{ url: string }>(await ok(['--json', 'ui']));
    const ticket = new URL(url).search;
    const fromLan = await request(`${base()}/ui/${ticket}`, ca);
    assert.equal(fromLan.status, 401);
    const here = await new Promise<number>((resolve, reject) => {
      http.get({ socketPath: join(env.VSS_DATA_DIR, 'daemon.sock'), path: `/ui/${ticket}` }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    assert.equal(here, 303);
  });

  it('bounds a browser\'s event streams, and ends them the moment it is revoked', async () => {
    const { cookie } = await signIn();
    const id = json<Device[]>(await ok(['--json', 'devices', 'list'])).filter((d) => d.kind === 'browser').sort((a, b) => a.paired_at.localeCompare(b.paired_at)).at(-1)!.id;
    const streams: Array<{ res: http.IncomingMessage; ended: Promise<void> }> = [];
    const open = () => new Promise<{ status: number; res: http.IncomingMessage }>((resolve, reject) => {
      const checkServerIdentity = (_h: string, cert: import('node:tls').PeerCertificate) => tls.checkServerIdentity(addr, cert);
      https.get(`${base()}/api/events?recent=false`, { ca, headers: fromApp(cookie), checkServerIdentity }, (res) => resolve({ status: res.statusCode ?? 0, res })).on('error', reject);
    });
    for (let i = 0; i < 4; i++) {
      const { status: code, res } = await open();
      assert.equal(code, 200);
      streams.push({ res, ended: new Promise<void>((r) => { res.on('close', () => r()); res.on('error', () => r()); res.resume(); }) });
    }
    const fifth = await open();
    assert.equal(fifth.status, 503, 'four at once for one browser');
    fifth.res.resume();
    await ok(['devices', 'revoke', id]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(streams.map((s) => s.ended)),
      new Promise((_r, reject) => (timer = setTimeout(() => reject(new Error('a revoked browser\'s event streams were still open after 5 s')), 5_000))),
    ]).finally(() => clearTimeout(timer));
  });

  it('drops a connection that does not finish its TLS handshake within seconds', async () => {
    const sock = connect({ host: addr, port });
    const t0 = Date.now();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('a silent connection was still open after 15 s')), 15_000);
      sock.on('close', () => {
        clearTimeout(timer);
        resolve();
      });
      sock.on('error', () => undefined);
    });
    assert.ok(Date.now() - t0 < 15_000);
  });

  it('keeps its certificate and its paired browsers across a restart; a revoked browser is refused at its next request', async () => {
    const { cookie } = await signIn();
    await ok(['daemon', 'stop']);
    if (lan) {
      const r = await outputOf(spawnInNs(lan.ns, [VSS_BIN, 'daemon', 'start'], env));
      assert.equal(r.code, 0, r.stderr);
    } else await ok(['daemon', 'start']);
    const again = json<Status>(await ok(['--json', 'daemon', 'status']));
    assert.deepEqual(again.web_urls.slice(0, 1), [`https://${addr}:${port}/ui/`], 'the setting is kept: --lan needs no repeating');
    assert.equal(again.tls_fingerprint, status.tls_fingerprint);
    assert.equal((await request(`${base()}/api/libraries`, ca, { headers: fromApp(cookie) })).status, 200, 'still signed in');
    const mine = json<Device[]>(await ok(['--json', 'devices', 'list'])).filter((d) => d.kind === 'browser');
    // The one signed in last is the newest.
    const last = mine.sort((a, b) => a.paired_at.localeCompare(b.paired_at)).at(-1)!;
    assert.equal(json<{ id: string }>(await ok(['--json', 'devices', 'revoke', last.id])).id, last.id);
    const refused = await request(`${base()}/api/libraries`, ca, { headers: fromApp(cookie) });
    assert.equal(refused.status, 401, refused.body);
    assert.equal(json<Device[]>(await ok(['--json', 'devices', 'list'])).some((d) => d.id === last.id), false);
    const twice = await cli(['devices', 'revoke', last.id]);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /no paired browser/);
  });
});

describe('daemon start --lan: flags that clash are refused before anything is kept', { timeout: 300_000 }, () => {
  const tmp = tempDir('vss-lan-flags-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  after(() => tmp.cleanup());

  it('refuses --lan-http with a certificate, half a certificate, a key that is not the certificate\'s, and a LAN flag without --lan', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--lan', '--lan-http', '--tls-cert', '/etc/hostname', '--tls-key', '/etc/hostname'], /takes no certificate|not a PEM certificate/],
      [['--lan', '--tls-cert', '/x.pem'], /go together/],
      [['--lan-port', '8443'], /add --lan/],
      [['--lan', '--lan-port', '70000'], /port number/],
      [['--lan', '--tls-cert', '/etc/hostname', '--tls-key', '/etc/hostname'], /not a PEM certificate/],
    ];
    for (const [flags, why] of cases) {
      const r = await runCli(['daemon', 'start', ...flags], env);
      assert.equal(r.code, 2, `${flags.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, why);
    }
    const status = json<{ running: boolean }>(await runCli(['--json', 'daemon', 'status'], env));
    assert.equal(status.running, false);
    assert.equal(spawnSync('test', ['-e', join(env.VSS_DATA_DIR, 'device-settings.json')]).status, 1, 'nothing kept');
  });
});
