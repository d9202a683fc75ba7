import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { FIXTURES, FIXTURES_SKIP, tempDir } from '../../../test/helpers.js';
import { pngClaiming } from '../../../test/hostile-files.js';
import { GeneratorError } from '../types.js';
import { decodeHeicInThread } from '../tools/heic-thread.js';
import { createThumbGenerator } from './thumb-generator.js';
import { ALL_VARIANTS, makeThumbs, watchDecodes } from '../../../test/thumb-support.js';

const tmp = tempDir('vss-thumb-hostile-');
after(() => tmp.cleanup());

function write(name: string, bytes: Buffer): string {
  const path = join(tmp.path, name);
  writeFileSync(path, bytes);
  return path;
}

/** Fails permanently, naming the path and matching REASON, within MAX_MS. */
async function assertRefused(path: string, mime: string, reason: RegExp, maxMs: number, generator = createThumbGenerator()): Promise<void> {
  const t0 = performance.now();
  await assert.rejects(makeThumbs(path, 'image', mime, ALL_VARIANTS, { generator }), (err: unknown) => {
    assert.ok(err instanceof GeneratorError, `not a GeneratorError: ${String(err)}`);
    assert.equal(err.permanent, true, 'should fail permanently');
    assert.equal(err.path, path);
    assert.ok(err.message.includes(path), `the message does not name the file: ${err.message}`);
    // Matched without the path: a pattern the file's name alone satisfies would pass whatever the reason.
    assert.match(err.message.replaceAll(path, '<file>'), reason);
    return true;
  });
  const ms = performance.now() - t0;
  assert.ok(ms < maxMs, `took ${ms.toFixed(0)} ms`);
}

test('a 50000×50000 PNG header (decompression bomb) fails fast and permanently, before any decode', async () => {
  const path = write('bomb.png', pngClaiming(50_000, 50_000));
  // The header check's own words (sharp's pixel limit would say "exceeds pixel limit"), and no
  // pipeline ever asked sharp for the pixels.
  const { seen } = await watchDecodes(path, () => assertRefused(path, 'image/png', /50000×50000 \(2500 MP\), more than the 100 MP limit/, 1000));
  assert.deepEqual(seen, { sharpReads: 0, threads: 0, decoders: 0, frameGrabs: 0 }, 'the bomb was handed to a decoder');
});

test('the pixel limit is configurable', async () => {
  const path = write('2mp.png', await sharp({ create: { width: 2000, height: 1000, channels: 3, background: '#fff' } }).png().toBuffer());
  await assertRefused(path, 'image/png', /2000×1000 .*more than the 1\.0 MP limit/, 1000, createThumbGenerator({ maxInputPixels: 1_000_000 }));
  const out = await makeThumbs(path, 'image', 'image/png', ['grid@1x'], { generator: createThumbGenerator({ maxInputPixels: 2_000_000 }) });
  assert.ok('data' in out.get('grid@1x')!);
});

test('a truncated JPEG fails permanently with sharp\'s reason', { skip: FIXTURES_SKIP }, async () => {
  const whole = readFileSync(join(FIXTURES, 'livephoto/apple-iphone6s/train.jpg'));
  const path = write('truncated.jpg', whole.subarray(0, Math.floor(whole.length * 0.4)));
  await assertRefused(path, 'image/jpeg', /could not be decoded: .*premature end/i, 5000);
});

test('a JPEG header followed by garbage fails permanently', async () => {
  const garbage = Buffer.alloc(20_000);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) & 0xff;
  const path = write('garbage.jpg', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), garbage]));
  await assertRefused(path, 'image/jpeg', /not a readable image: .*corrupt header|could not be decoded: .*(Corrupt JPEG|premature end)/, 2000);
});

test('a text file labelled image/jpeg fails cleanly', async () => {
  const path = write('notes.jpg', Buffer.from('these are my notes, not a photo\n'));
  await assertRefused(path, 'image/jpeg', /not a readable image: .*unsupported image format/, 1000);
});

test('an empty file fails cleanly', async () => {
  const path = write('empty.png', Buffer.alloc(0));
  await assertRefused(path, 'image/png', /not a readable image: .*unsupported image format/, 1000);
});

test('a HEIC whose header claims 60000×60000 is refused before libheif decodes it', { skip: FIXTURES_SKIP }, async () => {
  // IMG_5195.HEIC with every image-size box (ispe) rewritten to 60000×60000.
  const bytes = Buffer.from(readFileSync(join(FIXTURES, 'exif/heic/IMG_5195.HEIC')));
  for (let i = bytes.indexOf('ispe'); i >= 0; i = bytes.indexOf('ispe', i + 4)) {
    bytes.writeUInt32BE(60_000, i + 8);
    bytes.writeUInt32BE(60_000, i + 12);
  }
  const path = write('huge.heic', bytes);
  await assertRefused(path, 'image/heic', /60000×60000 .*more than the 50 MP limit for HEIC \(decoded whole\)/, 1000);
  // The thread checks too (it is the one that would allocate the pixels).
  await assert.rejects(decodeHeicInThread({ path, maxPixels: 100_000_000, maxBytes: 64 * 1024 * 1024 }), /image is 60000×60000 \(3600 MP\), more than the 100 MP limit/);
});

test('a text file labelled video/mp4 fails permanently', async () => {
  const path = write('notes.mp4', Buffer.from('not a video at all\n'));
  await assert.rejects(makeThumbs(path, 'video', 'video/mp4', ['grid@1x']), (err: unknown) => {
    assert.ok(err instanceof GeneratorError && err.permanent && err.message.includes(path), String(err));
    assert.match(err.message.replaceAll(path, '<file>'), /not a readable video: .*(moov atom not found|Invalid data found when processing input)/);
    return true;
  });
});

test('a cancelled job stops', { skip: FIXTURES_SKIP }, async () => {
  const ac = new AbortController();
  ac.abort(new Error('cancelled by the user'));
  await assert.rejects(
    makeThumbs(join(FIXTURES, 'exif/heic/IMG_5195.HEIC'), 'image', 'image/heic', ['grid@1x'], { signal: ac.signal }),
    (err: unknown) => err instanceof GeneratorError && err.permanent && /cancelled by the user/.test(err.message),
  );
});
