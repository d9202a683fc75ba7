import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { connect } from '../../src/index.js';
import { writeBigFile, sha256File } from '../support/big-file.js';
import { VSS_BIN, json, runCli, tempDir, until } from '../helpers.js';
import { loopSkipReason, makeLoopVolume, type LoopVolume } from '../loop-volume.js';

interface Job { id: number; kind: string; status: string; attempts: number; note: string | null; error: string | null; done_bytes: number; bytes: number }

const MiB = 1024 * 1024;

const partials = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('.vss-partial-')) : []);

/**
 * File operations on real drives (ext4 images on loop devices): across two volumes, verified; a
 * full destination and a read-only one (clear errors, nothing left behind, the library not
 * paused); a kill -9 of the daemon in the middle of a cross-volume move (the file is whole at the
 * source or verified at the destination, never neither; after a restart the move finishes); a
 * destination unplugged (the job waits without spending attempts, and finishes after replug); a cancel.
 */
describe('files on loop volumes', { skip: loopSkipReason() }, () => {
  const tmp = tempDir('vss-files-vol-');
  const data = join(tmp.path, 'data');
  const local = { VSS_DATA_DIR: data, VSS_NO_DAEMON: '1' };
  const viaDaemon = { VSS_DATA_DIR: data, VSS_NO_DAEMON: undefined };
  const vols: LoopVolume[] = [];
  let A = '';
  let B = '';
  let bVol: LoopVolume;

  const jobOf = async (id: number, env: Record<string, string | undefined> = viaDaemon) => json<Job>(await runCli(['jobs', 'info', String(id), '--json'], env));
  const daemonPid = async () => json<{ pid: number }>(await runCli(['daemon', 'status', '--json'], viaDaemon)).pid;

  before(async () => {
    const aVol = makeLoopVolume({ sizeMiB: 256 });
    vols.push(aVol);
    bVol = makeLoopVolume({ sizeMiB: 256 });
    vols.push(bVol);
    A = aVol.mountPoint!;
    B = bVol.mountPoint!;
    assert.equal((await runCli(['library', 'create', 'Vols', '--path', join(tmp.path, 'libs')], local)).code, 0);
    for (const [dir, name] of [[A, 'DriveA'], [B, 'DriveB']] as const) {
      const r = await runCli(['location', 'add', dir, '--name', name, '--mode', 'content'], local);
      assert.equal(r.code, 0, r.stderr);
    }
  });
  after(async () => {
    await runCli(['daemon', 'stop'], viaDaemon);
    for (const v of vols) v.remove();
    tmp.cleanup();
  });

  it('copies and moves across two volumes, each verified, and indexes both sides', async () => {
    mkdirSync(join(A, 'set'));
    for (let i = 0; i < 5; i++) writeBigFile(join(A, 'set', `f${i}.bin`), (i + 1) * MiB);
    const want = await sha256File(join(A, 'set', 'f4.bin'));
    const copied = await runCli(['files', 'copy', join(A, 'set'), `${B}/`], local);
    assert.equal(copied.code, 0, copied.stderr);
    assert.equal(await sha256File(join(B, 'set', 'f4.bin')), want);
    const moved = await runCli(['files', 'move', join(A, 'set', 'f4.bin'), join(B, 'f4-moved.bin')], local);
    assert.equal(moved.code, 0, moved.stderr);
    assert.ok(!existsSync(join(A, 'set', 'f4.bin')));
    assert.equal(await sha256File(join(B, 'f4-moved.bin')), want);
    assert.match((await runCli(['ls', '/DriveB'], local)).stdout, /f4-moved\.bin/);
    assert.doesNotMatch((await runCli(['ls', '/DriveA/set'], local)).stdout, /f4\.bin/);
    assert.deepEqual(partials(B), []);
  });

  it('a full destination: a clear error naming it, the source intact, no partial left, the library not paused', async () => {
    const small = makeLoopVolume({ sizeMiB: 24 });
    vols.push(small);
    writeBigFile(join(A, 'too-big.bin'), 40 * MiB);
    const want = await sha256File(join(A, 'too-big.bin'));
    const r = await runCli(['files', 'copy', join(A, 'too-big.bin'), `${small.mountPoint}/`], local);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /is full/);
    assert.ok(r.stderr.includes(small.mountPoint!), r.stderr);
    assert.equal(await sha256File(join(A, 'too-big.bin')), want);
    assert.deepEqual(partials(small.mountPoint!), []);
    const jobs = json<Job[]>(await runCli(['jobs', 'list', '--json'], local));
    const failed = jobs.filter((j) => j.kind === 'files-copy').at(-1)!;
    assert.equal(failed.status, 'failed');
    assert.match(failed.error ?? '', /is full/);
    // Not taken for the library's disk: the next operation runs at once.
    const next = await runCli(['files', 'copy', join(A, 'too-big.bin'), join(B, 'fits.bin')], local);
    assert.equal(next.code, 0, next.stderr);
    assert.equal(await sha256File(join(B, 'fits.bin')), want);
    for (const p of [join(A, 'too-big.bin'), join(B, 'fits.bin')]) rmSync(p); // room for the next tests (the index follows later)
  });

  it('a read-only destination: refused with a clear error', async () => {
    const ro = makeLoopVolume({ sizeMiB: 16, readOnly: true });
    vols.push(ro);
    const r = await runCli(['files', 'copy', join(B, 'fits.bin'), `${ro.mountPoint}/`], local);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /read-only/);
  });

  it('kill -9 of the daemon in the middle of a cross-volume move: never neither; after a restart the move finishes', async () => {
    const big = join(A, 'big.bin');
    writeBigFile(big, 200 * MiB);
    const want = await sha256File(big);
    assert.equal((await runCli(['daemon', 'start'], viaDaemon)).code, 0);
    const pid = await daemonPid();
    const q = await runCli(['files', 'move', '--detach', '--json', big, `${B}/`], viaDaemon);
    assert.equal(q.code, 0, q.stderr);
    const id = json<{ job: Job }>(q).job.id;
    // The copy is under way (its partial has bytes): kill -9.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const p = partials(B)[0];
      if (p !== undefined && (statSync(join(B, p), { throwIfNoEntry: false })?.size ?? 0) > 0) break;
      await sleep(2);
    }
    process.kill(pid, 'SIGKILL');
    await until('the daemon is gone', 10_000, async () => { try { process.kill(pid, 0); return undefined; } catch { return true; } });
    const atSource = existsSync(big) && (await sha256File(big)) === want;
    const atDest = existsSync(join(B, 'big.bin')) && (await sha256File(join(B, 'big.bin'))) === want;
    assert.ok(atSource || atDest, 'the file is whole at the source or at the destination');
    assert.ok(atSource, `killed mid-copy, the source stays (job ${id})`);

    assert.equal((await runCli(['daemon', 'start'], viaDaemon)).code, 0);
    const done = await until('the move finished after the restart', 120_000, async () => {
      const j = await jobOf(id);
      assert.notEqual(j.status, 'failed', j.error ?? '');
      return j.status === 'completed' ? j : undefined;
    }, 300);
    assert.equal(done.done_bytes, 200 * MiB);
    assert.ok(!existsSync(big), 'the source is gone once the move finished');
    assert.equal(await sha256File(join(B, 'big.bin')), want);
    assert.deepEqual(partials(B), []);
    assert.match((await runCli(['ls', '/DriveB'], viaDaemon)).stdout, /big\.bin/);
    assert.equal((await runCli(['daemon', 'stop'], viaDaemon)).code, 0);
    rmSync(join(B, 'big.bin'));
  });

  it('kill -9 of the CLI (no daemon) mid-move: never neither; `vss jobs run` finishes the move', async () => {
    const big = join(A, 'big2.bin');
    writeBigFile(big, 200 * MiB);
    const want = await sha256File(big);
    const child = spawn(process.execPath, [VSS_BIN, 'files', 'move', big, `${B}/`], { env: { ...process.env, ...local }, stdio: 'ignore' });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const p = partials(B)[0];
      if (p !== undefined && (statSync(join(B, p), { throwIfNoEntry: false })?.size ?? 0) > 0) break;
      await sleep(2);
    }
    child.kill('SIGKILL');
    await new Promise((res) => child.once('exit', res));
    const atSource = existsSync(big) && (await sha256File(big)) === want;
    const atDest = existsSync(join(B, 'big2.bin')) && (await sha256File(join(B, 'big2.bin'))) === want;
    assert.ok(atSource || atDest, 'the file is whole at the source or at the destination');
    const run = await runCli(['jobs', 'run', '--until-idle'], local);
    assert.equal(run.code, 0, run.stderr);
    const job = json<Job[]>(await runCli(['jobs', 'list', '--json'], local)).filter((j) => j.kind === 'files-move').at(-1)!;
    assert.equal(job.status, 'completed', job.error ?? '');
    assert.ok(!existsSync(big), 'the source is gone once the move finished');
    assert.equal(await sha256File(join(B, 'big2.bin')), want);
    assert.deepEqual(partials(B), []);
    rmSync(join(B, 'big2.bin'));
  });

  it('a destination unplugged: the job waits without spending attempts, and finishes after replug', async () => {
    writeBigFile(join(A, 'u.bin'), 8 * MiB);
    const want = await sha256File(join(A, 'u.bin'));
    // Queued (not run: no daemon), then the drive goes away, then the daemon starts.
    const q = await runCli(['files', 'copy', '--detach', '--json', join(A, 'u.bin'), `${B}/later/`], local);
    assert.equal(q.code, 0, q.stderr);
    const id = json<{ job: Job }>(q).job.id;
    const mount = bVol.mountPoint!;
    bVol.unplug();
    try {
      assert.equal((await runCli(['daemon', 'start'], viaDaemon)).code, 0);
      const waiting = await until('the job waits for the drive', 30_000, async () => {
        const j = await jobOf(id);
        return /offline/.test(j.note ?? '') ? j : undefined;
      }, 300);
      assert.equal(waiting.status === 'queued' || waiting.status === 'running', true, waiting.status);
      await sleep(5000); // two more looks, at least
      const still = await jobOf(id);
      assert.notEqual(still.status, 'failed', still.error ?? '');
      assert.ok(still.attempts <= 1, `no attempt spent while offline (attempts ${still.attempts})`);
      assert.ok(!existsSync(join(mount, 'later')), 'nothing written into the empty mount point');
    } finally {
      if (!bVol.mountPoint) bVol.plug(mount);
    }
    await until('the copy finished after replug', 60_000, async () => ((await jobOf(id)).status === 'completed' ? true : undefined), 300);
    assert.equal(await sha256File(join(B, 'later', 'u.bin')), want);
    assert.equal((await runCli(['daemon', 'stop'], viaDaemon)).code, 0);
  });

  it('cancel: what is finished stays, the partial goes, the sources stay', async () => {
    mkdirSync(join(A, 'c'));
    for (let i = 0; i < 4; i++) writeBigFile(join(A, 'c', `c${i}.bin`), 30 * MiB);
    assert.equal((await runCli(['daemon', 'start'], viaDaemon)).code, 0);
    const vss = await connect({ dataDir: data });
    try {
      await vss.withLibrary({}, async (lib) => {
        let id = 0;
        const started = lib.files.copy([join(A, 'c')], join(B, 'c'), { detach: true, onQueued: (n) => { id = n; } });
        await started;
        // Cancelled as soon as the first file is in place.
        await until('the first file is copied', 30_000, async () => (existsSync(join(B, 'c', 'c0.bin')) || partials(join(B, 'c')).length > 0 ? true : undefined), 2);
        await lib.jobs.cancel(id);
        const j = await until('the job ended', 30_000, async () => {
          const row = await lib.jobs.get(id);
          return row.status === 'cancelled' || row.status === 'completed' ? row : undefined;
        }, 100);
        assert.equal(j.status, 'cancelled');
      });
    } finally {
      (vss as { close?(): void }).close?.();
    }
    await sleep(500);
    assert.deepEqual(partials(join(B, 'c')), []);
    for (let i = 0; i < 4; i++) {
      assert.ok(existsSync(join(A, 'c', `c${i}.bin`)));
      const copy = join(B, 'c', `c${i}.bin`);
      if (existsSync(copy)) assert.equal(await sha256File(copy), await sha256File(join(A, 'c', `c${i}.bin`)));
    }
    assert.equal((await runCli(['daemon', 'stop'], viaDaemon)).code, 0);
  });
});
