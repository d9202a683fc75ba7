import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunkText, type CountTokens } from './chunk-text.js';

/** One piece per word, plus one per trailing punctuation mark, like WordPiece on plain words. */
const pieces: CountTokens = (w) => (w.match(/[a-z0-9]+/gi)?.length ?? 0) + (w.match(/[^a-z0-9]/gi)?.length ?? 0);
const tokensOf = (chunk: string) => chunk.split(' ').reduce((s, w) => s + pieces(w), 0);

/** Capitalized, as the sentence segmenter (ICU) wants: "word. word" is not a sentence break. */
function sentence(i: number, words: number): string {
  return Array.from({ length: words }, (_, k) => (k === 0 ? `S${i}` : `w${i}x${k}`)).join(' ') + '.';
}

test('a short text is one chunk, its whitespace collapsed', () => {
  const r = chunkText('  Hello   world.\n\nSecond\tline here.  ', pieces, { budget: 254, overlap: 32, maxChunks: 10 });
  assert.deepEqual(r, { chunks: ['Hello world. Second line here.'], truncated: false });
});

test('an empty or blank text has no chunks', () => {
  assert.deepEqual(chunkText(' \n\t ', pieces, { budget: 254, overlap: 32, maxChunks: 10 }), { chunks: [], truncated: false });
});

test('sentences are packed whole under the budget, with a tail of the previous chunk repeated', () => {
  // 60 sentences of 20 words (+ the full stop) = 21 pieces each.
  const text = Array.from({ length: 60 }, (_, i) => sentence(i, 20)).join(' ');
  const r = chunkText(text, pieces, { budget: 100, overlap: 10, maxChunks: 100 });
  assert.equal(r.truncated, false);
  assert.ok(r.chunks.length > 12, `${r.chunks.length} chunks`);
  for (const c of r.chunks) assert.ok(tokensOf(c) <= 100, `chunk of ${tokensOf(c)} pieces: ${c}`);
  for (let i = 1; i < r.chunks.length; i++) {
    const prev = r.chunks[i - 1]!.split(' ');
    const next = r.chunks[i]!.split(' ');
    // The next chunk starts with the last few words of the previous one (at most 10 pieces)...
    const shared = prev.slice(-next.findIndex((w) => !prev.includes(w))).join(' ');
    assert.ok(shared.length > 0 && r.chunks[i]!.startsWith(shared), `chunk ${i} does not repeat the end of chunk ${i - 1}`);
    assert.ok(tokensOf(shared) <= 10);
    // ...and then goes on with whole sentences: a new sentence starts right after the overlap.
    assert.match(r.chunks[i]!.slice(shared.length + 1), /^S\d+ /);
  }
  // Nothing lost, nothing reordered: without the overlaps the chunks are the text.
  const seen = new Set<string>();
  const words: string[] = [];
  for (const c of r.chunks) for (const w of c.split(' ')) if (!seen.has(w)) (seen.add(w), words.push(w));
  assert.equal(words.join(' '), text);
});

test('a sentence longer than the budget is cut between words', () => {
  const text = sentence(1, 500);
  const r = chunkText(text, pieces, { budget: 64, overlap: 8, maxChunks: 100 });
  assert.ok(r.chunks.length >= 8);
  for (const c of r.chunks) assert.ok(tokensOf(c) <= 64);
  assert.ok(r.chunks.at(-1)!.endsWith('w1x499.'));
});

test('a giant word (a base64 blob) is cut into pieces and never exceeds a chunk', () => {
  const blob = 'A'.repeat(10_000);
  const perChar: CountTokens = (w) => w.length; // worst case: one piece per character
  const r = chunkText(`before ${blob} after.`, perChar, { budget: 100, overlap: 0, maxChunks: 1000 });
  for (const c of r.chunks) assert.ok(c.replace(/ /g, '').length <= 100, `chunk of ${c.length} chars`);
  assert.equal(r.chunks.join('').replace(/ /g, ''), `before${blob}after.`);
});

test('the number of chunks is bounded and the cut is reported', () => {
  const text = Array.from({ length: 1000 }, (_, i) => sentence(i, 10)).join(' ');
  const r = chunkText(text, pieces, { budget: 50, overlap: 5, maxChunks: 7 });
  assert.equal(r.chunks.length, 7);
  assert.equal(r.truncated, true);
});

test('each distinct word is tokenized once', () => {
  let calls = 0;
  const counting: CountTokens = (w) => (calls++, pieces(w));
  chunkText('the cat and the dog and the bird. '.repeat(2000), counting, { budget: 254, overlap: 32, maxChunks: 512 });
  assert.ok(calls <= 6, `${calls} tokenizer calls`);
});

test('a long text is cut in linear time, every sentence kept in order', () => {
  // 60k sentences (~1.4 MB): the sentence segmenter is fed a window at a time. Linear is told by
  // the work, not a clock (a loaded machine's pauses made a timed bound flaky): what the segmenter
  // is handed — each call's string bounded (V8's Intl.Segmenter slows per sentence with the length
  // of its string), and in all about 5× as much for a text 5× as long (25× if it were quadratic).
  const text = (n: number) => Array.from({ length: n }, (_, i) => sentence(i, 3 + (i % 5)));
  const segment = Intl.Segmenter.prototype.segment;
  const fed = (sentences: string[]) => {
    const calls: number[] = [];
    Intl.Segmenter.prototype.segment = function (this: Intl.Segmenter, input: string) {
      calls.push(input.length);
      return segment.call(this, input);
    };
    try {
      const r = chunkText(sentences.join('\n'), pieces, { budget: 200, overlap: 0, maxChunks: 100_000 });
      assert.equal(r.chunks.join(' '), sentences.join(' '));
    } finally {
      Intl.Segmenter.prototype.segment = segment;
    }
    return { total: calls.reduce((a, b) => a + b, 0), longest: Math.max(...calls) };
  };
  const small = fed(text(12_000));
  const large = fed(text(60_000));
  assert.ok(large.longest <= 4096, `the segmenter was handed ${large.longest} characters at once`);
  assert.ok(large.total < small.total * 6, `a text 5× as long fed the segmenter ${(large.total / small.total).toFixed(1)}× as much`);
});

test('a sentence longer than the segmenter window loses no words', () => {
  const words = Array.from({ length: 8000 }, (_, i) => `w${i}`); // ~46 kB, no full stop
  const r = chunkText(words.join('\t'), pieces, { budget: 100, overlap: 0, maxChunks: 1000 });
  assert.equal(r.chunks.join(' '), words.join(' '));
});
