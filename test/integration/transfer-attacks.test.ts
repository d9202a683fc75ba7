/**
 * The one item loop (issue 57 item 2, ops/transfer/run/) attacked through the real CLI on real
 * drives (ext4 images on loop devices): killed at each crash point and finished by `vss jobs run
 * --until-idle`; another program writing to a source or to a landed copy while a move runs; the
 * destination's drive unplugged, or mounted elsewhere, between the plan and the landing; the
 * destination folder swapped for a symlink out of the location before the job runs. Whatever
 * happens, every byte a user had is still somewhere, and nothing is written outside a location
 * or under a mount point its drive left.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync, closeSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { json, outputOf, runCli, until, VSS_BIN, type CliResult } from '../helpers.js';
import { loopSkipReason, makeLoopVolume, type LoopVolume } from '../loop-volume.js';
import { twoDrives, type TwoDrives } from '../two-drives.js';
import { stopped } from '../support/stopped.js';
// The CLI in this process for the calls that are not about their process (test/support/cli-here.ts):
// every call killed at a crash point, stopped, or run beside the test (`jobs run`) stays a child.
import { cliHere } from '../support/cli-here.js';

const loopSkip = loopSkipReason();

interface Job { id: number; status: string; note: string | null; error: string | null }

/** Every file under DIR (its path) with its text; `.vss-*` names too (a partial left behind shows). */
function filesUnder(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.set(join(e.parentPath, e.name), readFileSync(join(e.parentPath, e.name), 'latin1'));
  }
  return out;
}

/** Another program's write to PATH: appended, rewritten in place at the same size, or replaced by a rename over it. */
type Edit = 'append' | 'rewrite' | 'replace';
function edit(path: string, how: Edit, marker: string): void {
  if (how === 'append') return writeFileSync(path, `${readFileSync(path, 'utf8')}${marker}`);
  if (how === 'replace') {
    writeFileSync(`${path}.tmp`, marker);
    return renameSync(`${path}.tmp`, path);
  }
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, marker, 0);
  } finally {
    closeSync(fd);
  }
}

