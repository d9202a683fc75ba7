import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SeenSet } from './seen-set.js';

describe('SeenSet', () => {
  it('grows and remembers ids', () => {
    const s = new SeenSet();
    for (const id of [1, 31, 32, 5000, 1_000_003]) s.add(id);
    for (const id of [1, 31, 32, 5000, 1_000_003]) assert.equal(s.has(id, null), true);
    for (const id of [0, 2, 33, 4999, 1_000_002, 9_999_999]) assert.equal(s.has(id, null), false);
    assert.equal(s.size, 5);
  });

  it('confirms a whole folder\'s rows without their ids, counted once', () => {
    const s = new SeenSet();
    s.add(7);
    s.addFolder(7, 40);
    s.addFolder(7, 40);
    assert.equal(s.size, 41);
    assert.equal(s.has(123, 7), true, 'a row of the confirmed folder');
    assert.equal(s.has(123, 8), false, 'a row of another folder');
    assert.equal(s.has(123, null), false);
  });
});
