import { test } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveParents, withDescendants, wouldLoop } from './tag-tree.js';

const T = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const edge = (uuid: string, parent: string | null, hlc: string, deleted: 0 | 1 = 0) => ({ uuid, parent_uuid: parent, parent_hlc: hlc, deleted });

test('a loop made by two devices at once is cut at its newest move, whatever the order of the rows', () => {
  const rows = [edge(T(1), T(2), '2'), edge(T(2), T(1), '3'), edge(T(3), T(1), '1')];
  for (const order of [rows, [...rows].reverse(), [rows[1]!, rows[2]!, rows[0]!]]) {
    const p = effectiveParents(order);
    assert.deepEqual([p.get(T(1)), p.get(T(2)), p.get(T(3))], [T(2), null, T(1)]);
  }
});

test('a tag under a deleted or unknown tag is shown at the top; descendants and loop checks follow the tree', () => {
  const p = effectiveParents([edge(T(1), null, ''), edge(T(2), T(1), '1'), edge(T(3), T(2), '1'), edge(T(4), T(5), '1'), edge(T(5), null, '', 1), edge(T(6), T(9), '1')]);
  assert.equal(p.get(T(4)), null);
  assert.equal(p.get(T(6)), null);
  assert.deepEqual([...withDescendants(T(1), p)].sort(), [T(1), T(2), T(3)]);
  assert.ok(wouldLoop(T(1), T(3), p));
  assert.ok(!wouldLoop(T(3), T(1), p));
  assert.ok(wouldLoop(T(1), T(1), p));
});
