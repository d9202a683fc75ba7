import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { GuardianAtRisk, GuardianRotView, GuardianStatus, RepairResult, ScrubResult } from '../../src/api/index.js';
import type { JobRow } from '../../src/wire/jobs.js';
import { json, tempDir, until, VSS_BIN } from '../helpers.js';
import { writeBigFile } from '../support/big-file.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

/** Flip one byte of PATH at AT, its size and times kept: rot as a disk makes it. */
function rot(path: string, at: number): void {
  const st = statSync(path);
  const byte = readFileSync(path)[at]!;
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.from([byte ^ 0x20]), 0, 1, at);
  closeSync(fd);
  utimesSync(path, st.atime, st.mtime);
}

const SAME = 'a photo kept in two folders\n';
const ONCE = 'a photo kept once\n';
const BIG_FILES = 12;
const BIG_FILE = 1_000_000;

/**
 * Rot found and repaired through the real CLI (issue 30 item 5): a flipped byte (size and time
 * kept) found by `guardian scrub`, counted and listed, repaired from the other copy on this device
 * with the damaged file kept aside; a repair with no good copy refused; a scrub killed with -9
 * going on where it stopped.
 */
describe('vss guardian scrub and repair', () => {
  const tmp = tempDir('vss-guardian-rot-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1' };
  const photos = join(tmp.path, 'photos');
  const big = join(tmp.path, 'big');
  const cli = async (...args: string[]) => {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };

  before(async () => {
    mkdirSync(join(photos, 'a'), { recursive: true });
    mkdirSync(join(photos, 'b'));
    mkdirSync(big);
    writeFileSync(join(photos, 'a', 'same.txt'), SAME);
    writeFileSync(join(photos, 'b', 'same.txt'), SAME);
    writeFileSync(join(photos, 'once.txt'), ONCE);
    // Whole seconds: Node's utimes (used by rot() to set the time back) keeps no more than the millisecond.
    for (const f of ['a/same.txt', 'b/same.txt', 'once.txt']) utimesSync(join(photos, f), 1_700_000_000, 1_700_000_000);
    for (let i = 0; i < BIG_FILES; i++) writeFileSync(join(big, `f${String(i).padStart(2, '0')}.bin`), randomBytes(BIG_FILE));
    await cli('library', 'create', 'R', '--path', join(tmp.path, 'libs'));
    await cli('location', 'add', photos, '--mode', 'content');
    await cli('location', 'add', big, '--mode', 'content');
  });
  after(() => tmp.cleanup());

  it('a scrub of healthy files finds no rot', async () => {
    const r = json<ScrubResult>(await cli('guardian', 'scrub', photos, '--json'));
    assert.deepEqual([r.files, r.rot, r.locations.length, r.locations[0]!.name], [3, 0, 1, 'photos']);
    assert.deepEqual(json<GuardianStatus>(await cli('guardian', 'status', '--json')).rot, { contents: 0, bytes: 0 });
  });

  it('a repair with nothing rotten says so and succeeds (no job, nothing repaired)', async () => {
    assert.match((await cli('guardian', 'repair')).stdout, /Nothing to repair: no rotten file on this device/);
    const j = json<{ repaired: unknown[]; refused: unknown[] }>(await cli('guardian', 'repair', '--json'));
    assert.deepEqual([j.repaired, j.refused], [[], []]);
  });

  it('a flipped byte, size and time kept, is rot: counted in status, listed by list --rot', async () => {
    rot(join(photos, 'a', 'same.txt'), 2);
    rot(join(photos, 'once.txt'), 2);
    const r = json<ScrubResult>(await cli('guardian', 'scrub', photos, '--json'));
    assert.equal(r.rot, 2);
    const s = json<GuardianStatus>(await cli('guardian', 'status', '--json'));
    assert.deepEqual(s.rot, { contents: 2, bytes: SAME.length + ONCE.length });
    const list = json<GuardianRotView[]>(await cli('guardian', 'list', '--rot', '--json'));
    assert.deepEqual(list.map((f) => f.path).sort(), [join(photos, 'a', 'same.txt'), join(photos, 'once.txt')]);
  });

  it('repair: the bytes come back from the other copy on this device, the damaged file is kept aside', async () => {
    const list = json<GuardianRotView[]>(await cli('guardian', 'list', '--rot', '--json'));
    const same = list.find((f) => f.path.endsWith('same.txt'))!;
    const repairs = async () => json<Array<{ op: string; outcome: string }>>(await cli('actions', 'list', '--json')).filter((a) => a.op === 'repair').map((a) => a.outcome);
    const before = await repairs();
    const r = json<RepairResult>(await cli('guardian', 'repair', same.content_uuid, '--json'));
    assert.deepEqual(r.refused, []);
    assert.deepEqual(r.repaired.map((f) => [f.path, f.from]), [[join(photos, 'a', 'same.txt'), join(photos, 'b', 'same.txt')]]);
    assert.equal(readFileSync(join(photos, 'a', 'same.txt'), 'utf8'), SAME);
    const aside = readdirSync(join(photos, 'a')).filter((n) => n.startsWith('.vss-damaged-'));
    assert.equal(aside.length, 1);
    assert.notEqual(readFileSync(join(photos, 'a', aside[0]!), 'utf8'), SAME, 'the damaged bytes, kept');
    assert.equal(join(photos, 'a', aside[0]!), r.repaired[0]!.damaged);
    const s = json<GuardianStatus>(await cli('guardian', 'status', '--json'));
    assert.deepEqual(s.rot, { contents: 1, bytes: ONCE.length });
    // Logged as done (the earlier repairs with nothing rotten are logged too, as done).
    assert.deepEqual((await repairs()).sort(), [...before, 'done'].sort());
  });

  let onceRotten = '';
  it('a repair with no good copy anywhere is refused with its reason; the rot stays recorded', async () => {
    const once = json<GuardianRotView[]>(await cli('guardian', 'list', '--rot', '--json')).find((f) => f.path.endsWith('once.txt'))!;
    onceRotten = once.content_uuid;
    const r = await runCli(['guardian', 'repair', once.content_uuid], env);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /no verified copy of its content elsewhere on this device/);
    assert.equal(json<GuardianRotView[]>(await cli('guardian', 'list', '--rot', '--json')).length, 1);
    assert.equal(readFileSync(join(photos, 'once.txt')).length, ONCE.length, 'left as it was');
  });

  it('a rescan indexes not the kept damaged file; a file whose flip changed its ctime is identified again, as edited', async () => {
    await cli('location', 'rescan', photos);
    const contents = json<Array<{ content_uuid: string; paths: string[] }>>(await cli('content', 'list', '--json'));
    assert.ok(!contents.some((c) => c.paths.some((p) => p.includes('.vss-damaged-'))), 'the damaged file is not a content of its own');
    // Rot as a disk makes it leaves the ctime alone; rot() here writes the byte, so the ctime
    // changed and the rescan takes once.txt for edited: its bytes now are its content, no rot.
    const once = contents.find((c) => c.paths.includes(join(photos, 'once.txt')))!;
    assert.notEqual(once.content_uuid, onceRotten, 'identified again');
    assert.equal(json<ScrubResult>(await cli('guardian', 'scrub', photos, '--json')).rot, 0);
  });

  it('a scrub killed with -9 goes on where it stopped: the files it had verified are not read again', async () => {
    await cli('guardian', 'scrub-settings', '--rate', '1');
    const started = Date.now();
    const child = spawn(process.execPath, [VSS_BIN, 'guardian', 'scrub', big], { env: { ...process.env, VSS_LOG_LEVEL: undefined, VSS_LIBRARY: undefined, ...env }, stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    // At 1 MB/s: killed once a few of its twelve 1 MB files are read (and saved: every second).
    await until('the scrub to be under way', 60_000, async () => {
      const jobs = json<JobRow[]>(await cli('jobs', 'list', '--json'));
      return jobs.find((j) => j.kind === 'guardian-scrub' && j.status === 'running' && j.done_bytes >= 3 * BIG_FILE);
    }, 200);
    await new Promise((r) => setTimeout(r, 1200));
    child.kill('SIGKILL');
    await exited;
    const killedAt = Date.now();
    await cli('guardian', 'scrub-settings', '--rate', '0');
    const r = json<ScrubResult>(await cli('guardian', 'scrub', big, '--json'));
    assert.deepEqual([r.files, r.bytes, r.rot], [BIG_FILES, BIG_FILES * BIG_FILE, 0], 'the pass counts each file once');
    // Every file verified by this scrub; those verified before the kill were not read again.
    const copies = json<GuardianAtRisk[]>(await cli('guardian', 'list', '--at-risk', '--json')).flatMap((c) => c.copies).filter((c) => c.path.startsWith(big));
    assert.equal(copies.length, BIG_FILES);
    assert.ok(copies.every((c) => c.verified_at! >= started), 'all verified by the scrub');
    const before = copies.filter((c) => c.verified_at! < killedAt).length;
    assert.ok(before >= 2 && before < BIG_FILES, `${before} verified before the kill and kept, the rest after`);
  });

  it('a repair killed mid-copy and then cancelled leaves no partial beside the rotten file', async () => {
    const twice = join(tmp.path, 'twice');
    mkdirSync(join(twice, 'a'), { recursive: true });
    mkdirSync(join(twice, 'b'));
    writeBigFile(join(twice, 'a', 'film.bin'), 32 * 1024 * 1024);
    copyFileSync(join(twice, 'a', 'film.bin'), join(twice, 'b', 'film.bin'));
    await cli('location', 'add', twice, '--mode', 'content');
    rot(join(twice, 'a', 'film.bin'), 5_000_000);
    assert.equal(json<ScrubResult>(await cli('guardian', 'scrub', twice, '--json')).rot, 1);
    const rotten = json<GuardianRotView[]>(await cli('guardian', 'list', '--rot', '--json')).find((f) => f.path === join(twice, 'a', 'film.bin'))!;
    const child = spawn(process.execPath, [VSS_BIN, 'guardian', 'repair', rotten.content_uuid], { env: { ...process.env, VSS_LOG_LEVEL: undefined, VSS_LIBRARY: undefined, ...env }, stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    const partials = () => readdirSync(join(twice, 'a')).filter((n) => n.startsWith('.vss-partial-'));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && partials().length === 0 && child.exitCode === null) await new Promise((r) => setTimeout(r, 2));
    child.kill('SIGKILL');
    await exited;
    assert.equal(partials().length, 1, 'killed while it copied: its partial is left for the next run to resume');
    const job = json<JobRow[]>(await cli('jobs', 'list', '--json')).find((j) => j.kind === 'guardian-repair' && j.status === 'running')!;
    await cli('jobs', 'cancel', String(job.id));
    assert.deepEqual(partials(), [], 'cancelled: no run will resume it, so it is gone');
    assert.equal(json<GuardianRotView[]>(await cli('guardian', 'list', '--rot', '--json')).length, 1, 'the rot stays recorded');
  });
});

