import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import { ExifTool } from 'exiftool-vendored';
import { FIXTURES, FIXTURES_SKIP, json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

const LIVE = join(FIXTURES, 'livephoto', 'apple-iphone6s');

interface SidecarJson { content_uuid: string; kind: string; variant: string; status: string; source: string; checksum: string | null; path: string | null }
interface ContentJson { content_uuid: string; paths: string[] }

/**
 * Several stills of one Live Photo (the original, an edited copy, a duplicate re-saved by another
 * app: different bytes, the same ContentIdentifier) share one movie. Converting the references
 * must leave every still with a ready movie, the same-named still getting the moved file.
 */
describe('several stills sharing one Live Photo movie (real fixtures)', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir();
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const tree = join(tmp.path, 'tree');
  const stills = ['IMG_1.JPG', 'IMG_1 copy.JPG', 'IMG_1 (2).JPG'];
  let exiftool: ExifTool;
  let root: string;
  let movie: Buffer;
  let uuidOf: (name: string) => string;

  before(async () => {
    exiftool = new ExifTool({ maxProcs: 1 });
    mkdirSync(tree);
    for (const s of stills) copyFileSync(join(LIVE, 'train.jpg'), join(tree, s));
    copyFileSync(join(LIVE, 'train.mov'), join(tree, 'IMG_1.MOV'));
    // Other bytes, so other contents; the MakerNote with the identifier is kept.
    await exiftool.write(join(tree, 'IMG_1 copy.JPG'), { ImageDescription: 'edited copy' }, ['-overwrite_original']);
    await exiftool.write(join(tree, 'IMG_1 (2).JPG'), { ImageDescription: 'saved again' }, ['-overwrite_original']);
    movie = readFileSync(join(tree, 'IMG_1.MOV'));
    root = realpathSync(tree);
    json(await runCli(['library', 'create', 'L', '--path', tmp.path, '--json'], env));
    const added = json<{ live_photos: number; skipped_total: number }>(await runCli(['location', 'add', tree, '--mode', 'deep', '--generate', 'none', '--json'], env));
    assert.equal(added.skipped_total, 0);
    assert.equal(added.live_photos, 3, 'each still is a Live Photo of the one movie');
    const contents = json<ContentJson[]>(await runCli(['content', 'list', '--json'], env));
    uuidOf = (name) => contents.find((c) => c.paths.includes(join(root, name)))!.content_uuid;
    assert.equal(new Set(stills.map(uuidOf)).size, 3, 'three contents');
  });
  after(async () => {
    await exiftool.end();
    tmp.cleanup();
  });

  const movies = async () => json<SidecarJson[]>(await runCli(['sidecars', 'list', '--kind', 'live_photo_video', '--json'], env));

  it('links the movie to every still, the same-named one first', async () => {
    const list = await movies();
    assert.deepEqual(list.map((s) => [s.source, s.status, s.path]), stills.map(() => ['reference', 'ready', join(root, 'IMG_1.MOV')]));
    assert.equal(list[0]!.content_uuid, uuidOf('IMG_1.JPG'), 'the same-named still is linked first');
    assert.deepEqual(new Set(list.map((s) => s.content_uuid)), new Set(stills.map(uuidOf)));
  });

  it('converts the movie for every still (one shared file), each keeping a ready movie through reconcile and rescans', async () => {
    const inode = statSync(join(tree, 'IMG_1.MOV')).ino;
    const r = json<{ converted: number; failed: unknown[] }>(await runCli(['sidecars', 'convert-references', '--force', '--json'], env));
    assert.deepEqual(r.failed, []);
    assert.equal(r.converted, 3);
    assert.equal(existsSync(join(tree, 'IMG_1.MOV')), false, 'the movie left the location');

    const check = async (when: string) => {
      const list = await movies();
      assert.equal(list.length, 3, when);
      for (const name of stills) {
        const s = list.find((x) => x.content_uuid === uuidOf(name));
        assert.ok(s, `${name} has a movie ${when}`);
        assert.deepEqual([s.status, s.source], ['ready', 'converted'], `${name} ${when}`);
        assert.equal(s.checksum, blake3(movie).toString('hex'));
        assert.ok(s.path && readFileSync(s.path).equals(movie), `${name}'s movie is there ${when}`);
        // The location and the library are on one filesystem: one file, moved, and linked for the others.
        assert.equal(statSync(s.path).ino, inode, `${name} has the moved file itself, not a copy`);
      }
    };
    await check('after conversion');
    const once = json<Record<string, number>>(await runCli(['sidecars', 'reconcile', '--json'], env));
    assert.equal(once.missing, 0);
    await check('after reconcile');
    const verified = json<Record<string, number>>(await runCli(['sidecars', 'reconcile', '--verify', '--json'], env));
    assert.deepEqual([verified.missing, verified.corrupt, verified.quarantined], [0, 0, 0]);
    await check('after reconcile --verify');
    json(await runCli(['location', 'rescan', '1', '--json'], env));
    await check('after a rescan');
  });
});
