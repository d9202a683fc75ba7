import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { FileOpOutcome, GuardianAtRisk, GuardianStatus, GuardianRotView, TrashEmptyResult, TrashItem } from '../../src/api/index.js';
import { flipBit, json, tempDir, type CliResult } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { loopSkipReason, makeLoopVolume, type LoopVolume } from '../loop-volume.js';

/**
 * The Guardian's reproductions of `shared/notes/faults-2026-11-25.md` (defects 2, 3, 8, 11 and 13's
 * first item) through the CLI, as a user meets them: a copy counts only on fresh evidence
 * (DESIGN §19). Each failed on 2487a8d. A delete into the trash is never refused for copy counts
 * (DESIGN §21): the guard is met at the permanent step, a delete --permanent or the trash's empty.
 */


describe('faults note: a copy counts only on fresh evidence (no daemon)', () => {
  const tmp = tempDir('vss-faults-guardian-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1' };
  const a = join(tmp.path, 'a');
  const b = join(tmp.path, 'b');
  const vss = (...args: string[]) => runCli(args, env);
  const ok = async (...args: string[]): Promise<CliResult> => {
    const r = await vss(...args);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };

  before(async () => {
    mkdirSync(a);
    mkdirSync(b);
    const f = randomBytes(50 * 1024);
    writeFileSync(join(a, 'f.bin'), f);
    writeFileSync(join(b, 'f.bin'), f);
    const g = randomBytes(50 * 1024);
    writeFileSync(join(a, 'g.bin'), g);
    writeFileSync(join(b, 'g.bin'), g);
    await ok('library', 'create', 'L', '--path', tmp.path);
    await ok('location', 'add', a);
    await ok('location', 'add', b);
  });
  after(() => tmp.cleanup());

  it('defect 2: the good copy may not go for good while its twin is recorded rotten, nor leave the trash; defect 8: then its content is short, and with the rotten one alone, lost', async () => {
    flipBit(join(a, 'f.bin'));
    await ok('guardian', 'scrub');
    const rot = json<GuardianRotView[]>(await ok('guardian', 'list', '--rot', '--json'));
    assert.deepEqual(rot.map((r) => r.path), [join(a, 'f.bin')]);

    const refused = await vss('files', 'delete', '--permanent', join(b, 'f.bin'));
    assert.notEqual(refused.code, 0, 'the good copy was deleted for good');
    assert.match(refused.stderr, /refused: this delete would leave a content below its policy/);
    assert.match(refused.stderr, /a scrub found its bytes rotten/);
    assert.equal(existsSync(join(b, 'f.bin')), true);

    const s = json<GuardianStatus>(await ok('guardian', 'status', '--json'));
    assert.deepEqual([s.safe.contents, s.lost.contents, s.rot.contents], [0, 0, 1], 'f is short (one good copy, on the same drive), none lost yet');
    // Into the trash it goes (a delete loses nothing), said to leave f below its policy, though not
    // as existing nowhere else: its rotten twin is known. Emptying the trash keeps it, and says why.
    const trashed = json<FileOpOutcome>(await ok('--json', 'files', 'delete', join(b, 'f.bin')));
    assert.equal(trashed.result?.trash, true);
    assert.deepEqual(trashed.result?.below_policy?.map((x) => [x.path, x.have, x.nowhere_else]), [[join(b, 'f.bin'), 0, undefined]]);
    assert.match(trashed.result?.below_policy?.[0]?.uncounted?.join('; ') ?? '', /a scrub found its bytes rotten/);
    const kept = json<TrashEmptyResult>(await ok('trash', 'empty', '--json'));
    assert.deepEqual([kept.files, kept.kept.map((k) => k.path)], [0, [join(b, 'f.bin')]], 'the good bytes stay in the trash');
    assert.match(kept.kept[0]!.reason, /a scrub found its bytes rotten/);
    const [item] = json<TrashItem[]>(await ok('trash', 'list', '--json'));
    assert.deepEqual([item?.path, existsSync(item!.in_trash_at)], [join(b, 'f.bin'), true]);
    // Forced: the good copy goes for good; the rotten one is all that is left: lost, and listed first.
    await ok('trash', 'empty', '--force');
    assert.equal(existsSync(item!.in_trash_at), false);
    await ok('guardian', 'policy', '--copies', '1');
    const lost = json<GuardianStatus>(await ok('guardian', 'status', '--json'));
    assert.deepEqual([lost.lost.contents, lost.safe.contents], [1, 1], 'f lost though its policy asks one copy; g safe');
    assert.match((await ok('guardian', 'status')).stdout, /lost: +1 content/);
    const [first] = json<GuardianAtRisk[]>(await ok('guardian', 'list', '--at-risk', '--json'));
    assert.equal(first?.lost, true);
    assert.deepEqual(first?.copies.map((c) => [c.path, c.rotten]), [[join(a, 'f.bin'), true]]);
    await ok('guardian', 'policy', '--copies', '2');
  });

  it('defect 3: a copy edited in place (same size, new mtime) no longer vouches for the content: for good, or out of the trash', async () => {
    await ok('guardian', 'policy', '--copies', '1');
    try {
      const edited = join(b, 'g.bin');
      const g = readFileSync(join(a, 'g.bin'));
      const fd = openSync(edited, 'r+');
      writeSync(fd, Buffer.from('EDITED'), 0, 6, 100);
      closeSync(fd);
      utimesSync(edited, new Date(), new Date(Date.now() + 2000));
      const refused = await vss('files', 'delete', '--permanent', join(a, 'g.bin'));
      assert.notEqual(refused.code, 0, 'the last copy of the original bytes was deleted for good');
      assert.match(refused.stderr, /g\.bin changed since it was indexed \(rescan its location\)/);
      assert.equal(existsSync(join(a, 'g.bin')), true);
      // Into the trash it goes, below its policy, though not nowhere else (the edited file is known);
      // emptying the trash keeps the original bytes, saying why.
      const trashed = json<FileOpOutcome>(await ok('--json', 'files', 'delete', join(a, 'g.bin')));
      assert.deepEqual(trashed.result?.below_policy?.map((x) => [x.path, x.have, x.nowhere_else]), [[join(a, 'g.bin'), 0, undefined]]);
      const kept = json<TrashEmptyResult>(await ok('trash', 'empty', '--json'));
      assert.deepEqual([kept.files, kept.kept.map((k) => k.path)], [0, [join(a, 'g.bin')]], 'the original bytes stay in the trash');
      assert.match(kept.kept[0]!.reason, /g\.bin changed since it was indexed \(rescan its location\)/);
      await ok('trash', 'restore', join(a, 'g.bin'));
      assert.deepEqual(readFileSync(join(a, 'g.bin')), g);
    } finally {
      await ok('guardian', 'policy', '--copies', '2');
    }
  });
  it('a replace from a copy edited since it was indexed over its twin is weighed: the twin is the last copy of the original bytes (found by the safety model)', async () => {
    const h = randomBytes(30 * 1024);
    writeFileSync(join(a, 'h.bin'), h);
    writeFileSync(join(b, 'h.bin'), h);
    await ok('location', 'rescan', a);
    await ok('location', 'rescan', b);
    const edited = join(a, 'h.bin');
    const fd = openSync(edited, 'r+');
    writeSync(fd, Buffer.from('EDITED'), 0, 6, 10);
    closeSync(fd);
    utimesSync(edited, new Date(), new Date(Date.now() + 2000));
    const refused = await vss('files', 'copy', edited, `${b}/`, '--on-conflict', 'replace');
    assert.notEqual(refused.code, 0, 'the twin, the last copy of the original bytes, was replaced');
    assert.match(refused.stderr, /refused: this copy would leave a content below its policy/);
    assert.deepEqual(readFileSync(join(b, 'h.bin')), h);
  });
});

