import { test } from 'node:test';
import assert from 'node:assert/strict';
import { characterErrorRate, levenshtein, normalizeText, wordRecall } from './text-metrics.js';

test('levenshtein counts insertions, deletions and substitutions', () => {
  assert.equal(levenshtein('kitten', 'sitting'), 3);
  assert.equal(levenshtein('', 'abc'), 3);
  assert.equal(levenshtein('abc', 'abc'), 0);
  assert.equal(levenshtein('flaw', 'lawn'), 2);
});

test('CER ignores whitespace layout but not characters', () => {
  assert.equal(normalizeText('  a\n\n b\tc '), 'a b c');
  assert.equal(characterErrorRate('hello\nworld', 'hello world'), 0);
  assert.equal(characterErrorRate('hellO world', 'hello world'), 1 / 11);
  // NFC: a decomposed ń equals the composed one.
  assert.equal(characterErrorRate('n\u0301', '\u0144'), 0);
});

test('word recall is the share of reference words found', () => {
  assert.equal(wordRecall('The quick brown fox', 'the QUICK red fox'), 0.75);
  assert.equal(wordRecall('a a', 'a a a a'), 0.5);
});
