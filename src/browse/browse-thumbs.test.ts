import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { tempDir } from '../../test/helpers.js';
import { BrowseThumbs } from './browse-thumbs.js';

const SETTINGS = () => ({ ocrLanguages: ['eng'], models: {}, threads: 1 });

/**
 * A browsed folder's thumbnails (issue 59): made from the file where it is into the cache alone
 * (nothing beside the file), served again from there while the file is the same, made anew when
 * it changed, and the cache held to its bounds (least recently used first, cold ones dropped).
 * Real photos decoded by the real `thumb` generator.
 */
describe('browse thumbnails: a bounded cache', () => {
  const tmp = tempDir('vss-bthumb-');
  after(() => tmp.cleanup());
  const folder = join(tmp.path, 'not-added');
  const cache = join(tmp.path, 'lib', 'cache', 'browse-thumbs');
  const scratch = join(tmp.path, 'lib', 'tmp');

  const photo = async (name: string, shade: number) => {
    const path = join(folder, name);
    await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: shade, g: 120, b: 40 } } }).jpeg().toFile(path);
    return path;
  };

  it('makes a photo\'s thumbnail into the cache only, and serves it again until the file changes', async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(folder, { recursive: true });
    const p = await photo('a.jpg', 10);
    const thumbs = new BrowseThumbs(cache, scratch, SETTINGS);
    const first = await thumbs.get(p);
    assert.ok(!('nothing' in first), 'made');
    const meta = await sharp(first.file).metadata();
    assert.equal(meta.format, 'webp');
    assert.ok(Math.max(meta.width ?? 0, meta.height ?? 0) <= 640);
    assert.deepEqual(readdirSync(folder), ['a.jpg'], 'nothing written beside the file');
    const again = await thumbs.get(p);
    assert.ok(!('nothing' in again));
    assert.equal(again.etag, first.etag, 'the same file: the same thumbnail');
    await photo('a.jpg', 200);
    utimesSync(p, new Date(), new Date(Date.now() + 5000));
    const changed = await thumbs.get(p);
    assert.ok(!('nothing' in changed));
    assert.notEqual(changed.etag, first.etag, 'a changed file gets a thumbnail of its own');
  });

  it('answers why for a file with none, and refuses a symlink, a folder and a relative path', async () => {
    const thumbs = new BrowseThumbs(cache, scratch, SETTINGS);
    const text = join(folder, 'notes.txt');
    writeFileSync(text, 'just words\n');
    const none = await thumbs.get(text);
    assert.ok('nothing' in none && /no thumbnail/.test(none.nothing), JSON.stringify(none));
    const link = join(folder, 'link.jpg');
    symlinkSync(join(folder, 'a.jpg'), link);
    await assert.rejects(thumbs.get(link), /not a file/);
    await assert.rejects(thumbs.get(folder), /not a file/);
    await assert.rejects(thumbs.get('relative/a.jpg'), /absolute/);
  });

  it('holds the cache to its bounds: the least recently used go first, cold ones whatever the room', async () => {
    const small = join(tmp.path, 'small-cache');
    const thumbs = new BrowseThumbs(small, scratch, SETTINGS, { files: 3, bytes: 64 * 1024 * 1024, coldMs: 24 * 3600_000 });
    const made: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const got = await thumbs.get(await photo(`p${i}.jpg`, 30 * i));
      assert.ok(!('nothing' in got));
      made.push(got.file);
      // Used in this order, a second apart: p0 the least recently.
      utimesSync(got.file, new Date(Date.now() - (10 - i) * 1000), new Date(Date.now() - (10 - i) * 1000));
    }
    assert.equal(await thumbs.prune(), 2);
    assert.deepEqual(made.map((f) => existsSync(f)), [false, false, true, true, true]);
    // Two days unused: cold, dropped though there is room.
    utimesSync(made[2]!, new Date(Date.now() - 48 * 3600_000), new Date(Date.now() - 48 * 3600_000));
    assert.equal(await thumbs.prune(), 1);
    assert.equal(existsSync(made[2]!), false);
    assert.equal(existsSync(made[4]!), true);
  });
});
