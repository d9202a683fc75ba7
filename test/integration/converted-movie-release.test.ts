import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { ExifTool } from 'exiftool-vendored';
import { Vss, scanLocation } from '../internals.js';
import { convertReferences } from '../../src/sidecars/convert.js';
import { FIXTURES, FIXTURES_SKIP, json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

const LIVE = join(FIXTURES, 'livephoto', 'apple-iphone6s');
/** What a desktop makes of a video here: three thumbnails, the thumbstrip, the quick proxy. */
const POLICY = 'thumb=grid@1x+grid@2x+detail@1x,thumbstrip,proxy=quick';

interface SidecarJson { content_uuid: string; kind: string; variant: string; status: string; path: string | null }
interface ContentJson { content_uuid: string; kind: string; paths: string[] }

/**
 * A Live Photo movie converted into its still's sidecar leaves the index; its own content (the
 * movie as a video: thumbnails, thumbstrip, proxy) then has no file and must be released, by
 * `sidecars convert-references` itself, and, for a library converted without that (an older vss,
 * a crash), by `sidecars reconcile` and `location rescan` — with no daemon running.
 */
describe('a converted Live Photo movie\'s own content is released (real fixtures)', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir();
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const tree = join(tmp.path, 'tree');
  const pairs = ['a', 'b', 'c'];
  let root: string;
  let libRoot: string;
  let contents: ContentJson[];

  before(async () => {
    const exiftool = new ExifTool({ maxProcs: 1 });
    try {
      for (const [i, p] of pairs.entries()) {
        mkdirSync(join(tree, p), { recursive: true });
        copyFileSync(join(LIVE, 'train.jpg'), join(tree, p, 'IMG_1.JPG'));
        copyFileSync(join(LIVE, 'train.mov'), join(tree, p, 'IMG_1.MOV'));
        if (i === 0) continue;
        // Three Live Photos of other bytes (so other contents), each keeping its own pairing.
        await exiftool.write(join(tree, p, 'IMG_1.JPG'), { ImageDescription: `copy ${p}` }, ['-overwrite_original']);
        await exiftool.write(join(tree, p, 'IMG_1.MOV'), { 'Keys:Title': `copy ${p}` } as never, ['-overwrite_original']);
      }
    } finally {
      await exiftool.end();
    }
    root = realpathSync(tree);
    libRoot = json<{ path: string }>(await runCli(['library', 'create', 'L', '--path', tmp.path, '--json'], env)).path;
    const added = json<{ live_photos: number }>(await runCli(['location', 'add', tree, '--mode', 'deep', '--generate', POLICY, '--json'], env));
    assert.equal(added.live_photos, 3);
    const ran = json<{ failed: number }>(await runCli(['jobs', 'run', '--until-idle', '--json'], env));
    assert.equal(ran.failed, 0);
    contents = json<ContentJson[]>(await runCli(['content', 'list', '--json'], env));
  });
  after(() => tmp.cleanup());

  const uuidOf = (rel: string) => contents.find((c) => c.paths.includes(join(root, rel)))!.content_uuid;
  const sidecarsOf = async (uuid: string) => json<SidecarJson[]>(await runCli(['sidecars', 'list', '--content', uuid, '--json'], env));
  const known = async (uuid: string) => json<ContentJson[]>(await runCli(['content', 'list', '--json'], env)).some((c) => c.content_uuid === uuid);

  /**
   * Convert one Live Photo as a vss that did not release would (the domain step alone), then
   * scan its folder as a daemon's watcher does (it leaves releasing to a sweep a while later),
   * and stop: the next scan finds nothing changed.
   */
  async function convertWithoutRelease(p: string): Promise<void> {
    const lib = new Vss({ dataDir: env.VSS_DATA_DIR }).openLibrary(libRoot);
    try {
      const r = await convertReferences(lib, { contentUuids: [uuidOf(`${p}/IMG_1.JPG`)] });
      assert.deepEqual([r.converted, r.failed], [1, []]);
      await scanLocation(lib, 1, undefined, { removeOrphans: false });
    } finally {
      lib.close();
    }
  }

  /** The movie's own content had its five sidecars; returns their files. */
  async function madeForMovie(movie: string): Promise<string[]> {
    const own = await sidecarsOf(movie);
    assert.equal(own.filter((s) => s.status === 'ready').length, 5, JSON.stringify(own.map((s) => `${s.kind}/${s.variant}:${s.status}`)));
    return own.map((s) => s.path!);
  }

  async function assertReleased(movie: string, files: string[], still: string): Promise<void> {
    assert.deepEqual(await sidecarsOf(movie), [], 'the movie\'s own sidecars are released');
    assert.equal(await known(movie), false, 'and its content');
    assert.deepEqual(files.filter(existsSync), [], 'their files are deleted');
    const kept = await sidecarsOf(still);
    assert.deepEqual(kept.find((s) => s.kind === 'live_photo_video')?.status, 'ready', 'the still keeps its movie');
    assert.equal(kept.filter((s) => s.kind === 'thumb' && s.status === 'ready').length, 3, 'and its own thumbnails');
  }

  it('sidecars reconcile releases a converted movie\'s own content', async () => {
    const movie = uuidOf('a/IMG_1.MOV');
    const files = await madeForMovie(movie);
    await convertWithoutRelease('a');
    assert.equal((await sidecarsOf(movie)).length, 5, 'the state of the fault: kept after it left the index');
    json(await runCli(['sidecars', 'reconcile', '--json'], env));
    await assertReleased(movie, files, uuidOf('a/IMG_1.JPG'));
  });

  it('location rescan releases it, though the scan finds nothing changed', async () => {
    const movie = uuidOf('b/IMG_1.MOV');
    const files = await madeForMovie(movie);
    await convertWithoutRelease('b');
    json(await runCli(['location', 'rescan', '1', '--json'], env));
    await assertReleased(movie, files, uuidOf('b/IMG_1.JPG'));
  });

  it('sidecars convert-references releases it at once', async () => {
    const movie = uuidOf('c/IMG_1.MOV');
    const files = await madeForMovie(movie);
    const r = json<{ converted: number }>(await runCli(['sidecars', 'convert-references', '--force', '--json'], env));
    assert.equal(r.converted, 1);
    await assertReleased(movie, files, uuidOf('c/IMG_1.JPG'));
  });
});
