import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { FIXTURES, FIXTURES_SKIP, tempDir } from '../../../test/helpers.js';
import { DEFAULT_IMAGE_LIMITS, openImage, type ImageLimits, type OcrImagePage } from './image-input.js';

const call = { signal: new AbortController().signal, timeoutMs: 60_000 };

async function loadImagePages(path: string, mime: string, limits: ImageLimits): Promise<{ pages: OcrImagePage[]; pageCount: number }> {
  const source = await openImage(path, mime, limits, call);
  const pages: OcrImagePage[] = [];
  for (let i = 0; i < source.pagesToRead; i++) pages.push(await source.page(i));
  return { pages, pageCount: source.pageCount };
}

test('EXIF orientation is applied before reading', { skip: FIXTURES_SKIP }, async () => {
  const path = join(FIXTURES, 'exif/orientation/portrait_6.jpg');
  const meta = await sharp(path).metadata();
  assert.equal(meta.orientation, 6);
  const { pages } = await loadImagePages(path, 'image/jpeg', DEFAULT_IMAGE_LIMITS);
  const p = pages[0]!;
  // Orientation 6 turns the stored image by 90°: width and height trade places.
  assert.deepEqual([p.width, p.height], [meta.height, meta.width]);
  assert.equal(p.gray.length, p.width * p.height);
});

test('HEIC (HEVC, which sharp cannot decode here) goes through heic-decode', { skip: FIXTURES_SKIP }, async () => {
  const { pages, pageCount } = await loadImagePages(join(FIXTURES, 'exif/heic/IMG_5195.HEIC'), 'image/heic', DEFAULT_IMAGE_LIMITS);
  assert.equal(pageCount, 1);
  const p = pages[0]!;
  assert.deepEqual([p.width, p.height, p.sourceWidth], [2566, 3313, 2566]);
  const mean = p.gray.reduce((s, v) => s + v, 0) / p.gray.length;
  assert.ok(mean > 10 && mean < 245, `mean gray ${mean}: not a real picture`);
});

test('transparency becomes white paper, big images are downscaled to the OCR budget', async () => {
  const dir = tempDir();
  try {
    const clear = join(dir.path, 'clear.png');
    await sharp({ create: { width: 50, height: 40, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toFile(clear);
    const [p] = (await loadImagePages(clear, 'image/png', DEFAULT_IMAGE_LIMITS)).pages;
    assert.ok(p!.gray.every((v) => v === 255));

    const big = join(dir.path, 'big.png');
    writeFileSync(big, await sharp({ create: { width: 6000, height: 3000, channels: 3, background: '#fff' } }).png().toBuffer());
    const [b] = (await loadImagePages(big, 'image/png', { ...DEFAULT_IMAGE_LIMITS, maxOcrPixels: 2_000_000 })).pages;
    assert.ok(b!.width * b!.height <= 2_000_000, `${b!.width}×${b!.height}`);
    assert.equal(b!.width, 2000);
    assert.deepEqual([b!.sourceWidth, b!.sourceHeight], [6000, 3000]);
  } finally {
    dir.cleanup();
  }
});
