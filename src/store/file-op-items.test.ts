import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../db/connection.js';
import { migrate } from '../db/migrations.js';
import { FileOpItemStore, type NewFileOpItem } from './file-op-items.js';

function store(): FileOpItemStore {
  const db = openDatabase(':memory:');
  migrate(db, ':memory:');
  return new FileOpItemStore(db);
}

const file = (i: number): NewFileOpItem => ({ kind: 'file', src: `/a/f${i}`, dst: `/b/f${i}`, size: i, ...(i % 3 === 0 ? { meta: `{"link":${i - 1}}` } : {}) });

describe('file_op_items', () => {
  it('adds a plan of any length in order, each item as given', () => {
    const s = store();
    // 64 + 16 + 4 + 1 + 1 rows: every chunk size of the multi-row INSERTs.
    const items = Array.from({ length: 86 }, (_, i) => file(i));
    s.addMany(7, items);
    s.addMany(8, [file(0)]);
    const rows = s.of(7);
    assert.equal(rows.length, 86);
    rows.forEach((r, i) => {
      assert.deepEqual(r, { job_id: 7, idx: i, kind: 'file', src: `/a/f${i}`, dst: `/b/f${i}`, size: i, state: 'todo', final: null, blake3: null, meta: i % 3 === 0 ? `{"link":${i - 1}}` : null, note: null });
    });
    assert.equal(s.of(8).length, 1);
  });

  it('finishes a batch in one step, only the items named, only in their job', () => {
    const s = store();
    s.addMany(1, Array.from({ length: 5 }, (_, i) => file(i)));
    s.addMany(2, Array.from({ length: 5 }, (_, i) => file(i)));
    s.finishMany(1, [
      { idx: 0, state: 'done', final: '/b/f0', blake3: 'ab'.repeat(32), note: null },
      { idx: 3, state: 'skipped', final: null, blake3: null, note: 'its name is taken' },
      { idx: 4, state: 'done', final: "/b/it's \"quoted\" é", blake3: 'cd'.repeat(32), note: 'xattrs not kept: user.x' },
    ]);
    s.finishMany(1, []);
    const got = s.of(1).map((r) => [r.idx, r.state, r.final, r.blake3, r.note]);
    assert.deepEqual(got, [
      [0, 'done', '/b/f0', 'ab'.repeat(32), null],
      [1, 'todo', null, null, null],
      [2, 'todo', null, null, null],
      [3, 'skipped', null, null, 'its name is taken'],
      [4, 'done', "/b/it's \"quoted\" é", 'cd'.repeat(32), 'xattrs not kept: user.x'],
    ]);
    assert.ok(s.of(2).every((r) => r.state === 'todo'), 'the other job is untouched');
  });
});

describe('file_op_items, a batch the size of a copy', () => {
  it('finishes 2048 items of a 10k plan through the primary key (not a scan per item)', () => {
    const s = store();
    s.addMany(1, Array.from({ length: 10_000 }, (_, i) => file(i)));
    const t = performance.now();
    s.finishMany(1, Array.from({ length: 2048 }, (_, i) => ({ idx: i * 4, state: 'done' as const, final: `/b/f${i * 4}`, blake3: null, note: null })));
    assert.ok(performance.now() - t < 5_000, 'quadratic: the list was scanned for each item');
    const done = s.of(1).filter((r) => r.state === 'done');
    assert.equal(done.length, 2048);
    assert.ok(done.every((r) => r.idx % 4 === 0 && r.final === `/b/f${r.idx}`));
  });
});
