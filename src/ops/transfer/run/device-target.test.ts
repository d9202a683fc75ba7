import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FileOpItemRecord } from '../../../store/file-op-items.js';
import { segmentsOf, type DeviceBatch as Batch } from './device-target.js';

/** Items 0..N-1 of one folder, as a job's rows. */
function batchOf(n: number): Batch {
  const items = Array.from({ length: n }, (_, idx) => ({ idx, kind: 'file', src: `/src/f${idx}`, dst: `f${idx}`, size: 1, state: 'todo', final: null, blake3: null, note: null, meta: null }) as unknown as FileOpItemRecord);
  return { dir: '', items };
}

/**
 * The offers a batch makes (to-device-run.ts): cut at each item left out and at each item a run
 * could not offer again; every other item in exactly one offer, in plan order, so an offer's first
 * item (which names its transfer) is the same on every run with the same cuts.
 */
describe('the offers of a batch to a device', () => {
  it('hold every item not left out or cut, once, in order, split exactly at those', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom('todo', 'done', 'skipped', 'cut'), { minLength: 1, maxLength: 40 }), (marks) => {
      const batch = batchOf(marks.length);
      const state = new Map(marks.map((m, i) => [i, m === 'cut' ? 'done' : m] as [number, FileOpItemRecord['state']]));
      const cuts = new Set(marks.flatMap((m, i) => (m === 'cut' ? [i] : [])));
      const segs = segmentsOf(batch, state, cuts);
      const kept = marks.flatMap((m, i) => (m === 'skipped' || m === 'cut' ? [] : [i]));
      assert.deepEqual(segs.flatMap((s) => s.items.map((it) => it.idx)), kept);
      for (const s of segs) {
        assert.ok(s.items.length > 0);
        for (let k = 1; k < s.items.length; k++) assert.equal(s.items[k]!.idx, s.items[k - 1]!.idx + 1, 'an offer is a run of consecutive items');
      }
      // Two offers are apart only where an item between them is left out or cut.
      for (let k = 1; k < segs.length; k++) {
        const gap = marks.slice(segs[k - 1]!.items.at(-1)!.idx + 1, segs[k]!.items[0]!.idx);
        assert.ok(gap.length > 0 && gap.every((m) => m === 'skipped' || m === 'cut'));
      }
    }), { numRuns: 500 });
  });

  it('nothing left out or cut: the batch whole, one offer', () => {
    const batch = batchOf(5);
    const state = new Map(batch.items.map((it) => [it.idx, it.idx < 2 ? 'done' : 'todo'] as [number, FileOpItemRecord['state']]));
    assert.deepEqual(segmentsOf(batch, state).map((s) => s.items.map((it) => it.idx)), [[0, 1, 2, 3, 4]]);
  });
});
