import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findLanguageData, findLanguages } from './languages.js';

test('English data is found in the installed package, LSTM model first', () => {
  const eng = findLanguageData('eng');
  assert.ok(typeof eng !== 'string', String(eng));
  assert.equal(eng.model, '4.0.0_best_int');
  assert.ok(existsSync(join(eng.dir, 'eng.traineddata.gz')));
});

test('a missing language or a bad code is a reason naming it', () => {
  assert.match(String(findLanguageData('xqz')), /no OCR data for language "xqz".*@tesseract\.js-data\/xqz/);
  assert.match(String(findLanguageData('../eng')), /not a tesseract language code/);
  assert.match(String(findLanguages(['eng', 'xqz'])), /"xqz"/);
  assert.match(String(findLanguages([])), /no OCR language/);
});
