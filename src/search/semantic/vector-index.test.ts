import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { VectorIndex, type IndexedChunk } from './vector-index.js';

/** Deterministic pseudo-random numbers, so a failure can be run again. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function unit(dims: number, random: () => number): Float32Array {
  const v = new Float32Array(dims).map(() => random() * 2 - 1);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

const chunks = (vectors: Float32Array[]): IndexedChunk[] => vectors.map((vector, i) => ({ vector, snippet: `c${i}`, locator: { chunk: i } }));

describe('VectorIndex', () => {
  it('answers as a brute-force pass does, through replacements, removals, compaction and growth', () => {
    const dims = 7;
    const random = lcg(42);
    const index = new VectorIndex(dims, 4);
    const truth = new Map<string, { kind: string; vectors: Float32Array[] }>();
    for (let step = 0; step < 3000; step++) {
      const uuid = `u${Math.floor(random() * 200)}`;
      if (random() < 0.25) {
        assert.equal(index.delete(uuid), truth.delete(uuid));
      } else {
        const vectors = Array.from({ length: 1 + Math.floor(random() * 5) }, () => unit(dims, random));
        const kind = random() < 0.5 ? 'text' : 'image';
        index.set(uuid, kind, chunks(vectors));
        truth.set(uuid, { kind, vectors });
      }
      if (step % 100 !== 0) continue;
      const q = unit(dims, random);
      const kind = step % 200 === 0 ? 'image' : undefined;
      const expected = [...truth.entries()]
        .filter(([, t]) => kind === undefined || t.kind === kind)
        .map(([u, t]) => {
          const scores = t.vectors.map((v) => v.reduce((s, x, d) => s + x * q[d]!, 0));
          const best = Math.max(...scores);
          return { u, best, chunk: scores.indexOf(best) };
        })
        .sort((a, b) => b.best - a.best)
        .slice(0, 10);
      const got = index.search(q, 10, kind);
      assert.deepEqual(got.map((h) => h.contentUuid), expected.map((e) => e.u), `step ${step}`);
      got.forEach((h, i) => {
        assert.ok(Math.abs(h.score - expected[i]!.best) < 1e-5);
        assert.deepEqual(h.locator, { chunk: expected[i]!.chunk });
        assert.equal(h.snippet, `c${expected[i]!.chunk}`);
      });
      assert.equal(index.contents, truth.size);
      assert.equal(index.rows, [...truth.values()].reduce((n, t) => n + t.vectors.length, 0));
    }
  });

  it('refuses a vector or a query of another width, and holds nothing for no chunks', () => {
    const index = new VectorIndex(3);
    assert.throws(() => index.set('a', 'text', chunks([new Float32Array(4)])), RangeError);
    assert.throws(() => index.search(new Float32Array(2), 5), RangeError);
    index.set('a', 'text', []);
    assert.equal(index.has('a'), false);
    assert.deepEqual(index.search(new Float32Array([1, 0, 0]), 5), []);
  });
});