describe('faults note: repair names the unplugged drive that holds the good copy (defect 11)', { skip: loopSkipReason() }, () => {
  const tmp = tempDir('vss-faults-repair-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1' };
  const photos = join(tmp.path, 'photos');
  let drive: LoopVolume;
  const vss = (...args: string[]) => runCli(args, env);

  before(async () => {
    drive = makeLoopVolume({ sizeMiB: 16 });
    mkdirSync(photos);
    const backup = join(drive.mountPoint!, 'backup');
    mkdirSync(backup);
    const bytes = randomBytes(40 * 1024);
    writeFileSync(join(photos, 'p.bin'), bytes);
    writeFileSync(join(backup, 'p.bin'), bytes);
    writeFileSync(join(photos, 'q.bin'), randomBytes(1000));
    for (const args of [['library', 'create', 'R', '--path', tmp.path], ['location', 'add', photos], ['location', 'add', backup, '--name', 'm2']]) {
      const r = await vss(...args);
      assert.equal(r.code, 0, r.stderr);
    }
  });
  after(() => {
    drive?.remove();
    tmp.cleanup();
  });

  it('says to plug the drive in, and exits 1 while something stays rotten', async () => {
    flipBit(join(photos, 'p.bin'));
    assert.equal((await vss('guardian', 'scrub')).code, 0);
    drive.unplug();
    const r = await vss('guardian', 'repair');
    assert.equal(r.code, 1);
    assert.match(r.stdout + r.stderr, /its other copy on this device is on the drive “[^”]+”, not plugged in: plug it in and run \S*vss guardian repair again/);
    drive.plug(drive.image.replace(/\.img$/, '-again'));
    const fixed = await vss('guardian', 'repair');
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.match(fixed.stdout, /^repaired .*p\.bin/m);
  });
});

describe('faults note: guardian status names this device as it was renamed (defect 13)', () => {
  const tmp = tempDir('vss-faults-rename-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const vss = (...args: string[]) => runCli(args, env);
  after(async () => {
    await vss('daemon', 'stop');
    tmp.cleanup();
  });

  it('after device rename with the daemon running', async () => {
    assert.equal((await vss('library', 'create', 'N', '--path', tmp.path)).code, 0);
    assert.equal((await vss('daemon', 'start')).code, 0);
    assert.equal((await vss('device', 'rename', 'Alpha-renamed')).code, 0);
    const s = json<GuardianStatus>(await vss('guardian', 'status', '--json'));
    assert.equal(s.by_device[0]?.name, 'Alpha-renamed');
  });
});
