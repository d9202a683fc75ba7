import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import sharp from 'sharp';
import type { GuardianRotView } from '../../src/api/index.js';
import type { SimilarGroup } from '../../src/wire/similar.js';
import type { TrashEmptyResult, TrashItem } from '../../src/wire/trash.js';
import { FIXTURES, FIXTURES_SKIP, json, tempDir, type CliResult } from '../helpers.js';
import { cliHere as runCli } from '../support/cli-here.js';
import { loopSkipReason, makeLoopVolume, type LoopVolume } from '../loop-volume.js';

/**
 * The permanent step reads the bytes it relies on (DESIGN §21; faults note of 2026-11-27, S5 and
 * S3), through the CLI over files on an ext4 loop drive made to rot below the filesystem (bytes
 * changed; size, times and inode kept: no look at the index can tell). A copy going for good —
 * `trash empty`, `files delete --permanent`, a near-duplicate let go for the photo kept in its
 * place — goes only once every copy it leans on was read whole just now, whatever its size: a
 * rotten one is recorded as rot (`guardian list --rot` names it) and the item stays.
 */
const MIB = 1024 * 1024;

describe('the permanent step reads whole the copies it leans on (S5)', { skip: loopSkipReason() }, () => {
  const tmp = tempDir('vss-permanent-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1' };
  const sys = join(tmp.path, 'system');
  let drive: LoopVolume;
  let photos = '';
  const vss = (...args: string[]) => runCli(args, env);
  const ok = async (...args: string[]): Promise<CliResult> => {
    const r = await vss(...args);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  /** The same bytes (6 MiB: above the 4 MiB an interactive delete hashes again) on the system drive and on the loop drive. */
  const twin = (name: string) => {
    const bytes = randomBytes(6 * MIB);
    writeFileSync(join(sys, name), bytes);
    writeFileSync(join(photos, name), bytes);
  };
  const rotList = async () => json<GuardianRotView[]>(await ok('guardian', 'list', '--rot', '--json')).map((r) => r.path).sort();

  before(async () => {
    drive = makeLoopVolume({ sizeMiB: 64 });
    photos = join(drive.mountPoint!, 'photos');
    mkdirSync(photos);
    mkdirSync(sys);
    for (const n of ['f.bin', 'g.bin', 'h.bin', 'r.bin']) twin(n);
    writeFileSync(join(sys, 'other.bin'), randomBytes(1000));
    await ok('library', 'create', 'P', '--path', tmp.path);
    await ok('location', 'add', sys);
    await ok('location', 'add', photos);
    await ok('guardian', 'policy', '--copies', '1');
  });
  after(() => {
    drive?.remove();
    tmp.cleanup();
  });

  it('trash empty keeps the good copy whose only other copy, 6 MiB, rotted silently, says why, and records the rot', async () => {
    drive.rot(join(photos, 'f.bin'), 0);
    // Into the trash: nothing is lost yet, and the rotten twin still counts by all the index can tell.
    await ok('files', 'delete', join(sys, 'f.bin'), join(sys, 'g.bin'));
    const r = await ok('trash', 'empty');
    assert.match(r.stdout, /Removed 1 file/, r.stdout);
    assert.match(r.stdout, /Kept 1 /);
    assert.match(r.stdout, new RegExp(`${join(sys, 'f.bin').replaceAll('/', '\\/')}: .*${join(photos, 'f.bin').replaceAll('/', '\\/')}: read whole now, its bytes are not the content's \\(rot, recorded`));
    const left = json<TrashItem[]>(await ok('trash', 'list', '--json'));
    assert.deepEqual(left.map((t) => t.path), [join(sys, 'f.bin')], 'the good copy stays in the trash; g, whose twin read whole and matched, went');
    assert.deepEqual(await rotList(), [join(photos, 'f.bin')], 'the survivor is named as rotten');
    // The next empty needs no read to keep it: the rot is recorded.
    const again = json<TrashEmptyResult>(await ok('trash', 'empty', '--json'));
    assert.deepEqual([again.files, again.kept.map((k) => k.path)], [0, [join(sys, 'f.bin')]]);
  });

  it('files delete --permanent of the good copy is refused when its twin fails a whole read', async () => {
    drive.rot(join(photos, 'h.bin'), 5 * MIB);
    const r = await vss('files', 'delete', '--permanent', join(sys, 'h.bin'));
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stderr, /refused: this delete would leave a content below its policy/);
    assert.match(r.stderr, /read whole now, its bytes are not the content's/);
    assert.equal(existsSync(join(sys, 'h.bin')), true);
    assert.deepEqual(await rotList(), [join(photos, 'f.bin'), join(photos, 'h.bin')]);
  });

  it('a copy with --on-conflict replace is the permanent step too: refused when the replaced file\'s twin fails a whole read', async () => {
    drive.rot(join(photos, 'r.bin'), 3 * MIB);
    const r = await vss('files', 'copy', '--on-conflict', 'replace', join(sys, 'other.bin'), join(sys, 'r.bin'));
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stderr, /read whole now, its bytes are not the content's/);
    assert.equal(readFileSync(join(sys, 'r.bin')).length, 6 * MIB, 'the good copy is not replaced');
    assert.deepEqual(await rotList(), [join(photos, 'f.bin'), join(photos, 'h.bin'), join(photos, 'r.bin')]);
  });
});

describe('a near-duplicate goes for good only once the photo kept in its place was read whole (S3)', { skip: FIXTURES_SKIP || loopSkipReason() }, () => {
  const tmp = tempDir('vss-permanent-similar-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1' };
  let drive: LoopVolume;
  let original = '';
  let resaved = '';
  const ok = async (...args: string[]): Promise<CliResult> => {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };

  before(async () => {
    drive = makeLoopVolume({ sizeMiB: 32 });
    const photos = join(drive.mountPoint!, 'photos');
    mkdirSync(photos);
    original = join(photos, 'train.jpg');
    resaved = join(photos, 'train-small.jpg');
    copyFileSync(join(FIXTURES, 'livephoto/apple-iphone6s/train.jpg'), original);
    await sharp(original).rotate().resize(1600).jpeg({ quality: 55 }).toFile(resaved);
    await ok('library', 'create', 'S', '--path', tmp.path);
    await ok('location', 'add', photos, '--mode', 'deep', '--generate', 'thumb,phash');
    await ok('jobs', 'run', '--until-idle');
    await ok('guardian', 'policy', '--copies', '1');
  });
  after(() => {
    drive?.remove();
    tmp.cleanup();
  });

  it('similar keep, then trash empty, keeps the other while the kept photo is rotten', async () => {
    const g = json<SimilarGroup[]>(await ok('similar', '--json'))[0]!;
    const keep = g.contents.find((c) => c.paths[0] === original)!.content_uuid;
    const other = g.contents.find((c) => c.paths[0] === resaved)!.content_uuid;
    drive.rot(original, 100);
    await ok('similar', 'keep', keep, other);
    assert.equal(existsSync(resaved), false, 'in the trash');
    const r = json<TrashEmptyResult>(await ok('trash', 'empty', '--json'));
    assert.deepEqual([r.files, r.kept.map((k) => k.path)], [0, [resaved]], 'the only good picture stays');
    assert.match(r.kept[0]!.reason, /the photo kept in its place does not vouch for it \(.*train\.jpg: read whole now, its bytes are not the content's/);
    const rot = json<GuardianRotView[]>(await ok('guardian', 'list', '--rot', '--json'));
    assert.deepEqual(rot.map((x) => x.path), [original]);
  });
});
