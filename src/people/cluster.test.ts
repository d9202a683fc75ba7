import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pairwise, seeded, syntheticFaces } from '../../test/support/synthetic-faces.js';
import { clusterFaces, CLUSTER_PARAMS } from './cluster.js';
import { neighbourGraph } from './neighbours.js';

const all = (n: number) => new Uint8Array(n).fill(1);

/** The partition LABELS make, as sorted lists of members (labels' names left out). */
function partition(labels: ReadonlyArray<string | null>, ids: ArrayLike<number>): string[] {
  const groups = new Map<string, number[]>();
  labels.forEach((l, i) => { if (l !== null) (groups.get(l) ?? groups.set(l, []).get(l)!).push(ids[i]!); });
  return [...groups.values()].map((g) => g.sort((a, b) => a - b).join(',')).sort();
}

test('people of several faces each are found whole and apart; the order faces come in changes nothing', () => {
  const s = syntheticFaces(40, 6, 7);
  const n = s.truth.length;
  const r = clusterFaces({ vectors: s.vectors, dims: s.dims, clusterable: all(n), pins: new Map() });
  const q = pairwise(r.labels, s.truth);
  assert.ok(q.precision >= 0.99 && q.recall >= 0.95, JSON.stringify(q));

  // The same faces shuffled: the same groups of faces.
  const order = Array.from({ length: n }, (_, i) => i);
  const rnd = seeded(3);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd.uniform() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const shuffled = new Float32Array(s.vectors.length);
  order.forEach((from, to) => shuffled.set(s.vectors.subarray(from * s.dims, (from + 1) * s.dims), to * s.dims));
  const r2 = clusterFaces({ vectors: shuffled, dims: s.dims, clusterable: all(n), pins: new Map() });
  assert.deepEqual(partition(r2.labels, order), partition(r.labels, Array.from({ length: n }, (_, i) => i)));
});

test('a face pinned to a person brings the rest of that person with it; a lone face or pair stays nobody', () => {
  const s = syntheticFaces(3, 5, 11);
  const lone = syntheticFaces(2, 1, 99);
  const vectors = new Float32Array([...s.vectors, ...lone.vectors]);
  const n = s.truth.length + 2;
  const r = clusterFaces({ vectors, dims: 128, clusterable: all(n), pins: new Map([[0, 'alice']]) });
  assert.deepEqual(r.labels.slice(0, 5), Array(5).fill('alice'));
  assert.equal(new Set(r.labels.slice(5, 10)).size, 1);
  assert.match(r.labels[5]!, /^new:5$/, 'a person found here is named by their lowest face');
  assert.deepEqual(r.labels.slice(15), [null, null]);
});

test('faces below the quality floor neither found nor join a person', () => {
  const s = syntheticFaces(1, 6, 5);
  const clusterable = all(6);
  clusterable[2] = 0;
  const r = clusterFaces({ vectors: s.vectors, dims: 128, clusterable, pins: new Map() });
  assert.equal(r.labels[2], null);
  assert.equal(new Set(r.labels.filter((l, i) => i !== 2)).size, 1);
});

test('two people joined by a single in-between face are not made one', () => {
  // Two tight groups 0.6 apart, and one face half-way: close to both, sharing no neighbour with either side's cores.
  const dims = 128;
  const rnd = seeded(21);
  const a = Array.from({ length: dims }, () => rnd.normal() * 0.05);
  const dir = Array.from({ length: dims }, () => rnd.normal());
  const norm = Math.hypot(...dir);
  const b = a.map((v, i) => v + (dir[i]! / norm) * 0.6);
  const faces: number[][] = [];
  for (const c of [a, b]) for (let f = 0; f < 6; f++) faces.push(c.map((v) => v + rnd.normal() * 0.012));
  faces.push(a.map((v, i) => (v + b[i]!) / 2));
  const r = clusterFaces({ vectors: Float32Array.from(faces.flat()), dims, clusterable: all(13), pins: new Map() });
  const left = new Set(r.labels.slice(0, 6));
  const right = new Set(r.labels.slice(6, 12));
  assert.equal(left.size, 1);
  assert.equal(right.size, 1);
  assert.notEqual([...left][0], [...right][0]);
  assert.ok([...left][0] !== null && [...right][0] !== null);
});

test('the inverted file finds nearly every close pair the exact search finds', () => {
  const s = syntheticFaces(600, () => 5, 4);
  const n = s.truth.length;
  const exact = neighbourGraph(s.vectors, s.dims, all(n), CLUSTER_PARAMS.join, { exactUpTo: Infinity, probes: 1 });
  const approx = neighbourGraph(s.vectors, s.dims, all(n), CLUSTER_PARAMS.join, { exactUpTo: 0, probes: 6 });
  assert.ok(exact.list.length > n, 'the set has close pairs');
  assert.ok(approx.list.length <= exact.list.length);
  assert.ok(approx.list.length / exact.list.length >= 0.97, `${approx.list.length} of ${exact.list.length}`);
});
