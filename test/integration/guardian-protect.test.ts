import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionInfo, GuardianAtRisk, GuardianProtectPlan, GuardianStatus, ProtectOutcome } from '../../src/api/index.js';
import { json, VSS_BIN } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { loopSkipReason, type LoopVolume } from '../loop-volume.js';
import { twoDrives, type TwoDrives } from '../two-drives.js';

const ONCE = 'only here\n';
const TWO = 'two, in a folder\n';
const BACKED_UP = 'on two drives\n';
const BIG = 96 * 1024 * 1024;

/**
 * `vss guardian protect` through the real CLI (issue 30 item 2): a location on this machine's disk
 * and one on another drive (an ext4 image on a loop device), the default policy of two copies.
 * The dry run prints the plan and changes nothing; the protect copies each content that exists
 * once onto the other drive, verified and indexed, and `guardian status` shows them safe; a kill
 * -9 in the middle of one resumes where it was.
 */
describe('vss guardian protect', { skip: loopSkipReason() }, () => {
  let t!: TwoDrives;
  let env: Record<string, string> = {};
  let tmp = '';
  let photos = '';
  let backup = '';
  let drive!: LoopVolume;
  const cli = (...args: string[]) => t.cli(...args);
  const uuidAt = (folder: string, name: string) => t.uuidAt(folder, name);
  const traces = () => t.traces();
  const partials = (dir: string): string[] => {
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((n) => n.split('/').pop()!.startsWith('.vss-'));
  };

  before(async () => {
    t = await twoDrives('vss-protect-cli-', {
      run: runCli,
      sizeMiB: 512,
      files: { 'photos/once.txt': ONCE, 'photos/sub/two.txt': TWO, 'photos/kept.txt': BACKED_UP, 'backup/kept.txt': BACKED_UP },
    });
    ({ env, tmp, photos, backup, drive } = t);
  });
  after(() => t?.stop());

  it('--dry-run --json: the copies onto the other drive, its free space, and nothing changed', async () => {
    const before = await traces();
    const plan = json<GuardianProtectPlan>(await cli('--json', 'guardian', 'protect', '--dry-run'));
    const free = plan.targets[0]?.free_bytes;
    assert.ok(typeof free === 'number' && free > 400 * 1024 * 1024 && free < 512 * 1024 * 1024, 'the drive\'s free space');
    assert.deepEqual(plan, {
      contents: 2, files: 2, bytes: Buffer.byteLength(ONCE + TWO),
      targets: [{ target: join(backup, 'vss-protect'), drive: drive.fsUuid, files: 2, bytes: Buffer.byteLength(ONCE + TWO), free_bytes: free }],
      not_planned: [], more: false,
    });
    const human = await cli('guardian', 'protect', '--dry-run');
    assert.match(human.stdout, /^Dry run: would copy 2 contents \(2 files, 27 B\); nothing was changed\n {2}to .*backup\/vss-protect \[.*\]: 2 files, 27 B \(.* free\)$/m);
    assert.deepEqual(await traces(), before);
    assert.ok(!existsSync(join(backup, 'vss-protect')));
  });

  it('--to a device the library does not know is refused, saying so; --to a folder outside the library is refused', async () => {
    for (const dry of [[], ['--dry-run']]) {
      const unknown = await runCli(['guardian', 'protect', ...dry, '--to', 'Laptop:/Photos/safe'], env);
      assert.equal(unknown.code, 1, unknown.stderr);
      assert.match(unknown.stderr, /no device "Laptop" in this library/);
    }
    const outside = await runCli(['guardian', 'protect', '--dry-run', '--to', join(tmp, 'elsewhere')], env);
    assert.equal(outside.code, 1, outside.stderr);
    assert.match(outside.stderr, /not inside a location of this device/);
  });

  it('protect: the copies made, verified and indexed; guardian status shows every content safe; the action log has a protect row', async () => {
    const started = Date.now();
    const out = await cli('guardian', 'protect');
    assert.match(out.stdout, /^Protected 2 contents: copied 27 B \(2 files; verified; job \d+\)$/m);
    assert.equal(readFileSync(join(backup, 'vss-protect', 'photos', 'once.txt'), 'utf8'), ONCE);
    assert.equal(readFileSync(join(backup, 'vss-protect', 'photos', 'sub', 'two.txt'), 'utf8'), TWO);
    const status = json<GuardianStatus>(await cli('--json', 'guardian', 'status'));
    assert.deepEqual([status.contents, status.safe.contents, status.short.contents, status.single.contents], [3, 3, 0, 0]);
    // Indexed as the same contents, at once.
    assert.equal(await uuidAt('/backup/vss-protect/photos', 'once.txt'), await uuidAt('/photos', 'once.txt'));
    assert.equal(await uuidAt('/backup/vss-protect/photos/sub', 'two.txt'), await uuidAt('/photos/sub', 'two.txt'));
    // Verified now: both files of each protected content were hashed whole as the copy was made (seen with a policy of three).
    await cli('guardian', 'policy', '--copies', '3');
    try {
      const risky = json<GuardianAtRisk[]>(await cli('--json', 'guardian', 'list', '--at-risk'));
      const once = risky.find((r) => r.copies.some((c) => c.path.endsWith('once.txt')))!;
      assert.equal(once.copies.length, 2);
      assert.ok(once.copies.every((c) => c.verified_at !== null && c.verified_at >= started), 'the copy and its source verified by the protect');
      const kept = risky.find((r) => r.copies.some((c) => c.path.endsWith('kept.txt')))!;
      assert.ok(kept.copies.every((c) => c.verified_at !== null && c.verified_at < started), 'a content protect did not copy keeps when it was indexed');
    } finally {
      await cli('guardian', 'policy', '--copies', '2');
    }
    const action = json<ActionInfo[]>(await cli('--json', 'actions', 'list'))[0]!;
    assert.deepEqual([action.op, action.outcome, action.what.files, action.what.bytes], ['protect', 'done', 2, 27]);
    assert.equal(action.reason, 'protect: 2 files done, 0 skipped');
    assert.ok(action.job_id !== null);
    const again = await cli('guardian', 'protect');
    assert.match(again.stdout, /^Every content meets its policy: nothing to copy\.$/m);
  });

  it('a kill -9 in the middle of a protect: the next run of the jobs finishes it, what was placed kept, nothing left over', async () => {
    const bigs = [0, 1, 2].map((i) => join(photos, 'big', `big${i}.bin`));
    mkdirSync(join(photos, 'big'));
    for (const b of bigs) writeFileSync(b, randomBytes(BIG));
    await cli('location', 'rescan', 'photos');
    const dsts = [0, 1, 2].map((i) => join(backup, 'vss-protect', 'photos', 'big', `big${i}.bin`));
    const child = spawn(process.execPath, [VSS_BIN, 'guardian', 'protect'], { env: { ...process.env, ...env }, stdio: 'ignore' });
    const deadline = Date.now() + 120_000;
    // The first batch (two files, 192 MiB) placed; the third still to copy.
    while (Date.now() < deadline && !existsSync(dsts[0]!)) await new Promise((r) => setTimeout(r, 2));
    child.kill('SIGKILL');
    await new Promise((res) => child.once('exit', res));
    assert.ok(existsSync(dsts[0]!), 'killed with the first batch placed');
    const placed = lstatSync(dsts[0]!).ino;
    const job = json<Array<{ id: number; kind: string; status: string }>>(await cli('--json', 'jobs', 'list')).find((j) => j.kind === 'guardian-protect' && j.status !== 'completed');
    assert.ok(job, 'the protect job is left open by the kill');
    const second = await runCli(['guardian', 'protect', '--dry-run'], env);
    assert.equal(second.code, 1, second.stderr);
    assert.match(second.stderr, new RegExp(`a protect is under way \\(job ${job.id}, (queued|running)\\): wait for it`));
    await cli('jobs', 'run', '--until-idle');
    for (let i = 0; i < 3; i++) assert.ok(readFileSync(dsts[i]!).equals(readFileSync(bigs[i]!)), `big${i}.bin copied whole`);
    assert.equal(lstatSync(dsts[0]!).ino, placed, 'what was placed before the kill is not copied again');
    assert.deepEqual(partials(join(backup, 'vss-protect')), [], 'no partial left');
    const ended = json<Array<{ id: number; status: string }>>(await cli('--json', 'jobs', 'list')).find((j) => j.id === job.id)!;
    assert.equal(ended.status, 'completed');
    const status = json<GuardianStatus>(await cli('--json', 'guardian', 'status'));
    assert.deepEqual([status.contents, status.short.contents], [6, 0]);
    const protects = json<ActionInfo[]>(await cli('--json', 'actions', 'list')).filter((a) => a.op === 'protect' && a.job_id === job.id);
    assert.deepEqual(protects.map((a) => a.outcome), ['done']);
  });

  it('through the daemon: the same protect, streamed from its job', async () => {
    const daemonEnv = { ...env, VSS_NO_DAEMON: undefined };
    writeFileSync(join(photos, 'later.txt'), 'added later\n');
    await cli('location', 'rescan', 'photos');
    const started = await runCli(['daemon', 'start'], daemonEnv);
    assert.equal(started.code, 0, started.stderr);
    try {
      const plan = json<GuardianProtectPlan>(await runCli(['--json', 'guardian', 'protect', '--dry-run'], daemonEnv));
      assert.deepEqual([plan.contents, plan.files, plan.targets.map((t) => t.target)], [1, 1, [join(backup, 'vss-protect')]]);
      const out = json<ProtectOutcome>(await runCli(['--json', 'guardian', 'protect'], daemonEnv));
      assert.equal(out.job?.kind, 'guardian-protect');
      assert.equal(out.job?.status, 'completed');
      assert.deepEqual([out.result?.contents, out.result?.copied?.done], [1, 1]);
      assert.equal(readFileSync(join(backup, 'vss-protect', 'photos', 'later.txt'), 'utf8'), 'added later\n');
      const status = await runCli(['daemon', 'status', '--json'], daemonEnv);
      assert.equal(JSON.parse(status.stdout).running, true, 'the daemon answered');
    } finally {
      await runCli(['daemon', 'stop'], daemonEnv);
    }
  });

  it('--json of a protect: its job and what it did', async () => {
    const out = json<ProtectOutcome>(await cli('--json', 'guardian', 'protect'));
    assert.equal(out.job, null, 'nothing to copy: no job');
    assert.deepEqual([out.result?.contents, out.result?.copied, out.result?.not_planned_count], [0, null, 0]);
  });
});

