import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import sharp from 'sharp';
import { FIXTURES, FIXTURES_SKIP } from '../../../test/helpers.js';
import { closeOcrEngine, type GrayImage } from './engine.js';
import { findLanguages, type LanguageData } from './languages.js';
import { centerWindow, lineDirection, recognizeUpright, rotate } from './orientation.js';
import { characterErrorRate } from './text-metrics.js';
import { readFileSync } from 'node:fs';

after(() => closeOcrEngine());

async function grayOf(path: string): Promise<GrayImage> {
  const { data, info } = await sharp(path).rotate().grayscale().extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  return { gray: data, width: info.width, height: info.height };
}
const langs = findLanguages(['eng']) as LanguageData[];

test('rotate and centerWindow keep one byte per pixel', async () => {
  const img: GrayImage = { gray: Buffer.from([1, 2, 3, 4, 5, 6]), width: 3, height: 2 };
  const r = await rotate(img, 90);
  assert.deepEqual([r.width, r.height, [...r.gray]], [2, 3, [4, 1, 5, 2, 6, 3]]);
  assert.deepEqual([...centerWindow(img, 1, 2).gray], [2, 5]);
  assert.equal(centerWindow(img, 10, 10).gray.length, 6);
});

test('the ink profile tells lines across from lines up and down, and stays out of photos', { skip: FIXTURES_SKIP }, async () => {
  assert.equal(await lineDirection(await grayOf(join(FIXTURES, 'ocr/tesseract-test/phototest.tif'))), 'horizontal');
  assert.equal(await lineDirection(await grayOf(join(FIXTURES, 'ocr/tesseract-test/phototest-rotated-R.png'))), 'vertical');
  assert.equal(await lineDirection(await grayOf(join(FIXTURES, 'livephoto/apple-iphone6s/train.jpg'))), 'unknown');
});

test('an upside-down page is found by probing and read upright', { skip: FIXTURES_SKIP }, async () => {
  const upright = await grayOf(join(FIXTURES, 'ocr/tesseract-test/phototest.tif'));
  const r = await recognizeUpright(await rotate(upright, 180), { langs, signal: new AbortController().signal });
  assert.equal(r.rotation, 180);
  const cer = characterErrorRate(r.result.text, readFileSync(join(FIXTURES, 'ocr/tesseract-test/phototest.gt.txt'), 'utf8'));
  assert.ok(cer < 0.05, `CER ${cer}`);
});
