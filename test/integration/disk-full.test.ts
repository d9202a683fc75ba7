import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { fillDisk, freeDisk, mountSmallDisk } from '../support/small-disk.js';

interface JobJson { status: string; attempts: number; error: string | null }
interface SidecarJson { kind: string; variant: string; status: string; attempts: number; error: string | null }

const PHOTOS = 6;
/** Every CLI call here is bounded: a run that hangs fails the test instead of holding the suite. */
const BOUND = { timeout: 120_000 };

/**
 * The reporter's case, with a real full disk: the library's sidecars folder on a small tmpfs,
 * filled to the last block. `jobs run --until-idle` pauses with one message, spends no attempt
 * and exits 1; once space is freed the next run makes everything.
 */
describe('a full disk pauses generation and spends no attempts (real tmpfs, real CLI)', () => {
  const tmp = tempDir();
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  let lib = '';
  let disk: ReturnType<typeof mountSmallDisk> = { skip: 'not mounted yet' };
  let filler = '';

  before(async () => {
    const tree = join(tmp.path, 'photos');
    mkdirSync(tree);
    for (let i = 0; i < PHOTOS; i++) {
      await sharp({ create: { width: 400, height: 300, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 90 + i * 5, sigma: 30 } } }).jpeg().toFile(join(tree, `p${i}.jpg`));
    }
    lib = json<{ path: string }>(await runCli(['library', 'create', 'Full', '--path', tmp.path, '--json'], env, BOUND)).path;
    disk = mountSmallDisk(join(lib, 'sidecars'), '1m');
    if ('skip' in disk) return;
    const added = json<{ jobs_queued: number }>(await runCli(['location', 'add', tree, '--mode', 'deep', '--generate', 'thumb=grid@1x+grid@2x', '--json'], env, BOUND));
    assert.equal(added.jobs_queued, PHOTOS);
  });
  after(() => {
    if ('unmount' in disk) disk.unmount();
    tmp.cleanup();
  });

  it('pauses with one message, leaves every job queued with no attempt spent, and exits 1', async (t) => {
    if ('skip' in disk) return t.skip(disk.skip);
    filler = fillDisk(join(lib, 'sidecars'));
    const r = await runCli(['jobs', 'run', '--until-idle', '--concurrency', '2'], env, BOUND);
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    const messages = r.stderr.split('\n').filter((l) => l.includes('generation paused'));
    assert.equal(messages.length, 1, r.stderr);
    assert.match(messages[0]!, new RegExp(`the disk holding ${join(lib, 'sidecars').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is full \\(\\d+(\\.\\d)? (B|KB) free of 1\\.0 MB\\)`));
    assert.doesNotMatch(r.stderr, /failed:/, 'no job failed');
    assert.match(r.stdout, /Paused: the disk is full/);

    const jobs = json<JobJson[]>(await runCli(['jobs', 'list', '--json'], env, BOUND));
    assert.equal(jobs.length, PHOTOS);
    for (const j of jobs) assert.deepEqual([j.status, j.attempts], ['queued', 0], JSON.stringify(j));
    const rows = json<SidecarJson[]>(await runCli(['sidecars', 'list', '--json'], env, BOUND));
    assert.equal(rows.length, PHOTOS * 2);
    for (const s of rows) assert.deepEqual([s.status, s.attempts], ['pending', 0], JSON.stringify(s));
  });

  it('makes everything on the next run once space is freed', async (t) => {
    if ('skip' in disk) return t.skip(disk.skip);
    freeDisk(filler);
    const r = await runCli(['jobs', 'run', '--until-idle', '--json'], env, BOUND);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as { completed: number; failed: number; paused: unknown };
    assert.deepEqual([summary.completed, summary.failed, summary.paused], [PHOTOS, 0, null]);
    const rows = json<SidecarJson[]>(await runCli(['sidecars', 'list', '--json'], env, BOUND));
    for (const s of rows) assert.deepEqual([s.status, s.attempts], ['ready', 1], JSON.stringify(s));
  });
});

/**
 * The whole library — database included — on the small disk, as libraries usually are: the
 * database must still be able to record that jobs wait, so repeated runs on a full disk never
 * spend an attempt (before, each run left jobs `running` and the third failed them as
 * "interrupted 3 times"). A disk too full even to open the library says so in one line and
 * leaves no half-written lock.
 */
