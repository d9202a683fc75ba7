import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPairingCode, parsePairingCode } from './code.js';

test('a new code is 12 words whose entropy and keys come back when parsed', () => {
  const code = newPairingCode();
  assert.equal(code.words.length, 12);
  assert.equal(code.entropy.length, 16);
  assert.equal(code.sessionId.length, 16);
  assert.equal(code.authKey.length, 32);
  assert.notDeepEqual(Buffer.from(code.sessionId), Buffer.from(code.authKey.subarray(0, 16)));
  const parsed = parsePairingCode(`  ${code.words.join('  ').toUpperCase()} `);
  assert.deepEqual(parsed.entropy, code.entropy);
  assert.deepEqual(parsed.sessionId, code.sessionId);
  assert.deepEqual(parsed.authKey, code.authKey);
  assert.deepEqual(parsePairingCode(code.words).words, code.words);
  assert.notDeepEqual(newPairingCode().words, code.words);
});

test('a bad code is refused with the reason', () => {
  const { words } = newPairingCode();
  assert.throws(() => parsePairingCode(words.slice(0, 11)), /has 12 words; got 11/);
  assert.throws(() => parsePairingCode([...words.slice(0, 4), 'zebrax', ...words.slice(5)]), /"zebrax" \(word 5\)/);
  // Swapping two different words keeps every word valid but (almost always) breaks the checksum.
  let swapped = [...words];
  for (let i = 1; i < 12; i++) {
    if (words[i] !== words[0]) {
      swapped = [...words];
      [swapped[0], swapped[i]] = [swapped[i]!, swapped[0]!];
      try {
        parsePairingCode(swapped);
      } catch (err) {
        assert.match((err as Error).message, /checksum/);
        return;
      }
    }
  }
  assert.fail('no swap broke the checksum');
});
