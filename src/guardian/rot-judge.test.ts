import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { judge, type IndexedFile } from './rot-judge.js';

const facts = { size: 10, mtimeMs: 1000.25, inode: 7 };
const whole: IndexedFile = { size: 10, mtimeMs: 1000.25, inode: 7, casId: 'aa', casWhole: true, blake3: null };
const sampled: IndexedFile = { ...whole, casId: 'sampled', casWhole: false };

describe('rot judged from one whole read', () => {
  it('a content hashed whole: the same bytes are verified, other bytes with size, time and inode kept are rot', () => {
    assert.deepEqual(judge(whole, { before: facts, after: facts, blake3: 'aa' }), { is: 'verified' });
    assert.deepEqual(judge(whole, { before: facts, after: facts, blake3: 'bb' }), { is: 'rot', expected: 'aa', found: 'bb' });
  });

  it('a time set back within a millisecond is the same time (utimes keeps the millisecond, not the nanoseconds)', () => {
    assert.deepEqual(judge(whole, { before: { ...facts, mtimeMs: 999.9 }, after: { ...facts, mtimeMs: 999.9 }, blake3: 'bb' }).is, 'rot');
    assert.deepEqual(judge(whole, { before: { ...facts, mtimeMs: 1001.5 }, after: { ...facts, mtimeMs: 1001.5 }, blake3: 'bb' }).is, 'edited');
  });

  it('a changed size, time or inode, before or after the read, is an edit, never rot', () => {
    for (const changed of [{ ...facts, size: 11 }, { ...facts, mtimeMs: 2000 }, { ...facts, inode: 8 }]) {
      assert.deepEqual(judge(whole, { before: changed, after: changed, blake3: 'bb' }), { is: 'edited' });
      assert.deepEqual(judge(whole, { before: facts, after: changed, blake3: 'bb' }), { is: 'edited' });
    }
    assert.deepEqual(judge(whole, { before: facts, after: facts, blake3: null }), { is: 'edited' }, 'not read whole (its size changed as it was read)');
  });

  it('a file gone before or during the read is gone, not rot', () => {
    assert.deepEqual(judge(whole, { before: null, after: null, blake3: null }), { is: 'gone' });
    assert.deepEqual(judge(whole, { before: facts, after: null, blake3: 'bb' }), { is: 'gone' });
  });

  it('a sampled content: its whole BLAKE3 learnt when its samples still match, rot when they do not, compared once learnt', () => {
    assert.deepEqual(judge(sampled, { before: facts, after: facts, blake3: 'w1', sampledId: 'sampled' }), { is: 'learnt', blake3: 'w1' });
    assert.deepEqual(judge(sampled, { before: facts, after: facts, blake3: 'w1', sampledId: 'other' }), { is: 'rot', expected: 'sampled', found: 'other' });
    assert.deepEqual(judge({ ...sampled, blake3: 'w1' }, { before: facts, after: facts, blake3: 'w1' }), { is: 'verified' });
    assert.deepEqual(judge({ ...sampled, blake3: 'w1' }, { before: facts, after: facts, blake3: 'w2' }), { is: 'rot', expected: 'w1', found: 'w2' });
    assert.deepEqual(judge(sampled, { before: facts, after: facts, blake3: 'w1', sampledId: null }), { is: 'edited' }, 'its samples changed as they were read');
  });

  it('an index row without an inode judges by size and time', () => {
    assert.deepEqual(judge({ ...whole, inode: null }, { before: { ...facts, inode: 99 }, after: { ...facts, inode: 99 }, blake3: 'aa' }), { is: 'verified' });
  });
});
