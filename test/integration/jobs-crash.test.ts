import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import sharp from 'sharp';
import { TEMP_PREFIX } from '../../src/core/fs-atomic.js';
import { MAX_INTERRUPTIONS } from '../../src/jobs/queue.js';
import { json, runCli, tempDir, VSS_BIN } from '../helpers.js';
// The CLI in this process for what sets up and reads (test/support/cli-here.ts); every `jobs run`,
// the process killed and the runs after it, stays a child process of its own.
import { cliHere } from '../support/cli-here.js';

interface SidecarJson { content_uuid: string; kind: string; variant: string; status: string; size: number | null; checksum: string | null; path: string | null }

const PHOTOS = 10;

async function photoTree(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  // Noise makes each photo slow enough to decode that a kill lands mid-run: one field of noise made
  // once (each made afresh was half a second of CPU), through a JPEG as before, each photo that
  // noise brightened by its own amount, so each is a content of its own with the same weight to decode.
  const size = { width: 1600, height: 1200, channels: 3 } as const;
  const field = await sharp({ create: { ...size, background: '#000', noise: { type: 'gaussian', mean: 100, sigma: 40 } } }).jpeg().toBuffer();
  const noise = await sharp(field).raw().toBuffer();
  for (let i = 0; i < PHOTOS; i++) {
    await sharp(noise, { raw: size }).linear(1, i).jpeg({ quality: 90 }).toFile(join(dir, `photo-${i}.jpg`));
  }
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** After any kill: each ready row has its whole file; every file at a final path decodes whole. */
async function assertConsistent(lib: string, env: Record<string, string>): Promise<number> {
  const rows = json<SidecarJson[]>(await cliHere(['sidecars', 'list', '--json'], env));
  const ready = rows.filter((r) => r.status === 'ready');
  for (const r of ready) {
    assert.ok(r.path && existsSync(r.path), `ready ${r.kind}/${r.variant} has no file`);
    assert.equal(statSync(r.path).size, r.size);
    assert.equal(blake3(readFileSync(r.path)).toString('hex'), r.checksum);
  }
  for (const f of filesUnder(join(lib, 'sidecars', 'content'))) {
    if (f.split('/').pop()!.startsWith(TEMP_PREFIX)) continue;
    const meta = await sharp(f).metadata(); // a partial WebP would not decode
    assert.equal(meta.format, 'webp', f);
    await sharp(f).raw().toBuffer();
  }
  return ready.length;
}

describe('a job run killed at any moment loses nothing (real processes, SIGKILL)', () => {
  const tmp = tempDir();
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  let lib = '';

  before(async () => {
    const tree = join(tmp.path, 'photos');
    await photoTree(tree);
    lib = json<{ path: string }>(await cliHere(['library', 'create', 'K', '--path', tmp.path, '--json'], env)).path;
    const added = json<{ jobs_queued: number }>(await cliHere(['location', 'add', tree, '--mode', 'deep', '--generate', 'thumb', '--json'], env));
    assert.equal(added.jobs_queued, PHOTOS);
  });
  after(() => tmp.cleanup());

  it('dies between the rename and the record, and leaves a consistent library', async () => {
    const crashed = await runCli(['jobs', 'run', '--until-idle', '--concurrency', '1'], { ...env, VSS_CRASH_AT: 'sidecar:after-rename' });
    assert.equal(crashed.code, null, 'killed by SIGKILL');
    await assertConsistent(lib, env);
    const listed = json<Array<{ status: string }>>(await cliHere(['jobs', 'list', '--json'], env));
    assert.ok(listed.some((j) => j.status === 'running'), 'the killed job is left running in the database');
  });

  it('is killed mid-run from outside, then resumes, and a further run makes nothing', async () => {
    const child = spawn(process.execPath, [VSS_BIN, 'jobs', 'run', '--until-idle'], { env: { ...process.env, ...env }, stdio: 'ignore' });
    // Kill once a few sidecars are recorded (polling with the lock-free list the CLI offers).
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 50));
      const r = await cliHere(['sidecars', 'list', '--status', 'ready', '--json'], env);
      if (r.code === 0 && JSON.parse(r.stdout).length >= 4) break;
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const before = await assertConsistent(lib, env);
    assert.ok(before < PHOTOS * 3, `the kill came too late to test anything (${before} ready)`);

    const resumed = await runCli(['jobs', 'run', '--until-idle', '--json'], env);
    const summary = json<{ completed: number; failed: number; resumed: number }>(resumed);
    assert.equal(summary.failed, 0, resumed.stdout);
    assert.ok(summary.resumed >= 1);
    assert.equal(await assertConsistent(lib, env), PHOTOS * 3);
    const verify = json<{ corrupt: number; missing: number }>(await cliHere(['sidecars', 'reconcile', '--verify', '--json'], env));
    assert.equal(verify.corrupt, 0);
    assert.equal(verify.missing, 0);

    const rows = json<SidecarJson[]>(await cliHere(['sidecars', 'list', '--json'], env));
    assert.deepEqual(rows.filter((r) => r.status !== 'ready'), [], 'nothing is left generating or pending');

    const again = json<{ completed: number }>(await runCli(['jobs', 'run', '--until-idle', '--json'], env));
    assert.equal(again.completed, 0);
  });
});

