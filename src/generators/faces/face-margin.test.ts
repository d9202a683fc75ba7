import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { RawFace } from './face-protocol.js';
import { fromMargin, mergeLooks, overlapOfSmaller, withMargin } from './face-margin.js';

const face = (x: number, y: number, w: number, h: number, score = 0.9): RawFace => ({ box: { x, y, w, h }, score, landmarks: [x, y, x + w, y + h], descriptor: new Float32Array(128) });
const arbFace = fc.record({ x: fc.integer({ min: 0, max: 900 }), y: fc.integer({ min: 0, max: 900 }), w: fc.integer({ min: 1, max: 300 }), h: fc.integer({ min: 1, max: 300 }), s: fc.double({ min: 0.5, max: 1, noNaN: true }) }).map((f) => face(f.x, f.y, f.w, f.h, f.s));

test('the second look never changes or drops a face of the first, and adds no second face to a head', () => {
  fc.assert(fc.property(fc.array(arbFace, { maxLength: 6 }), fc.array(arbFace, { maxLength: 6 }), (first, second) => {
    const merged = mergeLooks(first, second);
    assert.deepEqual(merged.slice(0, first.length), first);
    const added = merged.slice(first.length);
    for (const [i, a] of added.entries()) {
      assert.ok(second.includes(a));
      for (const k of [...first, ...added.slice(0, i)]) assert.ok(overlapOfSmaller(k.box, a.box) < 0.5);
    }
  }));
});

test('a face found in the border is put back in the picture\'s pixels, clipped to it', async () => {
  const pic = { data: new Uint8Array(400 * 200 * 3).fill(200), width: 400, height: 200 };
  const { pic: bordered, frame } = await withMargin(pic, 1920);
  assert.deepEqual([bordered.width, bordered.height, frame.scale, frame.pad], [800, 600, 1, 200]);
  assert.equal(bordered.data[0], 128, 'the border is mid-grey');
  // A box reaching 20 px past the picture's left and top edges.
  const back = fromMargin(face(180, 180, 100, 100), frame, 400, 200);
  assert.deepEqual(back.box, { x: 0, y: 0, w: 80, h: 80 });
  assert.deepEqual(back.landmarks, [-20, -20, 80, 80]);
  // Scaled down when the bordered picture would pass the longest edge allowed.
  const big = await withMargin({ data: new Uint8Array(1000 * 500 * 3), width: 1000, height: 500 }, 1000);
  assert.deepEqual(big.frame, { scale: 0.5, pad: 250 });
  assert.deepEqual(fromMargin(face(250, 250, 50, 50), big.frame, 1000, 500).box, { x: 0, y: 0, w: 100, h: 100 });
});
