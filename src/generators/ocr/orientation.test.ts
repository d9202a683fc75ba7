import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { FIXTURES, FIXTURES_SKIP } from '../../../test/helpers.js';
import { closeOcrEngine, detectOrientation, osdDataDir, type GrayImage } from './engine.js';
import { findLanguages, type LanguageData } from './languages.js';
import { fitWithin, OSD_MAX_EDGE, OSD_MIN_CONFIDENCE, recognizeUpright, rotate, type Rotation } from './orientation.js';
import { characterErrorRate } from './text-metrics.js';

after(() => closeOcrEngine());

async function grayOf(path: string): Promise<GrayImage> {
  const { data, info } = await sharp(path).rotate().grayscale().extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  return { gray: data, width: info.width, height: info.height };
}
const langs = findLanguages(['eng']) as LanguageData[];
const signal = new AbortController().signal;
const upright = (turned: Rotation) => ((360 - turned) % 360) as Rotation;

test('rotate and fitWithin keep one byte per pixel', async () => {
  const img: GrayImage = { gray: Buffer.from([1, 2, 3, 4, 5, 6]), width: 3, height: 2 };
  const r = await rotate(img, 90);
  assert.deepEqual([r.width, r.height, [...r.gray]], [2, 3, [4, 1, 5, 2, 6, 3]]);
  assert.equal(await fitWithin(img, 10), img);
  const big: GrayImage = { gray: Buffer.alloc(4000 * 1000, 128), width: 4000, height: 1000 };
  const small = await fitWithin(big, OSD_MAX_EDGE);
  assert.deepEqual([small.width, small.height, small.gray.length], [2000, 500, 2000 * 500]);
});

test('the orientation data is installed and read from the npm package, offline', () => {
  const dir = osdDataDir();
  assert.ok(dir && dir.includes('@tesseract.js-data/osd'), String(dir));
});

test('tesseract\'s OSD tells which way up a page is, confidently, at every quarter turn', { skip: FIXTURES_SKIP }, async () => {
  const page = await grayOf(join(FIXTURES, 'ocr/tesseract-test/phototest.tif'));
  for (const turned of [0, 90, 180, 270] as Rotation[]) {
    const g = await detectOrientation(await rotate(page, turned), signal);
    assert.equal(g?.rotation, upright(turned), `turned ${turned}°: ${JSON.stringify(g)}`);
    assert.ok(g.confidence >= OSD_MIN_CONFIDENCE, `turned ${turned}°: confidence ${g.confidence}`);
  }
  // A single word is too little for OSD: it says so rather than guess.
  assert.equal(await detectOrientation(await grayOf(join(FIXTURES, 'ocr/tesseract.js/simple.png')), signal), undefined);
});

test('pages turned every way are read upright (eurotext fooled the old ink-profile heuristic)', { skip: FIXTURES_SKIP }, async () => {
  const page = await grayOf(join(FIXTURES, 'ocr/tesseract-test/eurotext.tif'));
  const truth = readFileSync(join(FIXTURES, 'ocr/tesseract-test/eurotext.gt.txt'), 'utf8');
  for (const turned of [90, 180, 270] as Rotation[]) {
    const r = await recognizeUpright(await rotate(page, turned), { langs, signal });
    assert.equal(r.rotation, upright(turned), `turned ${turned}°`);
    const cer = characterErrorRate(r.result.text, truth);
    assert.ok(cer < 0.05, `turned ${turned}°: CER ${cer}`);
  }
});

test('a photo without text is read as it is, not turned on a weak guess', { skip: FIXTURES_SKIP }, async () => {
  const photo = await grayOf(join(FIXTURES, 'livephoto/apple-iphone6s/train.jpg'));
  // At full size OSD even proposes a turn, weakly; the copy it looks at and the threshold keep the photo as it is.
  const r = await recognizeUpright(photo, { langs, signal });
  assert.equal(r.rotation, 0);
  assert.deepEqual([r.width, r.height], [photo.width, photo.height]);
});
