/**
 * Files whose path holds a line break (a folder or file name with a newline or carriage return):
 * ExifTool takes its arguments one a line, so such a path cannot be handed to it as it is. The
 * indexer reads them through a name without one, and their metadata and Live Photo pairing are
 * what the same files get under plain names.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { ExifTool } from 'exiftool-vendored';
import { Vss, addLocation, scanLocation, type Library } from '../internals.js';
import { parseMetadata, type MediaMetadata } from '../../src/media/media-metadata.js';
import { SidecarManager } from '../../src/sidecars/manager.js';
import { FIXTURES, FIXTURES_SKIP, tempDir } from '../helpers.js';
import { entryAt } from '../support/entries.js';

const TRAIN_JPG = join(FIXTURES, 'livephoto', 'apple-iphone6s', 'train.jpg');
const TRAIN_MOV = join(FIXTURES, 'livephoto', 'apple-iphone6s', 'train.mov');
const TRAIN_ID = 'E905E6C6-C747-4805-942F-9904A0281F02';
const OTHER_ID = '0B5EDA59-3F4C-4B8E-9D1A-6C2E7F804A13';

async function deepScan(tree: string, work: string): Promise<{ lib: Library; locId: number }> {
  const lib = new Vss({ dataDir: join(work, 'data') }).createLibrary('Names', work);
  const locId = addLocation(lib, tree, { mode: 'deep', generation: 'none' }).id;
  const r = await scanLocation(lib, locId);
  assert.deepEqual(r.skipped, [], 'nothing skipped');
  return { lib, locId };
}

function metadataAt(lib: Library, rel: string): MediaMetadata | null {
  const entry = entryAt(lib, rel);
  assert.ok(entry?.content_id, `${JSON.stringify(rel)} is identified`);
  const json = lib.store.contents.byId(entry.content_id)?.media_metadata;
  assert.ok(json, `${JSON.stringify(rel)} has media metadata`);
  return parseMetadata(json);
}

describe('names with line breaks', () => {
  const tmp = tempDir('vss-names-');
  after(() => tmp.cleanup());

  it('a plain JPEG gets its metadata, whether the break is in its name or in a folder\'s', async () => {
    const work = join(tmp.path, 'plain');
    const tree = join(work, 'tree');
    mkdirSync(join(tree, 'new\nfolder'), { recursive: true });
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#808080' } }).jpeg().toBuffer();
    for (const rel of ['line\nbreak.jpg', 'carriage\rreturn.jpg', 'new\nfolder/photo.jpg', 'plain.jpg']) writeFileSync(join(tree, ...rel.split('/')), jpeg);
    const { lib } = await deepScan(tree, work);
    try {
      for (const rel of ['line\nbreak.jpg', 'carriage\rreturn.jpg', 'new\nfolder/photo.jpg', 'plain.jpg']) {
        const meta = metadataAt(lib, rel);
        assert.equal(meta?.error, undefined, `${JSON.stringify(rel)}: ${meta?.error}`);
        assert.deepEqual({ width: meta?.width, height: meta?.height }, { width: 64, height: 48 }, JSON.stringify(rel));
      }
      assert.deepEqual(readdirSync(tree).sort(), ['carriage\rreturn.jpg', 'line\nbreak.jpg', 'new\nfolder', 'plain.jpg'], 'nothing was left in the location');
    } finally {
      lib.close();
    }
  });

  describe('a real Live Photo pair', { skip: FIXTURES_SKIP }, () => {
    let exiftool: ExifTool | undefined;
    after(async () => { await exiftool?.end(); });

    it('is paired by its identifiers', async () => {
      const work = join(tmp.path, 'pair');
      const tree = join(work, 'tree');
      mkdirSync(tree, { recursive: true });
      copyFileSync(TRAIN_JPG, join(tree, 'IMG\n0042.jpg'));
      copyFileSync(TRAIN_MOV, join(tree, 'IMG\n0042.mov'));
      const { lib } = await deepScan(tree, work);
      try {
        assert.equal(metadataAt(lib, 'IMG\n0042.jpg')?.content_identifier, TRAIN_ID);
        assert.equal(metadataAt(lib, 'IMG\n0042.mov')?.content_identifier, TRAIN_ID);
        assert.equal(new SidecarManager(lib).list({ kind: 'live_photo_video' }).length, 1);
      } finally {
        lib.close();
      }
    });

    it('is not paired by its name when its identifiers differ', async () => {
      const work = join(tmp.path, 'other');
      const tree = join(work, 'tree');
      mkdirSync(tree, { recursive: true });
      // Another Live Photo's movie: same name, same capture time, another identifier.
      copyFileSync(TRAIN_JPG, join(tree, 'IMG\n0042.jpg'));
      copyFileSync(TRAIN_MOV, join(tree, 'other.mov'));
      exiftool = new ExifTool({ maxProcs: 1 });
      await exiftool.write(join(tree, 'other.mov'), { 'Keys:ContentIdentifier': OTHER_ID } as never, ['-overwrite_original']);
      renameSync(join(tree, 'other.mov'), join(tree, 'IMG\n0042.mov'));
      const { lib } = await deepScan(tree, work);
      try {
        assert.deepEqual(new SidecarManager(lib).list({ kind: 'live_photo_video' }).map((s) => s.source), [], 'not paired');
        assert.equal(metadataAt(lib, 'IMG\n0042.mov')?.content_identifier, OTHER_ID);
      } finally {
        lib.close();
      }
    });
  });
});
