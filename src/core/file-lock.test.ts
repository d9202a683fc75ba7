import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FileLock } from './file-lock.js';
import { LibraryLockedError } from './errors.js';
import { tempDir } from '../../test/helpers.js';

const HAVE_PROCFS = existsSync(`/proc/${process.pid}/stat`);

function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim());
}

function staleLock(path: string): string {
  const raw = JSON.stringify({ pid: deadPid(), hostname: hostname(), procStart: null, acquiredAt: 'then' });
  writeFileSync(path, raw);
  return raw;
}

function ownerPid(path: string): number {
  return (JSON.parse(readFileSync(path, 'utf8')) as { pid: number }).pid;
}

/**
 * A contender in the takeover race, until STOP: take the lock (over a stale one), check that it is
 * alone (an exclusive marker file) and that its lock stays in place, then "die" holding it: the
 * lock is left naming a dead process, so the others race to take a stale lock over again.
 */
const CONTENDER = `
  import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
  import { hostname } from 'node:os';
  const [lockUrl, lockPath, deadPid] = process.argv.slice(1);
  const { FileLock } = await import(lockUrl);
  process.setMaxListeners(0);
  const seen = { held: 0, bad: [] };
  // Loaded: say so, and take the window the test gives once every contender is (a loaded machine starts them slowly).
  process.stdout.write('ready\\n');
  let line = '';
  for await (const chunk of process.stdin) { line += chunk; if (line.includes('\\n')) break; }
  const [startAt, stopAt] = line.trim().split(' ');
  while (Date.now() < Number(startAt)) await new Promise((r) => setTimeout(r, 1));
  while (Date.now() < Number(stopAt) && seen.bad.length === 0) {
    try { FileLock.acquire(lockPath); } catch (e) {
      if (e.code !== 'LIBRARY_LOCKED') seen.bad.push(e.message);
      await new Promise((r) => setTimeout(r, Math.random() * 2));
      continue;
    }
    seen.held++;
    try { closeSync(openSync(lockPath + '.held', 'wx')); } catch { seen.bad.push('two holders at once'); break; }
    const mine = readFileSync(lockPath, 'utf8');
    for (let i = 0; i < 3 && seen.bad.length === 0; i++) {
      await new Promise((r) => setImmediate(r));
      let now = null;
      try { now = readFileSync(lockPath, 'utf8'); } catch {}
      if (now !== mine) seen.bad.push('my fresh lock was removed or replaced');
    }
    if (seen.bad.length) break;
    unlinkSync(lockPath + '.held');
    const dying = lockPath + '.dying-' + process.pid;
    writeFileSync(dying, JSON.stringify({ pid: Number(deadPid), hostname: hostname(), procStart: null, acquiredAt: String(Math.random()) }));
    renameSync(dying, lockPath);
  }
  console.log(JSON.stringify(seen));
`;

/** A contender started: ready once it has loaded; GO gives it its window; RESULT what it saw. */
function contend(lockPath: string, dead: number): { ready: Promise<void>; go: (startAt: number, stopAt: number) => void; result: Promise<{ held: number; bad: string[] }> } {
  const lockUrl = pathToFileURL(join(import.meta.dirname, 'file-lock.js')).href;
  const args = ['--input-type=module', '-e', CONTENDER, lockUrl, lockPath, String(dead)];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let readyNow: () => void = () => undefined;
  const ready = new Promise<void>((res) => (readyNow = res));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.startsWith('ready\n')) readyNow();
  });
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const result = new Promise<{ held: number; bad: string[] }>((res, rej) => {
    child.on('error', rej);
    child.on('close', () => {
      clearTimeout(timer);
      readyNow();
      const said = out.replace(/^ready\n/, '');
      try { res(JSON.parse(said) as { held: number; bad: string[] }); } catch { res({ held: 0, bad: [`contender crashed: ${said}`] }); }
    });
  });
  return { ready, go: (startAt, stopAt) => child.stdin.end(`${startAt} ${stopAt}\n`), result };
}

describe('FileLock', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('refuses a second holder while the first lives, and frees on release', () => {
    const path = join(tmp.path, 'a.lock');
    const first = FileLock.acquire(path);
    assert.throws(() => FileLock.acquire(path), LibraryLockedError);
    first.release();
    assert.equal(existsSync(path), false);
    FileLock.acquire(path).release();
  });

  it('takes over a lock left by a dead process', () => {
    const path = join(tmp.path, 'b.lock');
    staleLock(path);
    const lock = FileLock.acquire(path);
    assert.equal(ownerPid(path), process.pid);
    lock.release();
    assert.equal(existsSync(path), false);
  });

  it('takes over a torn (empty) lock file', () => {
    const path = join(tmp.path, 'c.lock');
    writeFileSync(path, '');
    const lock = FileLock.acquire(path);
    assert.equal(ownerPid(path), process.pid);
    lock.release();
  });

  it('takes over a lock whose PID now belongs to another process', { skip: HAVE_PROCFS ? false : 'no procfs: PID reuse cannot be told apart' }, () => {
    const path = join(tmp.path, 'd.lock');
    // Our own parent is alive, but its start time does not match the one recorded.
    writeFileSync(path, JSON.stringify({ pid: process.ppid, hostname: hostname(), procStart: '1', acquiredAt: 'then' }));
    const lock = FileLock.acquire(path);
    assert.equal(ownerPid(path), process.pid, 'the lock now names this process');
    lock.release();
  });

  it('does not take a lock from another machine', () => {
    const path = join(tmp.path, 'e.lock');
    writeFileSync(path, JSON.stringify({ pid: 1, hostname: 'some-other-host', procStart: null, acquiredAt: 'then' }));
    assert.throws(() => FileLock.acquire(path), /another machine/);
  });

  it('takes over even when an earlier taker died holding its claim, and sweeps the claim', () => {
    const path = join(tmp.path, 'f.lock');
    const raw = staleLock(path);
    const claim = `${path}.takeover-${createHash('sha256').update(raw).digest('hex').slice(0, 16)}`;
    staleLock(claim);
    const lock = FileLock.acquire(path);
    assert.equal(ownerPid(path), process.pid);
    assert.deepEqual(readdirSync(tmp.path).filter((n) => n.startsWith('f.lock.')), [], 'no claim is left behind');
    lock.release();
  });

  it('a stale-lock takeover never removes a fresh lock: six processes take stale locks over for 2.5 s', async () => {
    const path = join(tmp.path, 'race.lock');
    staleLock(path);
    const dead = deadPid();
    const contenders = Array.from({ length: 6 }, () => contend(path, dead));
    await Promise.all(contenders.map((c) => c.ready));
    const startAt = Date.now() + 200;
    for (const c of contenders) c.go(startAt, startAt + 2500);
    const results = await Promise.all(contenders.map((c) => c.result));
    const bad = results.flatMap((r) => r.bad);
    assert.deepEqual(bad, [], `contenders saw: ${bad.join('; ')}`);
    const takeovers = results.reduce((n, r) => n + r.held, 0);
    assert.ok(takeovers >= 20, `the race ran (${takeovers} takeovers)`);
  });

  it('withLock waits for a short holder instead of refusing', () => {
    const path = join(tmp.path, 'g.lock');
    const order: string[] = [];
    FileLock.withLock(path, () => {
      order.push('outer');
      assert.throws(() => FileLock.withLock(path, () => order.push('never'), 50), LibraryLockedError);
    });
    FileLock.withLock(path, () => order.push('after'));
    assert.deepEqual(order, ['outer', 'after']);
  });
});
