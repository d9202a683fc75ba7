import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assembleGrid, FRAMES, frameTimes, GRID, methodFor, ONE_RUN_MAX_SECONDS, tileSize } from './strip-plan.js';

test('a tile fits in 160 × 160 keeping the aspect, never enlarged', () => {
  assert.deepEqual(tileSize({ width: 1920, height: 1080 }), { width: 160, height: 90 });
  assert.deepEqual(tileSize({ width: 1080, height: 1920 }), { width: 90, height: 160 });
  assert.deepEqual(tileSize({ width: 640, height: 416 }), { width: 160, height: 104 });
  assert.deepEqual(tileSize({ width: 120, height: 90 }), { width: 120, height: 90 });
  // A sliver of a video still has two rows of pixels.
  assert.deepEqual(tileSize({ width: 4000, height: 10 }), { width: 160, height: 2 });
  assert.equal(GRID * 160, 800);
});

test('tile k is taken at k/25 of the duration; long videos are seeked', () => {
  const t = frameTimes(50);
  assert.equal(t.length, FRAMES);
  assert.equal(t[0], 0);
  assert.equal(t[1], 2);
  assert.equal(t[24], 48);
  assert.equal(methodFor(20), 'one-run');
  assert.equal(methodFor(ONE_RUN_MAX_SECONDS), 'one-run');
  assert.equal(methodFor(ONE_RUN_MAX_SECONDS + 1), 'seeks');
});

test('tiles go row by row; missing last frames repeat the last one there is', () => {
  const tile = { width: 2, height: 1 };
  const frames = Array.from({ length: 23 }, (_, k) => Buffer.alloc(6, k + 1));
  const g = assembleGrid(frames, tile);
  assert.deepEqual([g.width, g.height], [10, 5]);
  const at = (col: number, row: number) => g.rgb[(row * g.width + col * tile.width) * 3];
  assert.equal(at(0, 0), 1);
  assert.equal(at(4, 0), 5);
  assert.equal(at(0, 1), 6);
  assert.equal(at(2, 4), 23);
  assert.equal(at(3, 4), 23);
  assert.equal(at(4, 4), 23);
});
