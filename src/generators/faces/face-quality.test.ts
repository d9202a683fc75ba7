import assert from 'node:assert/strict';
import { test } from 'node:test';
import { faceQuality, laplacianVariance, QUALITY_FLOOR } from './face-quality.js';

test('a flat patch has no detail; a checkerboard has much', () => {
  const flat = new Uint8Array(64 * 64).fill(128);
  assert.equal(laplacianVariance(flat, 64, 64), 0);
  const board = new Uint8Array(64 * 64).map((_, i) => (((i % 64) + Math.floor(i / 64)) % 2 ? 255 : 0));
  assert.ok(laplacianVariance(board, 64, 64) > 100_000);
});

test('each floor names itself', () => {
  assert.deepEqual(faceQuality({ score: 0.99, edgePx: 120, sharpness: 500 }), { ok: true });
  assert.match(faceQuality({ score: 0.55, edgePx: 120, sharpness: 500 }).reason!, /doubtful/);
  assert.match(faceQuality({ score: 0.99, edgePx: QUALITY_FLOOR.minEdgePx - 1, sharpness: 500 }).reason!, /small/);
  assert.match(faceQuality({ score: 0.99, edgePx: 120, sharpness: 1 }).reason!, /blurred/);
});
