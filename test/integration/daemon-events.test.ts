import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, FIXTURES_SKIP, VSS_BIN, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

interface StreamedEvent { id: number; library_id: string; type: string; at: string; payload: Record<string, unknown> }

/** Start a long-running CLI command; its stdout lines as they come, and a way to stop it. */
function follow(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [VSS_BIN, ...args], { env: { ...process.env, VSS_LOG_LEVEL: undefined, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((res) => child.on('close', res));
  return {
    lines: () => out.split('\n').filter((l) => l !== ''),
    err: () => err,
    exited,
    async waitFor(pred: (lines: string[]) => boolean, ms: number, what: string) {
      const deadline = Date.now() + ms;
      while (!pred(this.lines())) {
        if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms; got:\n${out}\n${err}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop: () => child.kill('SIGINT'),
    kill: () => { if (child.exitCode === null) child.kill('SIGKILL'); },
  };
}

describe('daemon: events and the job monitor', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir('vss-events-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const photos = join(tmp.path, 'photos');
  const started: Array<{ kill: () => void }> = [];
  after(async () => {
    for (const s of started) s.kill();
    await runCli(['daemon', 'stop'], env);
    tmp.cleanup();
  });

  it('says plainly that events need a daemon', async () => {
    const r = await runCli(['events'], { VSS_DATA_DIR: join(tmp.path, 'no-daemon') });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^vss: error: no daemon runs for .*: start one with `(vss|\S*bin\/vss) daemon start`/);
  });

  it('streams the events of a scan and its jobs, one JSON object a line, and the monitor follows the work until idle', async () => {
    mkdirSync(photos);
    copyFileSync(join(FIXTURES, 'exif', 'Canon_40D.jpg'), join(photos, 'a.jpg'));
    assert.equal((await runCli(['library', 'create', 'Ev', '--path', tmp.path], env)).code, 0);
    assert.equal((await runCli(['daemon', 'start'], env)).code, 0);
    const events = follow(['events', '--follow'], env);
    started.push(events);
    const monitor = follow(['jobs', 'monitor'], env);
    started.push(monitor);
    // Both following before the work starts: the events replay the recent ones, the monitor shows only what happens from now.
    await monitor.waitFor(() => monitor.err().includes('following the daemon'), 30_000, 'the monitor following');
    assert.equal((await runCli(['location', 'add', photos, '--mode', 'deep', '--generate', 'thumb=grid@1x'], env)).code, 0);

    const parsed = () => events.lines().map((l) => JSON.parse(l) as StreamedEvent);
    await events.waitFor(() => parsed().some((e) => e.type === 'jobs:job' && e.payload.status === 'completed'), 60_000, 'a completed job event');
    const all = parsed();
    for (const e of all) {
      assert.equal(typeof e.id, 'number');
      assert.match(e.library_id, /^[0-9a-f-]{36}$/);
    }
    assert.ok(all.some((e) => e.type === 'index:done'), 'the scan');
    assert.ok(all.some((e) => e.type === 'sidecar:changed' && e.payload.status === 'ready'), 'the thumbnail made');
    assert.ok(all.some((e) => e.type === 'locations:changed' && e.payload.change === 'added'), 'the location added');
    const ids = all.map((e) => e.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'in order');

    await monitor.waitFor((lines) => lines.some((l) => /^job \d+ {2}thumb .* completed/.test(l)), 30_000, 'the monitor shows the finished job');
    monitor.stop();
    assert.equal(await Promise.race([monitor.exited, new Promise((r) => setTimeout(() => r('timeout'), 10_000))]), 130);
    const idle = await runCli(['jobs', 'monitor', '--until-idle'], env);
    assert.equal(idle.code, 0, 'nothing left to do: --until-idle ends at once');

    events.stop();
    assert.equal(await Promise.race([events.exited, new Promise((r) => setTimeout(() => r('timeout'), 10_000))]), 130, 'Ctrl-C ends the follow');

    const recent = await runCli(['events'], env);
    assert.equal(recent.code, 0);
    assert.ok(recent.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as StreamedEvent).some((e) => e.type === 'index:done'), 'without --follow: the recent events, then exit');
  });

  it('ends a follow with a clear error when the daemon stops', async () => {
    const events = follow(['events', '--follow'], env);
    started.push(events);
    // Following once it has printed the recent events (a fixed wait lost the race on a loaded machine).
    await events.waitFor((lines) => lines.length > 0, 15_000, 'the recent events before following');
    assert.equal((await runCli(['daemon', 'stop'], env)).code, 0);
    assert.equal(await Promise.race([events.exited, new Promise((r) => setTimeout(() => r('timeout'), 15_000))]), 1);
    assert.match(events.err(), /^vss: error: the daemon stopped/);
  });
});
