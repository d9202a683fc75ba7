import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SeenSet } from './seen-set.js';

describe('SeenSet', () => {
  it('grows and remembers ids', () => {
    const s = new SeenSet();
    for (const id of [1, 31, 32, 5000, 1_000_003]) s.add(id);
    for (const id of [1, 31, 32, 5000, 1_000_003]) assert.equal(s.has(id), true);
    for (const id of [0, 2, 33, 4999, 1_000_002, 9_999_999]) assert.equal(s.has(id), false);
  });
});