/**
 * A location whose folder went since it was last looked at (a folder deleted, a drive gone with
 * its mount point) is no place for copies: `protect --to` it says so in words, not as the errno
 * of a failed look (it printed "ENOENT: no such file or directory, access …"), and writes nothing.
 */
describe('vss guardian protect to a location whose folder is gone', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'vss-protect-gone-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('is refused naming the folder, and nothing is made there', async () => {
    const env = { VSS_DATA_DIR: join(tmp, 'data') };
    mkdirSync(join(tmp, 'photos'));
    mkdirSync(join(tmp, 'backup'));
    writeFileSync(join(tmp, 'photos', 'once.txt'), ONCE);
    json(await runCli(['library', 'create', 'G', '--path', join(tmp, 'lib'), '--json'], env));
    json(await runCli(['location', 'add', join(tmp, 'photos'), '--json'], env));
    json(await runCli(['location', 'add', join(tmp, 'backup'), '--json'], env));
    rmSync(join(tmp, 'backup'), { recursive: true });
    const r = await runCli(['guardian', 'protect', '--to', join(tmp, 'backup', 'copies')], env);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /backup.* is not there now|backup.* is not reachable now|offline/);
    assert.doesNotMatch(r.stderr, /ENOENT/);
    assert.equal(existsSync(join(tmp, 'backup')), false, 'nothing made where the folder was');
  });
});
