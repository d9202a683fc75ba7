import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seeded } from '../../test/support/synthetic-faces.js';
import { onPrincipalAxes } from './principal-axes.js';

test('turning onto the principal axes keeps every distance and puts the widest axis first', () => {
  const dims = 16;
  const r = seeded(2);
  const n = 400;
  const v = new Float32Array(n * dims);
  // Wide along a slanted direction, narrow elsewhere.
  for (let i = 0; i < n; i++) {
    const t = r.normal() * 3;
    for (let d = 0; d < dims; d++) v[i * dims + d] = (d < 2 ? t / Math.SQRT2 : 0) + r.normal() * 0.1;
  }
  const rows = Array.from({ length: n }, (_, i) => i);
  const w = onPrincipalAxes(v, dims, rows);
  const dist = (x: Float32Array, i: number, j: number) => Math.hypot(...Array.from({ length: dims }, (_, d) => x[i * dims + d]! - x[j * dims + d]!));
  for (const [i, j] of [[0, 1], [5, 300], [17, 399]] as const) assert.ok(Math.abs(dist(v, i, j) - dist(w, i, j)) < 1e-4);
  let first = 0;
  let rest = 0;
  for (let i = 0; i < n; i++) {
    first += w[i * dims]! ** 2;
    for (let d = 1; d < dims; d++) rest = Math.max(rest, w[i * dims + d]! ** 2);
  }
  assert.ok(first / n > 5, 'most of the variance is on the first axis');
});
