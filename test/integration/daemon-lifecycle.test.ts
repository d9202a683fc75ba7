import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { VSS_BIN, json, runCli, tempDir, type CliResult } from '../helpers.js';
import { freePort } from '../support/free-port.js';

interface Status {
  running: boolean; pid: number | null; instance: string | null; data_dir: string;
  socket: string | null; http: string | null; peer_id: string | null; listen: string[]; web_urls: string[]; tls_fingerprint: string | null; listen_kept: string[]; removed_from: unknown[];
}

const STATUS_KEYS = ['running', 'pid', 'instance', 'data_dir', 'socket', 'http', 'peer_id', 'listen', 'web_urls', 'tls_fingerprint', 'listen_kept', 'removed_from'];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // An ended process not yet reaped holds nothing.
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

async function gone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await sleep(25);
  }
  return !alive(pid);
}

interface Reply { status: number; body: string }

function request(opts: http.RequestOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ timeout: 5_000, ...opts }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

describe('daemon lifecycle: instances side by side, one daemon per data dir, clean stop, leftovers replaced, guarded API', () => {
  const tmp = tempDir('vss-daemon-');
  const appData = join(tmp.path, 'xdg', 'vss');
  // <app-data> is a temp dir: env-paths follows XDG_DATA_HOME (and HOME for the fallback).
  const env = { XDG_DATA_HOME: join(tmp.path, 'xdg'), HOME: join(tmp.path, 'home'), VSS_DATA_DIR: undefined, VSS_INSTANCE: undefined };
  const started = new Set<number>();
  const cli = (args: string[]): Promise<CliResult> => runCli(args, env);
  const instanceDir = (name: string) => join(appData, 'instances', name);

  async function start(instance: string, extra: string[] = []): Promise<Status> {
    const s = json<Status>(await cli(['--instance', instance, 'daemon', 'start', '--json', ...extra]));
    if (s.pid !== null) started.add(s.pid);
    return s;
  }

  after(async () => {
    // Whatever a failed test left running: by the pids recorded, never by name.
    for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
    for (const pid of started) await gone(pid, 5_000);
    tmp.cleanup();
  });

  let alice: Status;
  let bob: Status;

  before(async () => {
    [alice, bob] = await Promise.all([start('alice'), start('bob')]);
  });

  it('runs two instances side by side, each with its own data dir, socket and port', async () => {
    for (const [s, name] of [[alice, 'alice'], [bob, 'bob']] as const) {
      assert.deepEqual(Object.keys(s), STATUS_KEYS);
      assert.equal(s.running, true);
      assert.equal(s.instance, name);
      assert.equal(s.data_dir, instanceDir(name));
      assert.equal(s.socket, join(instanceDir(name), 'daemon.sock'));
      // The peer id is the device's key; nothing listens for peers until there is one to talk to.
      assert.match(s.peer_id ?? '', /^12D3KooW[1-9A-HJ-NP-Za-km-z]+$/);
      assert.deepEqual(s.listen, []);
      assert.ok(alive(s.pid!), `${name}'s daemon runs`);
    }
    assert.notEqual(alice.pid, bob.pid);
    assert.notEqual(alice.peer_id, bob.peer_id, 'each instance is its own device');
    const ports = [alice, bob].map((s) => new URL(s.http!).port);
    assert.notEqual(ports[0], ports[1]);

    assert.equal((await cli(['--instance', 'alice', 'daemon', 'status'])).code, 0, 'a running daemon: exit 0');
    const status = json<Status>(await cli(['--instance', 'alice', 'daemon', 'status', '--json']));
    assert.deepEqual(status, alice);
    const list = json<Status[]>(await cli(['daemon', 'list', '--json']));
    assert.deepEqual(list.map((s) => [s.instance, s.running, s.pid]), [[null, false, null], ['alice', true, alice.pid], ['bob', true, bob.pid]]);
    assert.equal(list[0]!.data_dir, appData, 'the default data dir is listed first');
    const text = await cli(['daemon', 'list']);
    assert.match(text.stdout, new RegExp(`^alice +running +pid ${alice.pid}`, 'm'));
    assert.match(text.stdout, /^default +stopped/m);
  });

  it('keeps the token and the socket owner-only, and listens only on 127.0.0.1', async () => {
    for (const s of [alice, bob]) {
      assert.equal(statSync(join(s.data_dir, 'daemon.token')).mode & 0o777, 0o600);
      assert.equal(statSync(s.socket!).mode & 0o777, 0o600);
      assert.ok(statSync(s.socket!).isSocket());
      assert.equal(new URL(s.http!).hostname, '127.0.0.1');
    }
    assert.notEqual(readFileSync(join(alice.data_dir, 'daemon.token'), 'utf8'), readFileSync(join(bob.data_dir, 'daemon.token'), 'utf8'));
    // Another address of this machine does not reach the port.
    const lan = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
    if (lan) {
      const port = Number(new URL(alice.http!).port);
      await assert.rejects(request({ host: lan.address, port, path: '/api/health' }), /ECONNREFUSED/);
    }
  });

  it('refuses a request without the token, with a wrong one, and with a Host that is not this server', async () => {
    const token = readFileSync(join(alice.data_dir, 'daemon.token'), 'utf8').trim();
    const { hostname: host, port } = new URL(alice.http!);
    const auth = { authorization: `Bearer ${token}` };

    const none = await request({ host, port, path: '/api/health' });
    assert.equal(none.status, 401);
    assert.equal(JSON.parse(none.body).error.code, 'UNAUTHORIZED');
    assert.equal((await request({ host, port, path: '/api/health', headers: { authorization: 'Bearer wrong' } })).status, 401);
    assert.equal((await request({ host, port, path: '/api/health', headers: { authorization: `Bearer ${token}x` } })).status, 401);
    const bobToken = readFileSync(join(bob.data_dir, 'daemon.token'), 'utf8').trim();
    assert.equal((await request({ host, port, path: '/api/health', headers: { authorization: `Bearer ${bobToken}` } })).status, 401, "bob's token does not open alice");

    const ok = await request({ host, port, path: '/api/health', headers: auth });
    assert.equal(ok.status, 200, ok.body);
    assert.equal((await request({ host, port, path: '/api/health', headers: { ...auth, host: `localhost:${port}` } })).status, 200);
    for (const bad of ['evil.example', `evil.example:${port}`, `127.0.0.1:${Number(port) + 1}`, 'localhost']) {
      const r = await request({ host, port, path: '/api/health', headers: { ...auth, host: bad } });
      assert.equal(r.status, 403, `Host ${bad}`);
      assert.equal(JSON.parse(r.body).error.code, 'FORBIDDEN');
    }

    const viaSocket = await request({ socketPath: alice.socket!, path: '/api/health', headers: auth });
    assert.equal(viaSocket.status, 200);
    assert.equal(JSON.parse(viaSocket.body).data_dir, alice.data_dir);
    assert.equal((await request({ socketPath: alice.socket!, path: '/api/health' })).status, 401, 'the socket needs the token too');
    const unknown = await request({ socketPath: alice.socket!, path: '/api/no-such-route', headers: auth });
    assert.equal(unknown.status, 404);
    assert.equal(JSON.parse(unknown.body).error.code, 'ROUTE_NOT_FOUND');
  });

  it('refuses a second start of the same data dir, saying which pid runs', async () => {
    for (const args of [['daemon', 'start'], ['daemon', 'start', '--foreground']]) {
      const r = await cli(['--instance', 'alice', ...args]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`^vss: error: the daemon already runs for this data dir \\(pid ${alice.pid}\\)`));
    }
    assert.ok(alive(alice.pid!));
    assert.equal(json<Status>(await cli(['--instance', 'alice', 'daemon', 'status', '--json'])).pid, alice.pid);
  });

  it('shows its log: the start line, with --lines', async () => {
    const r = await cli(['--instance', 'alice', 'daemon', 'logs']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /INFO \[daemon\] daemon started .*pid=\d+/);
    const raw = await cli(['--instance', 'alice', '--json', 'daemon', 'logs', '--lines', '1']);
    assert.equal(raw.stdout.trim().split('\n').length, 1);
  });

  it('stops cleanly: the process is gone and its pid, socket and ready files are removed; stopping again is no failure', async () => {
    // A follower of bob's log sees the stop as it happens.
    const follower = spawn(process.execPath, [VSS_BIN, '--instance', 'bob', 'daemon', 'logs', '--follow', '--lines', '0'], {
      env: { ...process.env, VSS_LOG_LEVEL: undefined, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.add(follower.pid!);
    let followed = '';
    follower.stdout!.on('data', (d: Buffer) => (followed += d.toString()));
    const followerExited = new Promise<void>((resolve) => follower.once('exit', () => resolve()));
    // Following once it shows a line added after it started (a loaded machine may take seconds to start it).
    const marker = `{"level":30,"time":${Date.now()},"msg":"test marker ${process.pid}"}\n`;
    for (let i = 0; i < 400 && !followed.includes(`test marker ${process.pid}`); i++) {
      if (i % 8 === 0) appendFileSync(join(bob.data_dir, 'daemon.log'), marker);
      await sleep(25);
    }
    assert.match(followed, new RegExp(`test marker ${process.pid}`), 'the follower follows');
    const r = await cli(['--instance', 'bob', 'daemon', 'stop']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Stopped the daemon \\(pid ${bob.pid}\\)`));
    assert.ok(!alive(bob.pid!));
    for (const f of ['daemon.pid', 'daemon.sock', 'daemon.json']) assert.equal(existsSync(join(bob.data_dir, f)), false, f);
    assert.ok(existsSync(join(bob.data_dir, 'daemon.token')), 'the token is kept');
    const again = await cli(['--instance', 'bob', 'daemon', 'stop']);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /not running/);
    // As systemctl status and pg_ctl status: 3 when not running; --json says `running: false` and exits 0.
    const text = await cli(['--instance', 'bob', 'daemon', 'status']);
    assert.equal(text.code, 3, text.stderr);
    assert.match(text.stdout, /not running/);
    const status = await cli(['--instance', 'bob', 'daemon', 'status', '--json']);
    assert.equal(status.code, 0);
    assert.deepEqual(JSON.parse(status.stdout), { running: false, pid: null, instance: 'bob', data_dir: bob.data_dir, socket: null, http: null, peer_id: null, listen: [], web_urls: [], tls_fingerprint: null, listen_kept: [], removed_from: [] });
    assert.equal((await cli(['--instance', 'bob', 'daemon', 'logs'])).stdout.includes('daemon stopped'), true);
    for (let i = 0; i < 200 && !followed.includes('daemon stopped'); i++) await sleep(25);
    assert.match(followed, /INFO \[daemon\] daemon stopping .*\n.*daemon stopped/);
    assert.doesNotMatch(followed, /daemon started/, '--lines 0 starts at the end');
    follower.kill('SIGINT');
    await followerExited;
  });

  it('after kill -9, the next start replaces the leftovers (pid file, socket, ready record) and keeps the token', async () => {
    const tokenBefore = readFileSync(join(alice.data_dir, 'daemon.token'), 'utf8');
    process.kill(alice.pid!, 'SIGKILL');
    assert.ok(await gone(alice.pid!, 5_000));
    for (const f of ['daemon.pid', 'daemon.sock', 'daemon.json']) assert.ok(existsSync(join(alice.data_dir, f)), `${f} left behind`);
    assert.equal(json<Status>(await cli(['--instance', 'alice', 'daemon', 'status', '--json'])).running, false, 'a dead daemon is not running');

    const again = await start('alice');
    assert.equal(again.running, true);
    assert.notEqual(again.pid, alice.pid);
    assert.equal(readFileSync(join(alice.data_dir, 'daemon.token'), 'utf8'), tokenBefore);
    const r = await request({ socketPath: again.socket!, path: '/api/health', headers: { authorization: `Bearer ${tokenBefore.trim()}` } });
    assert.equal(r.status, 200);
    alice = again;
  });

  it('replaces a pid file whose pid now belongs to another process', async () => {
    const dir = instanceDir('carol');
    const first = await start('carol');
    process.kill(first.pid!, 'SIGKILL');
    assert.ok(await gone(first.pid!, 5_000));
    // The pid of a live process that is not a vss daemon (this test), as if the pid had been reused.
    writeFileSync(join(dir, 'daemon.pid'), JSON.stringify({ pid: process.pid, hostname: hostname(), procStart: '1', acquiredAt: new Date().toISOString() }));
    assert.equal(json<Status>(await cli(['--instance', 'carol', 'daemon', 'status', '--json'])).running, false);
    const second = await start('carol');
    assert.equal(second.running, true);
    assert.equal(JSON.parse(readFileSync(join(dir, 'daemon.pid'), 'utf8')).pid, second.pid);
    assert.equal(json<{ was_running: boolean }>(await cli(['--instance', 'carol', 'daemon', 'stop', '--json'])).was_running, true);
    assert.ok(await gone(second.pid!, 5_000));
  });

  it('a foreground daemon exits on SIGTERM within 10 s, removing its files; --port fixes the port', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [VSS_BIN, '--instance', 'dave', '--json', 'daemon', 'start', '--foreground', '--port', String(port)], {
      env: { ...process.env, VSS_LOG_LEVEL: undefined, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.add(child.pid!);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 15_000;
    while (!out.trim().endsWith('}') && Date.now() < deadline) await sleep(25);
    const status = JSON.parse(out) as Status;
    assert.equal(status.pid, child.pid);
    assert.equal(status.http, `http://127.0.0.1:${port}`);

    const t0 = Date.now();
    child.kill('SIGTERM');
    const timer = new AbortController();
    const code = await Promise.race([exited, sleep(10_000, 'timeout' as const, { signal: timer.signal }).catch(() => 'aborted' as const)]);
    timer.abort();
    assert.equal(code, 0, `exit code (stderr: ${err})`);
    assert.ok(Date.now() - t0 < 10_000);
    for (const f of ['daemon.pid', 'daemon.sock', 'daemon.json']) assert.equal(existsSync(join(instanceDir('dave'), f)), false, f);
  });

  it('takes the data dir from one place only: --data-dir with --instance, or a bad instance name, is a usage error', async () => {
    const both = await cli(['--data-dir', join(tmp.path, 'd'), '--instance', 'x', 'daemon', 'status']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--data-dir and --instance/);
    for (const bad of ['..', '.', 'a/b', '', 'x'.repeat(65)]) {
      const r = await cli(['--instance', bad, 'daemon', 'status']);
      assert.equal(r.code, 2, `instance ${JSON.stringify(bad)}`);
    }
    const fromEnv = json<Status>(await runCli(['daemon', 'status', '--json'], { ...env, VSS_INSTANCE: 'erin' }));
    assert.equal(fromEnv.data_dir, instanceDir('erin'));
    assert.equal(fromEnv.instance, 'erin');
    const byPath = json<Status>(await cli(['--data-dir', instanceDir('alice'), 'daemon', 'status', '--json']));
    assert.equal(byPath.pid, alice.pid, 'an instance named by its path is the same daemon');
  });

  it('stops every daemon it started', async () => {
    const r = await cli(['--instance', 'alice', 'daemon', 'stop']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(await gone(alice.pid!, 5_000));
    const list = json<Status[]>(await cli(['daemon', 'list', '--json']));
    assert.deepEqual(list.filter((s) => s.running), []);
  });
});
