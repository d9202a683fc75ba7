import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { GuardianRotView } from '../../src/api/index.js';
import { json, tempDir, type CliResult } from '../helpers.js';
import { cliHere as runCli } from '../support/cli-here.js';
import { loopSkipReason, makeLoopVolume, type LoopVolume } from '../loop-volume.js';

/**
 * `guardian protect` counts what it really protected (faults note of 2026-11-27, messages): a
 * source rotten below the filesystem (size, times, inode kept) is copied as any other, but its
 * copy is indexed as other bytes, so it protects nothing: the protect says one content, one file,
 * names the rotten source and records its rot, where it said "Protected 2 contents … 2 files".
 */
describe('guardian protect counts the contents that landed as themselves', { skip: loopSkipReason() }, () => {
  const tmp = tempDir('vss-protect-counts-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1' };
  const backup = join(tmp.path, 'backup');
  let drive: LoopVolume;
  let photos = '';
  const ok = async (...args: string[]): Promise<CliResult> => {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };

  before(async () => {
    drive = makeLoopVolume({ sizeMiB: 16 });
    photos = join(drive.mountPoint!, 'photos');
    mkdirSync(photos);
    mkdirSync(backup);
    writeFileSync(join(photos, 'big.bin'), randomBytes(300 * 1024));
    writeFileSync(join(photos, 'small.bin'), randomBytes(30 * 1024));
    await ok('library', 'create', 'P', '--path', tmp.path);
    await ok('location', 'add', photos);
    await ok('location', 'add', backup);
  });
  after(() => {
    drive?.remove();
    tmp.cleanup();
  });

  it('one source rotten: "Protected 1 content … 1 file", the rotten one named and its rot recorded', async () => {
    drive.rot(join(photos, 'big.bin'), 0);
    const r = await ok('guardian', 'protect');
    assert.match(r.stdout, /^Protected 1 content: copied 30\.7 KB \(1 file, 1 skipped; verified; job \d+\)$/m, r.stdout);
    // Held to its content's BLAKE3 as it is copied: nothing of the rotten bytes lands (issue 57: the one item loop records the rot).
    assert.match(r.stdout, new RegExp(`^skipped ${join(photos, 'big.bin').replaceAll('/', '\\/')}: its bytes hash to [0-9a-f]{16}…, not its content's [0-9a-f]{16}…: rot, recorded .*; nothing was copied$`, 'm'));
    assert.deepEqual(readdirSync(join(backup, 'vss-protect')).filter((n) => n.startsWith('big')), [], 'no copy of the rotten bytes');
    assert.match(r.stdout, /^ {2}planned to /m, 'the targets are what was planned');
    const rot = json<GuardianRotView[]>(await ok('guardian', 'list', '--rot', '--json'));
    assert.deepEqual(rot.map((x) => x.path), [join(photos, 'big.bin')]);
  });
});
