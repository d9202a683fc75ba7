import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import sharp from 'sharp';
import { REPO, tempDir } from '../../../test/helpers.js';
import { lieGif, pngClaiming } from '../../../test/hostile-files.js';
import { DEFAULT_PIXEL_LIMITS, tooManyPixels } from '../pixel-limits.js';
import { GeneratorError } from '../types.js';
import { decodeImage, fromPixels, readImageHeader } from './sharp-input.js';

const tmp = tempDir('vss-sharp-input-');
process.on('exit', () => tmp.cleanup());

function refusedWith(path: string, reason: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof GeneratorError, String(err));
    assert.equal(err.permanent, true);
    assert.equal(err.path, path);
    assert.ok(err.message.startsWith(`${path}: `), err.message);
    assert.match(err.message, reason);
    return true;
  };
}

test('a decompression bomb is refused from its header, in the one wording, before a pixel is decoded', async () => {
  const path = join(tmp.path, 'bomb.png');
  writeFileSync(path, pngClaiming(50_000, 50_000));
  const t0 = Date.now();
  await assert.rejects(readImageHeader(path, DEFAULT_PIXEL_LIMITS), refusedWith(path, /: image is 50000×50000 \(2500 MP\), more than the 100 MP limit$/));
  assert.ok(Date.now() - t0 < 1_000, 'refused from the header, not after decoding');
});

test('a format decoded whole is held to the lower limit, and says why', async () => {
  const path = join(tmp.path, 'claims-100mp.gif');
  writeFileSync(path, lieGif(await sharp({ create: { width: 40, height: 30, channels: 3, background: '#123' } }).gif().toBuffer(), 9_999));
  await assert.rejects(readImageHeader(path, DEFAULT_PIXEL_LIMITS), refusedWith(path, /image is 9999×9999 \(100 MP\), more than the 50 MP limit for GIF \(decoded whole\)$/));
  // The same words from the HEIC thread, which has no path and no header of sharp's.
  assert.equal(tooManyPixels(60_000, 60_000, 100_000_000).message, 'image is 60000×60000 (3600 MP), more than the 100 MP limit');
  assert.equal(tooManyPixels(2000, 1000, 1_000_000, { path: '/x.png' }).message, '/x.png: image is 2000×1000 (2.0 MP), more than the 1.0 MP limit');
});

test('an image within its limit: header read, pixels decoded, and sharp holds the limit itself', async () => {
  const path = join(tmp.path, 'ok.png');
  await sharp({ create: { width: 200, height: 100, channels: 3, background: '#fff' } }).png().toFile(path);
  const meta = await readImageHeader(path, DEFAULT_PIXEL_LIMITS);
  assert.deepEqual([meta.format, meta.width, meta.height], ['png', 200, 100]);
  const { info } = await decodeImage(path, { maxInputPixels: DEFAULT_PIXEL_LIMITS.maxInputPixels }).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height], [200, 100]);
  // A decode whose header was never checked is still bounded: libvips refuses it.
  await assert.rejects(decodeImage(path, { maxInputPixels: 10_000 }).raw().toBuffer(), /pixel limit/);
  const gray = await fromPixels(Buffer.alloc(6, 128), { width: 3, height: 2, channels: 1 }).extractChannel(0).raw().toBuffer();
  assert.deepEqual([...gray], [128, 128, 128, 128, 128, 128]);
});

test('every use of sharp in the generators goes through sharp-input.ts', () => {
  const root = join(REPO, 'src', 'generators');
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && e.name !== 'sharp-input.ts') {
        if (/from\s+['"]sharp['"]|require\(\s*['"]sharp['"]\s*\)|import\(\s*['"]sharp['"]\s*\)/.test(readFileSync(p, 'utf8'))) offenders.push(relative(REPO, p));
      }
    }
  };
  walk(root);
  assert.deepEqual(offenders, []);
});
