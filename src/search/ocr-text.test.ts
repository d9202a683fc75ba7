import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MIN_OCR_LINE_CHARS, MIN_OCR_LINE_CONFIDENCE, isSearchedLine, searchedLines, searchedText } from './ocr-text.js';

const ocrPage = (blocks: Array<{ text: string; confidence?: number }>) => ({ source: 'ocr', text: blocks.map((b) => b.text).join('\n'), blocks });

describe('which OCR text search indexes', () => {
  it('an OCR line from the threshold up, with enough letters or digits', () => {
    const page = ocrPage([
      { text: 'under', confidence: MIN_OCR_LINE_CONFIDENCE - 0.001 },
      { text: 'at', confidence: MIN_OCR_LINE_CONFIDENCE },
      { text: '| 2 |', confidence: 0.99 },
      { text: 'é1', confidence: 0.99 },
      { text: 'nan', confidence: Number.NaN },
    ]);
    assert.deepEqual(searchedLines(page), ['at', 'é1']);
    assert.equal(searchedText(page), 'at\né1');
    // train.jpg's lines: `ro` too unsure, `2` one digit; `ANE:` (0.55) passes the measured threshold.
    assert.equal(searchedText(ocrPage([{ text: 'ro', confidence: 0.25 }, { text: '2', confidence: 0.86 }, { text: 'ANE:', confidence: 0.55 }])), 'ANE:');
  });

  it('a line of exactly the letters-or-digits minimum is kept, one fewer is not (punctuation and spaces do not count)', () => {
    const line = (n: number) => `| ${'a1é'.repeat(n).slice(0, n).split('').join(' ')} .`;
    const confident = 0.99;
    assert.equal(isSearchedLine({ source: 'ocr' }, { text: line(MIN_OCR_LINE_CHARS), confidence: confident }), true, line(MIN_OCR_LINE_CHARS));
    assert.equal(isSearchedLine({ source: 'ocr' }, { text: line(MIN_OCR_LINE_CHARS - 1), confidence: confident }), false, line(MIN_OCR_LINE_CHARS - 1));
    assert.equal(isSearchedLine({ source: 'ocr' }, { text: '| - . : |', confidence: confident }), false);
  });

  it('a text layer whole; a line without a confidence, or a page without lines, as it is', () => {
    assert.deepEqual(searchedLines({ source: 'text-layer', text: 'A\nB', blocks: [{ text: 'A', confidence: 0 }] }), ['A\nB']);
    assert.equal(isSearchedLine({ source: 'text-layer' }, { text: 'x', confidence: 0 }), true);
    assert.deepEqual(searchedLines(ocrPage([{ text: 'no confidence' }])), ['no confidence']);
    assert.deepEqual(searchedLines({ source: 'ocr', text: 'older shape' }), ['older shape']);
    assert.deepEqual(searchedLines({ source: 'ocr', text: '  ' }), []);
    assert.equal(isSearchedLine({ source: 'ocr' }, null), false);
    assert.equal(isSearchedLine({ source: 'ocr' }, { text: 5, confidence: 1 }), false);
  });
});