describe('the one item loop under attack (issue 57 item 2)', { skip: loopSkip, timeout: 600_000 }, () => {
  let t: TwoDrives;
  let stick: LoopVolume;
  let n = 0;
  before(async () => {
    t = await twoDrives('vss-attack-', { sizeMiB: 64, files: { 'backup/sw/old.txt': 'there before\n' }, run: cliHere });
    // A location that is a drive's own mount point: unplugged, its folder stays, empty.
    stick = makeLoopVolume({ sizeMiB: 16 });
    await t.cli('location', 'add', stick.mountPoint!, '--name', 'Stick', '--mode', 'content');
  });
  after(() => {
    stick?.remove();
    t?.stop();
  });

  /** A fresh folder under photos with FILES (name → text). */
  const folder = (files: Record<string, string>): string => {
    const dir = join(t.photos, `f${n++}`);
    mkdirSync(dir);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  };
  const jobs = async (): Promise<Job[]> => json<Job[]>(await cliHere(['--json', 'jobs', 'list'], t.env));
  const allEnded = async () => {
    for (const j of await jobs()) assert.ok(j.status === 'completed' || j.status === 'failed' || j.status === 'cancelled', `job ${j.id} ${j.status}: ${j.note ?? ''}`);
  };

  it('finishes after a kill -9 at each crash point of a move or a delete: each file once, where it was going, no partial left', async () => {
    for (const [at, op] of [['transfer:before-source-removed', 'move'], ['trash:after-rows', 'delete'], ['trash:after-renames', 'delete']] as const) {
      const big = 'z'.repeat(300_000);
      const src = folder({ 'a.txt': `a of ${at}\n`, 'big.bin': big, 'c.txt': 'c\n' });
      const args = op === 'move' ? ['files', 'move', src, `${t.backup}/`] : ['files', 'delete', src, '--force'];
      const killed = await runCli(args, { ...t.env, VSS_CRASH_AT: at });
      assert.equal(killed.code, null, `killed at ${at}: ${killed.stdout}${killed.stderr}`);
      await t.cli('jobs', 'run', '--until-idle');
      await allEnded();
      assert.ok(!existsSync(src), `${at}: the source folder went`);
      if (op === 'move') {
        const landed = filesUnder(join(t.backup, src.split('/').at(-1)!));
        assert.deepEqual([...landed.keys()].map((p) => p.split('/').at(-1)).sort(), ['a.txt', 'big.bin', 'c.txt'], `${at}: each file once, no partial`);
        assert.equal([...landed.values()].find((v) => v.length === big.length), big);
      } else {
        const trashed = [...filesUnder(join(t.photos, '.vss-trash')).keys()].filter((p) => p.includes(`/${src.split('/').at(-1)!}/`));
        assert.deepEqual(trashed.map((p) => p.split('/').at(-1)).sort(), ['a.txt', 'big.bin', 'c.txt'], `${at}: each file in the trash once`);
      }
    }
  });

  it('keeps every byte another program writes to a source at each step of a move (queued, stopped before the source goes, killed there)', async () => {
    // Every step × every kind of write: nine cases, each its own folder.
    for (const step of ['queued', 'stopped', 'killed'] as const) for (const how of ['append', 'rewrite', 'replace'] as const) {
      const marker = `EDIT ${n} ${how}`;
      const src = folder({ 'a.txt': `original line of ${n}, long enough to rewrite\n`, 'b.bin': 'b'.repeat(50_000) });
      const dst = join(t.backup, `e${n}`);
      mkdirSync(dst);
      const args = ['files', 'move', src, `${dst}/`];
      if (step === 'queued') {
        await t.cli(...args, '--detach');
        edit(join(src, 'a.txt'), how, marker);
        await t.cli('jobs', 'run', '--until-idle');
      } else if (step === 'killed') {
        assert.equal((await runCli(args, { ...t.env, VSS_CRASH_AT: 'transfer:before-source-removed' })).code, null);
        edit(join(src, 'a.txt'), how, marker);
        await t.cli('jobs', 'run', '--until-idle');
      } else {
        const child = spawn(process.execPath, [VSS_BIN, ...args], { env: { ...process.env, ...t.env, VSS_CRASH_AT: 'transfer:before-source-removed:stop' }, stdio: ['ignore', 'pipe', 'pipe'] });
        const out = outputOf(child);
        await until('the move stopped before its sources go', 60_000, async () => (stopped(child.pid!) ? true : undefined), 50);
        edit(join(src, 'a.txt'), how, marker);
        process.kill(child.pid!, 'SIGCONT');
        const r: CliResult = await out;
        assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
      }
      await allEnded();
      const everywhere = [...filesUnder(src).values(), ...filesUnder(dst).values()];
      assert.ok(everywhere.some((text) => text.includes(marker)), `${step} × ${how}: the edit is kept somewhere`);
    }
  });

  it('keeps a source whose verified copy another program overwrote before the source went', async () => {
    const src = folder({ 'a.txt': 'the only bytes of a\n' });
    const dst = join(t.backup, `o${n}`);
    mkdirSync(dst);
    const child = spawn(process.execPath, [VSS_BIN, 'files', 'move', src, `${dst}/`], { env: { ...process.env, ...t.env, VSS_CRASH_AT: 'transfer:before-source-removed:stop' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = outputOf(child);
    await until('the move stopped before its source goes', 60_000, async () => (stopped(child.pid!) ? true : undefined), 50);
    const landed = join(dst, src.split('/').at(-1)!, 'a.txt');
    writeFileSync(landed, 'another program\'s bytes\n');
    process.kill(child.pid!, 'SIGCONT');
    const r = await out;
    assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
    const everywhere = [...filesUnder(src).values(), ...filesUnder(dst).values()];
    assert.ok(everywhere.includes('the only bytes of a\n'), `the bytes read are kept somewhere: ${r.stdout}`);
    assert.match(r.stdout + r.stderr, /a\.txt kept: its copy at .*a\.txt changed after it was verified/);
  });

  it('waits while the destination\'s drive is unplugged between the plan and the landing, writing nothing under the mount point; lands once it is back', async () => {
    const src = folder({ 'u1.txt': 'copied once back\n', 'u2.txt': 'moved once back\n', 'u3.txt': 'moved into a folder of the drive\n' });
    const mount = stick.mountPoint!;
    const driveAt = t.drive.mountPoint!;
    await t.cli('files', 'copy', join(src, 'u1.txt'), `${mount}/`, '--detach');
    await t.cli('files', 'move', join(src, 'u2.txt'), `${mount}/`, '--detach');
    await t.cli('files', 'move', join(src, 'u3.txt'), `${t.backup}/late/`, '--detach');
    stick.unplug();
    t.drive.unplug();
    const runner = spawn(process.execPath, [VSS_BIN, 'jobs', 'run'], { env: { ...process.env, ...t.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const ran = outputOf(runner);
    try {
      await until('every job waits for its drive', 60_000, async () => {
        const open = (await jobs()).filter((j) => j.status !== 'completed' && j.status !== 'failed');
        return open.length === 3 && open.every((j) => /offline|waiting/.test(j.note ?? '')) ? true : undefined;
      }, 200);
    } finally {
      runner.kill('SIGINT');
      await ran;
    }
    assert.deepEqual(readdirSync(mount), [], 'nothing under the Stick\'s empty mount point');
    assert.deepEqual(readdirSync(driveAt), [], 'nothing under the drive\'s empty mount point');
    assert.ok(existsSync(join(src, 'u2.txt')) && existsSync(join(src, 'u3.txt')), 'the sources stay');
    stick.plug(mount);
    t.drive.plug(driveAt);
    await t.cli('jobs', 'run', '--until-idle');
    await allEnded();
    assert.equal(readFileSync(join(mount, 'u1.txt'), 'utf8'), 'copied once back\n');
    assert.equal(readFileSync(join(mount, 'u2.txt'), 'utf8'), 'moved once back\n');
    assert.equal(readFileSync(join(t.backup, 'late', 'u3.txt'), 'utf8'), 'moved into a folder of the drive\n');
    assert.ok(!existsSync(join(src, 'u2.txt')) && !existsSync(join(src, 'u3.txt')), 'moved');
  });

  it('writes nothing under the mount point of a drive unplugged while a move into its root runs (the next file waits for it)', async () => {
    const src = folder({ 'a.txt': 'first, landed before the drive left\n', 'z.txt': 'after the drive left\n' });
    mkdirSync(join(src, 'm'));
    writeFileSync(join(src, 'm', 'f.txt'), 'in a folder made after the drive left\n');
    const mount = stick.mountPoint!;
    // Items: a.txt, the folder m, m/f.txt, z.txt: stopped once a.txt is placed, before its source goes.
    const child = spawn(process.execPath, [VSS_BIN, 'files', 'move', join(src, 'a.txt'), join(src, 'm'), join(src, 'z.txt'), `${mount}/`], {
      env: { ...process.env, ...t.env, VSS_CRASH_AT: 'transfer:before-source-removed:stop' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = outputOf(child);
    try {
      await until('the move stopped before its first source goes', 60_000, async () => (stopped(child.pid!) ? true : undefined), 20);
      stick.unplug({ lazy: true });
      process.kill(child.pid!, 'SIGCONT');
      await until('the move waits for the drive', 60_000, async () => ((await jobs()).some((j) => j.status !== 'completed' && /offline|waiting/.test(j.note ?? '')) ? true : undefined), 100);
    } finally {
      child.kill('SIGINT');
      await out;
    }
    const under = readdirSync(mount);
    stick.plug(mount);
    assert.deepEqual(under, [], 'nothing under the empty mount point');
    assert.ok(existsSync(join(src, 'm', 'f.txt')) && existsSync(join(src, 'z.txt')), 'what did not land stays');
    await t.cli('jobs', 'run', '--until-idle');
    await allEnded();
    // a.txt landed before the drive left (its source stays or went: it is on the drive either way).
    assert.equal(readFileSync(join(mount, 'a.txt'), 'utf8'), 'first, landed before the drive left\n');
    for (const [name, text] of [['m/f.txt', 'in a folder made after the drive left\n'], ['z.txt', 'after the drive left\n']]) {
      assert.equal(readFileSync(join(mount, name!), 'utf8'), text, `${name} moved once the drive was back`);
      assert.ok(!existsSync(join(src, name!)), `${name}'s source went`);
    }
  });

  it('writes nothing outside the location when the destination folder is swapped for a symlink while a move runs', async () => {
    const src = folder({ 'z.txt': 'placed after the swap\n' });
    mkdirSync(join(src, 'm'));
    writeFileSync(join(src, 'm', 'f.txt'), 'placed before the swap\n');
    const outside = join(t.tmp, `outside-${n}`);
    mkdirSync(outside);
    const sw = join(t.backup, `sw-${n}`);
    mkdirSync(sw);
    // Items: the folder m, m/f.txt, m's removal, z.txt: stopped once m/f.txt is placed, before its source goes.
    const child = spawn(process.execPath, [VSS_BIN, 'files', 'move', join(src, 'm'), join(src, 'z.txt'), `${sw}/`], {
      env: { ...process.env, ...t.env, VSS_CRASH_AT: 'transfer:before-source-removed:stop' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = outputOf(child);
    await until('the move stopped before its first source goes', 60_000, async () => (stopped(child.pid!) ? true : undefined), 20);
    renameSync(sw, `${sw}-real`);
    symlinkSync(outside, sw);
    process.kill(child.pid!, 'SIGCONT');
    const r = await out;
    await allEnded();
    assert.deepEqual(readdirSync(outside), [], `nothing written through the symlink: ${r.stdout}${r.stderr}`);
    assert.equal(readFileSync(join(src, 'z.txt'), 'utf8'), 'placed after the swap\n', 'z.txt stays where it was');
    assert.equal(readFileSync(join(`${sw}-real`, 'm', 'f.txt'), 'utf8'), 'placed before the swap\n');
  });

  it('follows a destination drive mounted elsewhere between the plan and the landing', async () => {
    const src = folder({ 'r.txt': 'to the remounted stick\n' });
    const was = stick.mountPoint!;
    await t.cli('files', 'move', join(src, 'r.txt'), `${was}/`, '--detach');
    stick.unplug();
    const now = stick.plug();
    await t.cli('jobs', 'run', '--until-idle');
    await allEnded();
    assert.equal(readFileSync(join(now, 'r.txt'), 'utf8'), 'to the remounted stick\n');
    assert.deepEqual(readdirSync(was), [], 'nothing under the mount point it left');
    assert.ok(!existsSync(join(src, 'r.txt')));
  });

  it('writes nothing outside the location when the destination folder is swapped for a symlink before the job runs', async () => {
    const src = folder({ 's1.txt': 'copy me\n', 's2.txt': 'move me\n' });
    const outside = join(t.tmp, 'outside');
    mkdirSync(outside);
    const sw = join(t.backup, 'sw');
    await t.cli('files', 'copy', join(src, 's1.txt'), `${sw}/`, '--detach');
    await t.cli('files', 'move', join(src, 's2.txt'), `${sw}/`, '--detach');
    await t.cli('files', 'copy', src, `${sw}/`, '--detach');
    renameSync(sw, `${sw}-real`);
    symlinkSync(outside, sw);
    await cliHere(['jobs', 'run', '--until-idle'], t.env);
    await allEnded();
    assert.deepEqual(readdirSync(outside), [], 'nothing written through the symlink');
    assert.equal(readFileSync(join(src, 's2.txt'), 'utf8'), 'move me\n', 'the source of the move stays');
  });
});