describe('a file that kills the process every time is given up after MAX_INTERRUPTIONS runs cut off in a row', () => {
  const tmp = tempDir();
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  after(() => tmp.cleanup());

  it('fails the job as interrupted, and its sidecars with it, instead of crashing forever', async () => {
    const tree = join(tmp.path, 'one');
    mkdirSync(tree);
    await sharp({ create: { width: 300, height: 200, channels: 3, background: '#c33' } }).jpeg().toFile(join(tree, 'only.jpg'));
    json(await cliHere(['library', 'create', 'C', '--path', tmp.path, '--json'], env));
    json(await cliHere(['location', 'add', tree, '--mode', 'deep', '--generate', 'thumb=grid@1x', '--json'], env));
    // Each run cut off spends no attempt (a kill from outside must not fail a job); only a job
    // whose every run ends its process is given up.
    for (let i = 0; i < MAX_INTERRUPTIONS; i++) {
      const r = await runCli(['jobs', 'run', '--until-idle'], { ...env, VSS_CRASH_AT: 'sidecar:after-rename' });
      assert.equal(r.code, null, `run ${i + 1} was not killed`);
    }
    const last = json<{ failed: number; resumed: number; completed: number; errors: Array<{ error: string }> }>(await runCli(['jobs', 'run', '--until-idle', '--json'], env));
    // The run that gives up says so: counted and listed like any failure.
    assert.deepEqual([last.failed, last.resumed, last.completed], [1, 0, 0]);
    assert.match(last.errors[0]!.error, new RegExp(`interrupted ${MAX_INTERRUPTIONS} times`));
    const [job] = json<Array<{ status: string; error: string; attempts: number }>>(await cliHere(['jobs', 'list', '--json'], env));
    assert.equal(job!.status, 'failed');
    assert.match(job!.error, new RegExp(`interrupted ${MAX_INTERRUPTIONS} times`));
    assert.equal(job!.attempts, 0, 'no attempt spent by the runs cut off');
    const [row] = json<SidecarJson[]>(await cliHere(['sidecars', 'list', '--json'], env));
    assert.equal(row!.status, 'failed', 'not left generating');
  });
});

describe('a temporary file left by a kill before its rename is cleared by the next run', () => {
  const tmp = tempDir();
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  after(() => tmp.cleanup());

  it('never shows the temp file at a final path, and removes it when the runner starts again', async () => {
    const tree = join(tmp.path, 'two');
    mkdirSync(tree);
    for (const c of ['#c33', '#33c']) await sharp({ create: { width: 400, height: 300, channels: 3, background: c } }).jpeg().toFile(join(tree, `${c.slice(1)}.jpg`));
    const lib = json<{ path: string }>(await cliHere(['library', 'create', 'T', '--path', tmp.path, '--json'], env)).path;
    json(await cliHere(['location', 'add', tree, '--mode', 'deep', '--generate', 'thumb=grid@1x', '--json'], env));
    const temps = () => filesUnder(join(lib, 'sidecars', 'content')).filter((f) => f.split('/').pop()!.startsWith(TEMP_PREFIX));
    const crashed = await runCli(['jobs', 'run', '--until-idle', '--concurrency', '1'], { ...env, VSS_CRASH_AT: 'atomic:before-rename' });
    assert.equal(crashed.code, null, 'killed by SIGKILL');
    assert.equal(temps().length, 1, 'the whole temp file is there, at no final path');
    await assertConsistent(lib, env);
    const done = json<{ completed: number; failed: number }>(await runCli(['jobs', 'run', '--until-idle', '--json'], env));
    assert.deepEqual([done.completed, done.failed], [2, 0]);
    assert.deepEqual(temps(), []);
    assert.equal(await assertConsistent(lib, env), 2);
  });
});
