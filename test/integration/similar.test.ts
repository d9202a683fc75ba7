import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { ExifTool } from 'exiftool-vendored';
import sharp from 'sharp';
import { FIXTURES, FIXTURES_SKIP, json, tempDir } from '../helpers.js';
import { cliHere as runCli } from '../support/cli-here.js';
import type { SimilarGroup, SimilarKeepResult } from '../../src/wire/similar.js';
import type { TrashEmptyResult, TrashItem } from '../../src/wire/trash.js';

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

/**
 * Near-duplicates (issue 45) through the CLI over real photos: a photo, the same photo re-saved
 * smaller at a lower quality, the same photo with its metadata rewritten (other bytes, the same
 * pixels), and a different photo. A deep index fingerprints each (`phash`); `vss similar` groups
 * the three and suggests the original; keeping it merges the others' tags, rating and albums onto
 * it and moves their files to the trash, from where one comes back byte for byte; emptying the
 * trash lets the rest go (the picture is kept) though each was its content's last copy.
 */
describe('similar: near-duplicates found, one kept, the others trashed and restorable', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir('vss-similar-');
  const loc = join(tmp.path, 'photos');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1' };
  const vss = async (...args: string[]) => {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const original = join(loc, '2016/train.jpg');
  const resaved = join(loc, 'exports/train-small.jpg');
  const retagged = join(loc, 'edits/train-retagged.jpg');
  const other = join(loc, '2016/DSCN0010.jpg');

  before(async () => {
    for (const d of ['2016', 'exports', 'edits']) mkdirSync(join(loc, d), { recursive: true });
    copyFileSync(join(FIXTURES, 'livephoto/apple-iphone6s/train.jpg'), original);
    copyFileSync(join(FIXTURES, 'exif/gps/DSCN0010.jpg'), other);
    await sharp(original).rotate().resize(1600).jpeg({ quality: 55 }).toFile(resaved);
    copyFileSync(original, retagged);
    const et = new ExifTool({ maxProcs: 1 });
    try {
      await et.write(retagged, { Artist: 'Someone Else', ImageDescription: 'a train' } as never, { writeArgs: ['-overwrite_original'] });
    } finally {
      await et.end();
    }
    assert.notEqual(sha(retagged), sha(original), 'the metadata rewrite changed the bytes');
    await vss('library', 'create', 'S');
    await vss('location', 'add', loc, '--mode', 'deep', '--generate', 'thumb,phash');
    await vss('jobs', 'run', '--until-idle');
  });
  after(() => tmp.cleanup());

  it('groups the re-saved and the re-tagged photo with the original, and suggests the original', async () => {
    const groups = json<SimilarGroup[]>(await vss('similar', '--json'));
    assert.equal(groups.length, 1, JSON.stringify(groups, null, 1));
    const g = groups[0]!;
    assert.match(g.group_id, /^[0-9a-f-]{36}$/);
    const byPath = new Map(g.contents.map((c) => [c.paths[0], c]));
    assert.deepEqual([...byPath.keys()].sort(), [original, resaved, retagged].sort());
    for (const c of g.contents) {
      assert.equal(c.format, 'JPEG');
      assert.equal(typeof c.size, 'number');
      assert.ok(c.width && c.height, 'dimensions given');
    }
    assert.deepEqual([byPath.get(resaved)!.width, byPath.get(resaved)!.height], [1600, 1200]);
    // The most pixels and the camera's metadata: the original (its retagged twin has as many, and a few bytes more, but so much metadata too: the uuid decides between equals).
    assert.ok([byPath.get(original)!.content_uuid, byPath.get(retagged)!.content_uuid].includes(g.keep), 'the re-saved smaller copy is never the one to keep');
    assert.match((await vss('similar')).stdout, /keep/);
  });

  it('keeping one merges the others onto it and trashes their files; one comes back byte for byte; emptying lets the rest go', async () => {
    const g = json<SimilarGroup[]>(await vss('similar', '--json'))[0]!;
    const keepUuid = g.contents.find((c) => c.paths[0] === original)!.content_uuid;
    const small = g.contents.find((c) => c.paths[0] === resaved)!;
    const tagged = g.contents.find((c) => c.paths[0] === retagged)!;
    const smallSha = sha(resaved);
    await vss('tag', 'add', 'Trains', resaved);
    await vss('meta', 'set', retagged, '--rating', '4');
    await vss('album', 'add', 'Holiday', resaved);

    // A photo that is not one of them is never let go this way (nothing changes).
    const stranger = await runCli(['similar', 'keep', keepUuid, other], env);
    assert.notEqual(stranger.code, 0);
    assert.match(stranger.stderr, /is not a near-duplicate of/);
    assert.equal(existsSync(other), true);

    const r = json<SimilarKeepResult>(await vss('similar', 'keep', keepUuid, small.content_uuid, tagged.content_uuid, '--json'));
    assert.equal(r.kept, keepUuid);
    assert.equal(r.files, 2);
    assert.deepEqual(r.merged.tags, ['Trains']);
    assert.equal(r.merged.rating, 4);
    assert.equal(r.merged.albums, 1);
    const meta = json<{ rating: number; tags: string[] }>(await vss('meta', 'show', original, '--json'));
    assert.deepEqual([meta.rating, meta.tags], [4, ['Trains']]);
    assert.equal(r.kept_name, 'train.jpg');
    const album = json<{ contents: string[]; names: Record<string, string | null> }>(await vss('album', 'show', 'Holiday', '--json'));
    assert.ok(album.contents.includes(keepUuid), 'the kept photo is in the album');
    assert.equal(album.names[keepUuid], 'train.jpg');
    assert.match((await vss('album', 'show', 'Holiday')).stdout, /^ {2}train\.jpg( {2}\(cover\))?$/m, 'shown by its name');
    assert.equal(existsSync(resaved), false);
    assert.equal(existsSync(retagged), false);
    assert.equal(existsSync(original), true);
    assert.deepEqual(json<SimilarGroup[]>(await vss('similar', '--json')), [], 'no group left: the others are in the trash');

    const trash = json<TrashItem[]>(await vss('trash', 'list', '--json'));
    assert.deepEqual(trash.map((t) => t.path).sort(), [resaved, retagged].sort());
    await vss('trash', 'restore', resaved);
    assert.equal(sha(resaved), smallSha, 'restored byte for byte');
    assert.equal(json<SimilarGroup[]>(await vss('similar', '--json')).length, 1, 'restored, it is a near-duplicate again');

    // The kept photo gone behind vss's back (the index still lists it): no copy vouches for the picture now, so the retagged one stays.
    const away = join(tmp.path, 'train-away.jpg');
    renameSync(original, away);
    const refused = json<TrashEmptyResult>(await vss('trash', 'empty', '--json'));
    assert.deepEqual([refused.files, refused.kept.map((k) => k.path)], [0, [retagged]], 'kept while the photo kept in its place is not there');
    renameSync(away, original);
    // Back, it is looked at again (the move changed its ctime: not as indexed until read again).
    await vss('location', 'rescan', loc);
    // The retagged one was its content's last copy, but its picture is kept: emptying lets it go.
    const emptied = json<TrashEmptyResult>(await vss('trash', 'empty', '--json'));
    assert.deepEqual([emptied.files, emptied.kept.length], [1, 0]);
  });
});
