import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, realpathSync, rmSync, statSync, truncateSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import { ExifTool } from 'exiftool-vendored';
import { Vss, addLocation, scanLocation, iterateContents, type Library } from '../internals.js';
import { parseMetadata } from '../../src/media/media-metadata.js';
import { SidecarManager } from '../../src/sidecars/manager.js';
import { FIXTURES, FIXTURES_SKIP, json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

const LIVE = join(FIXTURES, 'livephoto');
const TRAIN_JPG = join(LIVE, 'apple-iphone6s', 'train.jpg');
const TRAIN_MOV = join(LIVE, 'apple-iphone6s', 'train.mov');
const TRAIN_ID = 'E905E6C6-C747-4805-942F-9904A0281F02';
const OTHER_ID = '0B5EDA59-3F4C-4B8E-9D1A-6C2E7F804A13';

interface SidecarJson { content_uuid: string; kind: string; variant: string; format: string; status: string; source: string; size: number | null; checksum: string | null; path: string | null; generator?: string | null; error?: string | null; attempts?: number }

/** Copy fixture files into a fresh tree: { 'rel/path/in/tree': absolute source }. */
function buildTree(root: string, files: Record<string, string>): void {
  for (const [rel, src] of Object.entries(files)) {
    const dest = join(root, ...rel.split('/'));
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(src, dest);
  }
}

function contentOf(lib: Library, absPath: string): string {
  for (const c of iterateContents(lib)) if (c.paths.includes(absPath)) return c.content_uuid;
  throw new Error(`no content for ${absPath}`);
}

async function deepLibrary(tree: string, work: string): Promise<{ lib: Library; locId: number }> {
  const vss = new Vss({ dataDir: join(work, 'data') });
  const lib = vss.createLibrary('Live', work);
  const locId = addLocation(lib, tree, { mode: 'deep', generation: 'none' }).id;
  const r = await scanLocation(lib, locId);
  assert.equal(r.skipped_total, 0, JSON.stringify(r.skipped));
  return { lib, locId };
}

describe('Live Photos as reference sidecars (real fixtures)', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir();
  // One ExifTool for the tests that rewrite metadata in their temporary copies.
  let exiftool: ExifTool;
  before(() => { exiftool = new ExifTool({ maxProcs: 1 }); });
  after(async () => { await exiftool.end(); tmp.cleanup(); });

  it('records the Apple pair as a ready reference sidecar, and the orphan still and a plain photo get nothing', async () => {
    const work = join(tmp.path, 'cli');
    const tree = join(work, 'tree');
    buildTree(tree, {
      'apple-iphone6s/train.jpg': TRAIN_JPG,
      'apple-iphone6s/train.mov': TRAIN_MOV,
      'orphan-still/IMG_1309.HEIC': join(LIVE, 'orphan-still', 'IMG_1309.HEIC'),
      'ente-pixel_8-NOT-motion.jpg': join(LIVE, 'ente-pixel_8-NOT-motion.jpg'),
    });
    const env = { VSS_DATA_DIR: join(work, 'data') };
    json(await runCli(['library', 'create', 'L', '--path', work, '--json'], env));
    const added = json<{ skipped_total: number; media_read: number; live_photos: number }>(await runCli(['location', 'add', tree, '--mode', 'deep', '--generate', 'none', '--json'], env));
    assert.equal(added.skipped_total, 0);
    assert.equal(added.media_read, 4);
    assert.equal(added.live_photos, 1);

    const root = realpathSync(tree);
    const contents = json<Array<{ content_uuid: string; paths: string[] }>>(await runCli(['content', 'list', '--json'], env));
    const uuidOf = (rel: string) => contents.find((c) => c.paths.includes(join(root, rel)))!.content_uuid;
    const movie = readFileSync(TRAIN_MOV);
    const expected: SidecarJson = {
      content_uuid: uuidOf('apple-iphone6s/train.jpg'), kind: 'live_photo_video', variant: 'original', format: 'mov',
      status: 'ready', source: 'reference', size: movie.length, checksum: blake3(movie).toString('hex'),
      path: join(root, 'apple-iphone6s', 'train.mov'), generator: null, error: null, attempts: 0,
    };
    assert.deepEqual(json<SidecarJson[]>(await runCli(['sidecars', 'list', '--json'], env)), [expected]);
    for (const rel of ['orphan-still/IMG_1309.HEIC', 'ente-pixel_8-NOT-motion.jpg']) {
      assert.deepEqual(json(await runCli(['sidecars', 'list', '--content', uuidOf(rel), '--json'], env)), [], rel);
    }

    // A rescan finds the same pair and neither duplicates nor rewrites it.
    const again = json<{ media_read: number; live_photos: number }>(await runCli(['location', 'rescan', '1', '--json'], env));
    assert.equal(again.media_read, 0, 'metadata is read once per content');
    assert.equal(again.live_photos, 1);
    assert.deepEqual(json<SidecarJson[]>(await runCli(['sidecars', 'list', '--json'], env)), [expected]);

    // The movie stays where it is, with its own entry and content.
    assert.ok(contents.some((c) => c.paths.includes(expected.path!)));
    assert.equal(statSync(expected.path!).size, movie.length);
  });

  it('pairs the still and the movie by their identifiers when renamed into different folders', async () => {
    const work = join(tmp.path, 'renamed');
    const tree = join(work, 'tree');
    buildTree(tree, { 'Photos/2021/IMG_4711.JPG': TRAIN_JPG, 'Exports/videos/clip-from-phone.MOV': TRAIN_MOV });
    const { lib } = await deepLibrary(tree, work);
    try {
      const [sidecar, ...rest] = new SidecarManager(lib).list({ kind: 'live_photo_video' });
      assert.equal(rest.length, 0);
      assert.equal(sidecar!.content_uuid, contentOf(lib, join(tree, 'Photos', '2021', 'IMG_4711.JPG')));
      assert.equal(sidecar!.path, join(tree, 'Exports', 'videos', 'clip-from-phone.MOV'));
      assert.equal(sidecar!.status, 'ready');
      assert.equal(sidecar!.source, 'reference');
    } finally {
      lib.close();
    }
  });

  it('does not pair a still and a movie of the same name and moment whose identifiers disagree', async () => {
    const work = join(tmp.path, 'disagree');
    const tree = join(work, 'tree');
    buildTree(tree, { 'shots/train.jpg': TRAIN_JPG, 'shots/train.mov': TRAIN_MOV });
    // Make the movie another Live Photo's movie: same name, same capture time, another id.
    await exiftool.write(join(tree, 'shots', 'train.mov'), { 'Keys:ContentIdentifier': OTHER_ID } as never, ['-overwrite_original']);
    const { lib } = await deepLibrary(tree, work);
    try {
      const movie = contentOf(lib, join(tree, 'shots', 'train.mov'));
      assert.equal(parseMetadata(lib.store.contents.byUuid(movie)!.media_metadata!)?.content_identifier, OTHER_ID, 'the rewritten identifier was read');
      assert.deepEqual(new SidecarManager(lib).list({ kind: 'live_photo_video' }), []);
    } finally {
      lib.close();
    }
  });

  it('pairs by folder, name and capture time when the still has lost its identifier', async () => {
    const work = join(tmp.path, 'by-name');
    const tree = join(work, 'tree');
    buildTree(tree, { 'a/IMG_0042.JPG': TRAIN_JPG, 'a/IMG_0042.MOV': TRAIN_MOV });
    // Strip the Apple MakerNote (the still's identifier) but keep the EXIF capture time, as some exporters do.
    await exiftool.write(join(tree, 'a', 'IMG_0042.JPG'), {}, ['-MakerNotes:all=', '-overwrite_original']);
    const { lib } = await deepLibrary(tree, work);
    try {
      const still = contentOf(lib, join(tree, 'a', 'IMG_0042.JPG'));
      const meta = parseMetadata(lib.store.contents.byUuid(still)!.media_metadata!)!;
      assert.equal(meta.content_identifier, undefined, 'the still has no identifier any more');
      assert.ok(meta.captured_ms, 'but still has its capture time');
      const list = new SidecarManager(lib).list({ kind: 'live_photo_video' });
      assert.deepEqual(list.map((s) => [s.content_uuid, s.path]), [[still, join(tree, 'a', 'IMG_0042.MOV')]]);
    } finally {
      lib.close();
    }
  });

  it('skips a file ExifTool cannot read with a reason, once, and leaves a reference whose movie is gone for reconcile', async () => {
    const work = join(tmp.path, 'broken');
    const tree = join(work, 'tree');
    buildTree(tree, { 'train.jpg': TRAIN_JPG, 'train.mov': TRAIN_MOV });
    mkdirSync(join(tree, 'bad'));
    // The first 3000 bytes of a real JPEG: typed as an image by its magic, unreadable as one.
    copyFileSync(TRAIN_JPG, join(tree, 'bad', 'cut.jpg'));
    truncateSync(join(tree, 'bad', 'cut.jpg'), 3000);

    const vss = new Vss({ dataDir: join(work, 'data') });
    const lib = vss.createLibrary('Broken', work);
    try {
      const locId = addLocation(lib, tree, { mode: 'deep', generation: 'none' }).id;
      const first = await scanLocation(lib, locId);
      assert.equal(first.skipped_total, 1);
      assert.equal(first.skipped[0]!.path, join(tree, 'bad', 'cut.jpg'));
      assert.match(first.skipped[0]!.reason, /^media metadata: ExifTool cannot read it: /);
      assert.equal(first.live_photos, 1, 'the rest of the location is done');

      const events: string[] = [];
      lib.events.on('sidecar:changed', (e) => events.push(`${e.kind}:${e.status}`));
      const second = await scanLocation(lib, locId);
      assert.equal(second.skipped_total, 0, 'an unreadable content is not re-read on every scan');
      assert.deepEqual(events, [], 'an unchanged pair is not rewritten');

      const stillUuid = contentOf(lib, join(tree, 'train.jpg'));
      rmSync(join(tree, 'train.mov'));
      const third = await scanLocation(lib, locId);
      assert.equal(third.live_photos, 0);
      const [kept, ...more] = new SidecarManager(lib).list({ kind: 'live_photo_video' });
      assert.equal(more.length, 0);
      assert.equal(kept!.content_uuid, stillUuid, 'the record stays; reconcile decides what it is now');
      assert.equal(kept!.path, null, 'it no longer points at a file');
    } finally {
      lib.close();
    }
  });

  it('reads the Live Photo identifiers of the fixtures as the fixtures README states', async () => {
    const work = join(tmp.path, 'ids');
    const tree = join(work, 'tree');
    buildTree(tree, { 'train.jpg': TRAIN_JPG, 'train.mov': TRAIN_MOV, 'IMG_1309.HEIC': join(LIVE, 'orphan-still', 'IMG_1309.HEIC') });
    const { lib } = await deepLibrary(tree, work);
    try {
      const idOf = (name: string) => {
        const uuid = contentOf(lib, join(tree, name));
        return parseMetadata(lib.store.contents.byUuid(uuid)!.media_metadata!);
      };
      assert.equal(idOf('train.jpg')?.content_identifier, TRAIN_ID);
      assert.equal(idOf('train.mov')?.content_identifier, TRAIN_ID);
      assert.equal(idOf('IMG_1309.HEIC')?.content_identifier, 'FCF200B0-D364-4703-B3F3-E88F0C7F6396');
      const mov = idOf('train.mov')!;
      assert.deepEqual([mov.width, mov.height, mov.captured_zone], [1440, 1080, 'explicit']);
      assert.ok(Math.abs(idOf('train.jpg')!.captured_ms! - mov.captured_ms!) < 3000, 'the movie starts within the window');
    } finally {
      lib.close();
    }
  });
});
