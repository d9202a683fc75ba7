import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { importWebModule } from './web-module.js';

interface HighlightModule { markRanges(text: string, terms: readonly string[], max?: number): Array<[number, number]>; MAX_MARKS: number }
interface TermsModule { queryTerms(q: string): string[] }

const h = await importWebModule<HighlightModule>('highlight.ts');
const { queryTerms } = await importWebModule<TermsModule>('query-terms.ts');
/** The marked parts of TEXT for query Q. */
const marks = (text: string, q: string) => h.markRanges(text, queryTerms(q)).map(([s, e]) => text.slice(s, e));

describe('marking the query’s words in a text (web/src/highlight.ts)', () => {
  it('marks every occurrence, whatever the case, merged where they touch or overlap', () => {
    assert.deepEqual(marks('The lazy dog, LAZY again', 'lazy'), ['lazy', 'LAZY']);
    assert.deepEqual(marks('aaaa b', 'aa'), ['aaaa']);
    assert.deepEqual(marks('foxdog fox', 'fox dog'), ['foxdog', 'fox']);
    assert.deepEqual(marks('nothing here', 'zebra'), []);
    assert.deepEqual(h.markRanges('text', []), []);
  });

  it('folds accents both ways, and keeps an accent that is its own character with its letter', () => {
    const nfc = 'Un café à Orléans';
    assert.deepEqual(marks(nfc, 'cafe'), ['café']);
    assert.deepEqual(marks(nfc, 'CAFÉ orleans'), ['café', 'Orléans']);
    const nfd = nfc.normalize('NFD');
    assert.notEqual(nfd.length, nfc.length);
    assert.deepEqual(marks(nfd, 'café'), ['cafe\u0301'], 'the combining accent is marked with its e');
    assert.deepEqual(marks(nfd, 'a'), ['a', 'a\u0300', 'a'], 'one letter, accented or not');
    // Ranges are in the text's own code units, around characters outside the BMP too.
    assert.deepEqual(marks('😀 fox 😀fox', 'fox'), ['fox', 'fox']);
  });

  // Bounded by the test's timeout, not timed: quadratic marking (every occurrence against every
  // character, as before) would take hours on this page; linear takes a fraction of a second.
  it('is linear in the text: a one-letter word on a long page finishes, with at most MAX_MARKS marks', { timeout: 30_000 }, () => {
    const sentence = 'the quick brown fox jumps over the lazy dog. ';
    const page = sentence.repeat(20_000); // 900k characters
    const ranges = h.markRanges(page, ['o']);
    assert.equal(ranges.length, h.MAX_MARKS);
    assert.deepEqual(ranges.slice(0, 2), [[12, 13], [17, 18]]);
    // Without the bound every occurrence is marked, still in one pass.
    const perSentence = sentence.split('o').length - 1;
    assert.equal(h.markRanges(page, ['o'], Infinity).length, perSentence * 20_000);
    const folded = 'É'.repeat(300_000);
    assert.deepEqual(h.markRanges(folded, ['e']), [[0, h.MAX_MARKS]], 'the first MAX_MARKS occurrences, one mark where they touch');
  });
});
