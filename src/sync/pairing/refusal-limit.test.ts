import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RefusalLimit } from './refusal-limit.js';

test('a peer has its refusals of a window, then is turned away until they age out', () => {
  let now = 0;
  const limit = new RefusalLimit({ perWindow: 3, windowMs: 1000, now: () => now });
  for (let i = 0; i < 3; i++) {
    assert.equal(limit.allows('p'), true);
    limit.note('p');
  }
  assert.equal(limit.allows('p'), false);
  assert.equal(limit.allows('q'), true, 'another peer is not held up');
  now = 1001;
  assert.equal(limit.allows('p'), true);
});

test('memory is bounded: at most maxPeers peers, the one refused longest ago forgotten first', () => {
  const limit = new RefusalLimit({ perWindow: 2, windowMs: 60_000, maxPeers: 100 });
  for (let i = 0; i < 10_000; i++) limit.note(`peer-${i}`);
  assert.equal(limit.size, 100);
  limit.note('peer-9999');
  assert.equal(limit.allows('peer-9999'), false);
  assert.equal(limit.allows('peer-0'), true);
});
