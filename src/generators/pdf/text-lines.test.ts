import { test } from 'node:test';
import assert from 'node:assert/strict';
import { joinSpacingAccents, textItemsToLines, type PdfTextItem } from './text-lines.js';

test('spacing accents from old TeX fonts join the letter after them', () => {
  assert.equal(joinSpacingAccents('Grudzi\u00B4nski'), 'Grudziński');
  assert.equal(joinSpacingAccents('\u02D9z \u02DBa \u02DBe'), 'ż ą ę');
  // No composed letter exists: left alone. An accent before a space: left alone.
  assert.equal(joinSpacingAccents('\u02DBq'), '\u02DBq');
  assert.equal(joinSpacingAccents('a \u00B4 b'), 'a \u00B4 b');
});

const identity = (x: number, y: number): [number, number] => [x, 800 - y];
const item = (str: string, x: number, y: number, width: number, hasEOL = false): PdfTextItem => ({ str, transform: [10, 0, 0, 10, x, y], width, hasEOL, fontName: 'f' });

test('items become lines at end-of-line marks and at baseline jumps', () => {
  const lines = textItemsToLines([
    item('Hello', 10, 700, 25), item(' ', 35, 700, 3), item('world', 38, 700, 25, true),
    item('next', 10, 680, 20), // no EOL mark, but 20 units lower: a new line
    item('line', 10, 660, 20),
  ], { f: { ascent: 0.8, descent: -0.2 } }, identity);
  assert.deepEqual(lines.map((l) => l.text), ['Hello world', 'next', 'line']);
  // Box: x from 10 to 63, y (top-down) from 800-708 to 800-698.
  assert.deepEqual(lines[0]!.bbox, [10, 92, 63, 102]);
  assert.equal(lines[0]!.confidence, 1);
});

test('empty and whitespace-only items make no line', () => {
  assert.deepEqual(textItemsToLines([item('', 0, 0, 0, true), item('   ', 0, 0, 5, true)], {}, identity), []);
});