describe('a full disk holding the whole library spends no attempts either', () => {
  const tmp = tempDir();
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const diskDir = join(tmp.path, 'disk');
  let lib = '';
  let disk: ReturnType<typeof mountSmallDisk> = { skip: 'not mounted yet' };

  before(async () => {
    disk = mountSmallDisk(diskDir, '6m');
    if ('skip' in disk) return;
    const tree = join(tmp.path, 'photos');
    mkdirSync(tree);
    for (let i = 0; i < PHOTOS; i++) {
      await sharp({ create: { width: 400, height: 300, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 90 + i * 5, sigma: 30 } } }).jpeg().toFile(join(tree, `p${i}.jpg`));
    }
    lib = json<{ path: string }>(await runCli(['library', 'create', 'Small', '--path', diskDir, '--json'], env, BOUND)).path;
    const added = json<{ jobs_queued: number }>(await runCli(['location', 'add', tree, '--mode', 'deep', '--generate', 'thumb=grid@1x+grid@2x', '--json'], env, BOUND));
    assert.equal(added.jobs_queued, PHOTOS);
  });
  after(() => {
    if ('unmount' in disk) disk.unmount();
    tmp.cleanup();
  });

  it('a disk too full to open the library: one clear line, no lock left behind', async (t) => {
    if ('skip' in disk) return t.skip(disk.skip);
    const filler = fillDisk(diskDir);
    try {
      const r = await runCli(['jobs', 'run', '--until-idle'], env, BOUND);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^vss: error: .*no space left on the disk \(ENOSPC\)/m);
      assert.deepEqual(readdirSync(lib).filter((n) => n.includes('lock')), [], 'no lock or half-written lock stays');
      const read = await runCli(['content', 'list'], env, BOUND);
      assert.equal(read.code, 1);
      assert.match(read.stderr, /^vss: error: cannot open the library: the disk holding it is full \(\d+ B free\)/m);
    } finally {
      freeDisk(filler);
    }
  });

  it('nearly full: every run pauses, and no attempt is ever spent', async (t) => {
    if ('skip' in disk) return t.skip(disk.skip);
    const filler = fillDisk(diskDir);
    // Room to open the library and write a little, not to make the thumbnails.
    truncateSync(filler, statSync(filler).size - 160 * 1024);
    try {
      for (let run = 0; run < 4; run++) {
        const r = await runCli(['jobs', 'run', '--until-idle', '--concurrency', '2'], env, BOUND);
        assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
        assert.equal(r.stderr.split('\n').filter((l) => l.includes('generation paused')).length, 1, r.stderr);
        assert.doesNotMatch(r.stderr, /failed:/, 'no job failed');
      }
      const jobs = json<JobJson[]>(await runCli(['jobs', 'list', '--json'], env, BOUND));
      for (const j of jobs) assert.deepEqual([j.status, j.attempts], ['queued', 0], JSON.stringify(j));
    } finally {
      freeDisk(filler);
    }
    const r = await runCli(['jobs', 'run', '--until-idle', '--json'], env, BOUND);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as { completed: number; failed: number };
    assert.deepEqual([summary.completed, summary.failed], [PHOTOS, 0]);
  });
});

describe('a scan that fills the library\'s disk says which disk, what is kept and the way on', () => {
  const tmp = tempDir();
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const diskDir = join(tmp.path, 'disk');
  const tree = join(tmp.path, 'notes');
  const FILES = 3000;
  let lib = '';
  let disk: ReturnType<typeof mountSmallDisk> = { skip: 'not mounted yet' };

  before(async () => {
    disk = mountSmallDisk(diskDir, '8m');
    if ('skip' in disk) return;
    mkdirSync(tree);
    for (let i = 0; i < FILES; i++) writeFileSync(join(tree, `note-${i}.txt`), `note ${i}: words of its own ${i * 7919}\n`);
    lib = json<{ path: string }>(await runCli(['library', 'create', 'Notes', '--path', diskDir, '--json'], env, BOUND)).path;
  });
  after(() => {
    if ('unmount' in disk) disk.unmount();
    tmp.cleanup();
  });

  it('stops the scan with one line naming the disk and the rescan, and the rescan goes on once there is room', async (t) => {
    if ('skip' in disk) return t.skip(disk.skip);
    const filler = fillDisk(diskDir);
    // Room to open the library and list some of the files, not to index them all.
    truncateSync(filler, statSync(filler).size - 1024 * 1024);
    let r;
    try {
      r = await runCli(['location', 'add', tree], env, BOUND);
    } finally {
      freeDisk(filler);
    }
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, /database or disk is full/, 'not SQLite\'s words alone');
    const at = diskDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // Too full even to count what is kept (stoppedFull's own fallback): the counts are left out.
    assert.match(r.stderr, new RegExp(`^vss: error: the disk holding ${at}/Notes\\.sdlibrary is full \\([\\d.]+ K?B free of [\\d.]+ MB\\): the scan of location 1 \\(${tree.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\) stopped while [a-z ]+; (what it had written is kept( \\(\\d+ files and folders listed, \\d+ contents identified\\))?|it had written nothing yet)\\. Make room on that disk, then \`\\S*vss location rescan 1\` goes on from there`, 'm'));
    const again = await runCli(['location', 'rescan', '1', '--json'], env, BOUND);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(json<{ files: number }>(again).files, FILES);
  });
});
