/**
 * What the one item loop (issue 57, ops/transfer/run/) must still do that the runners before it
 * did (5df869d, files/file-op-job.ts), through the real CLI on a real second drive: a move across
 * drives removes every name of a hard-linked file (removing the first name changes the file's
 * ctime, which is not another program's write), a rename across a bind mount of one filesystem
 * (EXDEV) falls back to a copy and still removes its source, and a copy that landed beside a
 * source kept because it changed is indexed at once like every other copy.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync, linkSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { outputOf, until, VSS_BIN, type CliResult } from '../helpers.js';
import { loopSkipReason } from '../loop-volume.js';
import { twoDrives, type TwoDrives } from '../two-drives.js';
import { stopped } from '../support/stopped.js';
import { cliHere } from '../support/cli-here.js';

const loopSkip = loopSkipReason();

describe('what a move kept doing through the one item loop (issue 57 item 2)', { skip: loopSkip, timeout: 300_000 }, () => {
  let t: TwoDrives;
  before(async () => {
    t = await twoDrives('vss-kept-', {
      // The CLI in this process (test/support/cli-here.ts) for the setup and every t.cli call; the
      // move stopped before its source goes stays a child process, as a stop needs one.
      run: cliHere,
      sizeMiB: 64,
      files: { 'photos/linked/a.txt': 'one file, two names\n', 'photos/linked/c.txt': 'another file\n', 'photos/edit/notes.txt': 'original line\n', 'backup/b/x.txt': 'across the bind mount\n', 'backup/kept/old.txt': 'there before\n' },
      // The second name made before the locations are indexed: the plan sees one file with two names.
      beforeLocations: (libs) => linkSync(join(dirname(libs), 'photos', 'linked', 'a.txt'), join(dirname(libs), 'photos', 'linked', 'b.txt')),
    });
  });
  after(() => t?.stop());

  it('moves every name of a hard-linked file to another drive, the copies one file again', async () => {
    const src = join(t.photos, 'linked');
    const dst = join(t.backup, 'hl');
    mkdirSync(dst);
    const r = await t.cli('files', 'move', src, `${dst}/`);
    assert.doesNotMatch(r.stdout + r.stderr, /changed after it was copied|skipped/, r.stdout);
    assert.ok(!existsSync(join(src, 'b.txt')), 'the second name moved too (removing the first changed only its ctime)');
    assert.ok(!existsSync(src), 'the folder, emptied, went');
    const [a, b] = ['a.txt', 'b.txt'].map((n) => statSync(join(dst, 'linked', n)));
    assert.equal(a!.ino, b!.ino, 'the two names are one file there');
    assert.equal(readFileSync(join(dst, 'linked', 'b.txt'), 'utf8'), 'one file, two names\n');
  });

  it('removes the source of a rename that crossed a bind mount of one filesystem (EXDEV: copied, then the source goes)', async () => {
    const bound = join(t.tmp, 'bound');
    const other = join(t.drive.mountPoint!, 'other');
    mkdirSync(bound);
    mkdirSync(other);
    execFileSync('mount', ['--bind', other, bound]);
    try {
      await t.cli('location', 'add', bound, '--name', 'bound', '--mode', 'content');
      const src = join(t.backup, 'b', 'x.txt');
      const r = await t.cli('files', 'move', src, `${bound}/`);
      assert.doesNotMatch(r.stdout + r.stderr, /changed after it was copied|skipped/, r.stdout);
      assert.ok(!existsSync(src), 'the source went once its copy was verified');
      assert.equal(readFileSync(join(bound, 'x.txt'), 'utf8'), 'across the bind mount\n');
    } finally {
      execFileSync('umount', [bound]);
    }
  });

  it('indexes at once the copy that landed beside a source it kept because another program wrote to it', async () => {
    const dst = join(t.backup, 'kept');
    // Stopped once the copy is verified and placed, before its source goes: another program writes then.
    const child = spawn(process.execPath, [VSS_BIN, 'files', 'move', join(t.photos, 'edit', 'notes.txt'), `${dst}/`], {
      env: { ...process.env, ...t.env, VSS_CRASH_AT: 'transfer:before-source-removed:stop' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = outputOf(child);
    await until('the move stops before removing its source', 60_000, async () => (stopped(child.pid!) ? true : undefined), 50);
    appendFileSync(join(t.photos, 'edit', 'notes.txt'), 'EDITED by another program\n');
    process.kill(child.pid!, 'SIGCONT');
    const r: CliResult = await out;
    assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
    assert.match(r.stdout + r.stderr, /notes\.txt changed after it was copied: kept/);
    assert.equal(readFileSync(join(dst, 'notes.txt'), 'utf8'), 'original line\n');
    // No rescan, no watcher (no daemon): the move told the index itself, as for every copy it lands.
    assert.ok(await t.uuidAt('/backup/kept', 'notes.txt'), 'the copy is in the index');
  });
});
