import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { WATCHDOG_SCRIPT } from './child-lifetime.js';

const SKIP = process.platform === 'win32' || !existsSync('/proc/self/stat') ? 'needs /bin/sh and /proc' : false;
const MODULE = new URL('./child-lifetime.js', import.meta.url).href;

/** Alive, and not a zombie waiting for its parent. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function goneWithin(pids: number[], ms: number): Promise<number[]> {
  const until = Date.now() + ms;
  for (;;) {
    const left = pids.filter(alive);
    if (left.length === 0 || Date.now() > until) return left;
    await sleep(50);
  }
}

/**
 * A parent that ties children with the real module and then ends as SCRIPT_END says. It starts
 * three `sleep`s: one in its own group (tied as a group), one in the parent's group (tied alone),
 * one tied and then untied; it prints their pids and the watchdog's.
 */
async function parentThat(scriptEnd: string): Promise<{ pids: { group: number; single: number; untied: number; watchdog: number }; parent: ChildProcess; exit: Promise<unknown> }> {
  const code = `
    import { spawn } from 'node:child_process';
    import { tieToThisProcess, watchdogPid } from ${JSON.stringify(MODULE)};
    const start = (detached) => spawn('sleep', ['60'], { stdio: 'ignore', detached });
    const group = start(true), single = start(false), untied = start(false);
    tieToThisProcess(group.pid, { group: true });
    tieToThisProcess(single.pid, { group: false });
    tieToThisProcess(untied.pid, { group: false })();
    console.log(JSON.stringify({ group: group.pid, single: single.pid, untied: untied.pid, watchdog: watchdogPid() }));
    ${scriptEnd}`;
  const parent = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exit = once(parent, 'exit');
  const [line] = await within(once(parent.stdout!, 'data'), 30_000, 'the parent said nothing') as [Buffer];
  return { pids: JSON.parse(line.toString()) as { group: number; single: number; untied: number; watchdog: number }, parent, exit };
}

/** P, or a failure naming WHAT after MS (the timer is cleared either way). */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  const timer = new AbortController();
  try {
    return await Promise.race([p, sleep(ms, undefined, { signal: timer.signal }).then(() => { throw new Error(`${what} within ${ms} ms`); })]);
  } finally {
    timer.abort();
  }
}

function cleanup(pids: number[]): void {
  for (const pid of pids) if (alive(pid)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
}

describe('child lifetime: a tied child ends with its parent', { skip: SKIP }, () => {
  it('after a kill -9 of the parent, the watchdog kills what is tied, and only that', async () => {
    const { pids, parent, exit } = await parentThat('setInterval(() => {}, 1000);');
    try {
      assert.ok(alive(pids.watchdog), 'a watchdog runs');
      parent.kill('SIGKILL');
      await exit;
      assert.deepEqual(await goneWithin([pids.group, pids.single, pids.watchdog], 5_000), [], 'tied children and the watchdog are gone');
      assert.ok(alive(pids.untied), 'an untied child is left alone');
    } finally {
      parent.kill('SIGKILL');
      cleanup(Object.values(pids));
    }
  });

  it('on a normal exit the exit hook kills what is tied, even with no watchdog', async () => {
    const { pids, parent, exit } = await parentThat(`
      process.kill(watchdogPid(), 'SIGKILL');
      setTimeout(() => process.exit(0), 300);`);
    try {
      await exit;
      assert.deepEqual(await goneWithin([pids.group, pids.single], 2_000), []);
      assert.ok(alive(pids.untied));
    } finally {
      parent.kill('SIGKILL');
      cleanup(Object.values(pids));
    }
  });

  it('the watchdog keeps exactly the ids it was told, refuses anything but a pid above 1, and ignores Ctrl-C', async () => {
    // The same script with `echo` for `kill -9`: what it would kill, printed.
    const script = WATCHDOG_SCRIPT.replace('kill -9 $id', 'echo $id');
    assert.notEqual(script, WATCHDOG_SCRIPT);
    const sh = spawn('/bin/sh', ['-c', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    sh.stdout.on('data', (d: Buffer) => (out += d.toString()));
    sh.stdin.write('+ 123\n+ -456\n+ 789\n- 123\n');
    sh.stdin.write('+ -1\n+ 1\n+ 0\n+ -0\n+ 012\n+ 1-2\n+ -\n+ abc\n+ \n+ 42x\n* 77\n- 999\n');
    // Only once the shell has set its trap: on a loaded machine it may not have run that line yet.
    await within(sigintIgnored(sh.pid!), 10_000, 'the watchdog never set its SIGINT trap');
    sh.kill('SIGINT');
    await sleep(100);
    sh.stdin.end('+ 123\n- -456\n+ 31337\n');
    const [code] = await within(once(sh, 'exit'), 10_000, 'the watchdog did not end at end of input') as [number];
    assert.equal(code, 0);
    assert.deepEqual(out.trim().split('\n'), ['789', '123', '31337']);
  });
});

/** Resolves once process PID ignores SIGINT (bit 2 of SigIgn in /proc/PID/status). */
async function sigintIgnored(pid: number): Promise<void> {
  for (let tries = 0; tries < 1000; tries++) {
    const m = /^SigIgn:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (m && (BigInt(`0x${m[1]}`) & 2n) !== 0n) return;
    await sleep(10);
  }
  throw new Error(`process ${pid} never ignored SIGINT`);
}
