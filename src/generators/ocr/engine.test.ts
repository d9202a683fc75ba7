import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import sharp from 'sharp';
import { FIXTURES, FIXTURES_SKIP } from '../../../test/helpers.js';
import { GeneratorError } from '../types.js';
import { closeOcrEngine, recognize, type GrayImage } from './engine.js';
import { findLanguages, type LanguageData } from './languages.js';

after(() => closeOcrEngine());

async function grayOf(path: string): Promise<GrayImage> {
  const { data, info } = await sharp(path).grayscale().extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  return { gray: data, width: info.width, height: info.height };
}
const langs = findLanguages(['eng']) as LanguageData[];

test('jobs of the process take turns on one engine; an abort while waiting leaves the queue', { skip: FIXTURES_SKIP }, async () => {
  const img = await grayOf(join(FIXTURES, 'ocr/tesseract.js/simple.png'));
  const signal = new AbortController().signal;
  const waiting = new AbortController();
  const a = recognize(img, { langs, signal });
  const b = recognize(img, { langs, signal: waiting.signal });
  const c = recognize(img, { langs, signal });
  waiting.abort('no longer wanted');
  await assert.rejects(b, (err: unknown) => err instanceof GeneratorError && /no longer wanted/.test(err.message));
  const [ra, rc] = await Promise.all([a, c]);
  assert.equal(ra.text, 'Tesseract.js');
  assert.equal(rc.text, 'Tesseract.js');
  assert.equal(ra.blocks.length, 1);
  assert.ok(ra.confidence > 0.8);
});

test('an abort during a read kills the engine; the next read starts a new one', { skip: FIXTURES_SKIP }, async () => {
  const big = await grayOf(join(FIXTURES, 'ocr/tesseract-test/eurotext.tif'));
  const ac = new AbortController();
  const running = recognize(big, { langs, signal: ac.signal });
  setTimeout(() => ac.abort('stop now'), 100);
  const t0 = Date.now();
  await assert.rejects(running, (err: unknown) => err instanceof GeneratorError && err.permanent && /stop now/.test(err.message));
  assert.ok(Date.now() - t0 < 1_000);
  const small = await grayOf(join(FIXTURES, 'ocr/tesseract.js/simple.png'));
  assert.equal((await recognize(small, { langs, signal: new AbortController().signal })).text, 'Tesseract.js');
  await closeOcrEngine();
  assert.equal((await recognize(small, { langs, signal: new AbortController().signal })).text, 'Tesseract.js');
});
