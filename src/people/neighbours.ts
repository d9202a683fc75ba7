/**
 * Which faces are close to which: every pair of descriptors nearer than a distance, as lists of
 * neighbours. Exact (every pair) for a few thousand faces; beyond that, an inverted file (the
 * descriptors split among k-means centres, each face compared with the faces of its few nearest
 * centres), which finds nearly every close pair for a fraction of the work: 100,000 faces are
 * 5·10⁹ pairs, too many to look at in a minute on two cores.
 */
import { onPrincipalAxes } from './principal-axes.js';

export interface Neighbours {
  /** Face i's neighbours are `list[start[i]] … list[start[i + 1] - 1]`, in index order. */
  start: Int32Array;
  list: Int32Array;
  /** The distance to each neighbour, in the same order as `list`. */
  dist: Float32Array;
}

export interface NeighbourOptions {
  /** Faces up to this many are compared every pair with every pair. */
  exactUpTo: number;
  /** How many nearest centres each face looks in. */
  probes: number;
}

export const NEIGHBOUR_OPTIONS: NeighbourOptions = { exactUpTo: 3000, probes: 4 };

/**
 * The neighbours nearer than RADIUS (Euclidean) of each of the N = `include.length` faces whose
 * D-dimensional descriptors are VECTORS (row by row); faces with `include[i]` 0 have none and are
 * nobody's.
 */
export function neighbourGraph(vectors: Float32Array, dims: number, include: Uint8Array, radius: number, o: NeighbourOptions = NEIGHBOUR_OPTIONS): Neighbours {
  const n = include.length;
  const members: number[] = [];
  for (let i = 0; i < n; i++) if (include[i]) members.push(i);
  const r2 = radius * radius;
  const pairs = new PairList();
  if (members.length <= o.exactUpTo) {
    for (let a = 0; a < members.length; a++) {
      const i = members[a]!;
      for (let b = a + 1; b < members.length; b++) {
        const j = members[b]!;
        const d = dist2Below(vectors, i * dims, j * dims, dims, r2);
        if (d >= 0) pairs.push(i, j, Math.sqrt(d));
      }
    }
  } else {
    invertedFilePairs(onPrincipalAxes(vectors, dims, members), dims, members, r2, o.probes, pairs);
  }
  return pairs.toGraph(n);
}

/**
 * The squared distance of the rows at A in V and B in W, or -1 once it passes LIMIT: looked at
 * every 4 axes at first (on principal axes most pairs are past it within a few), then every 16.
 */
function dist2Below(v: Float32Array, a: number, b: number, dims: number, limit: number, w: Float32Array = v): number {
  let s = 0;
  let m = 0;
  for (const until of CHECKS) {
    const e = Math.min(dims, until);
    for (; m < e; m++) {
      const t = v[a + m]! - w[b + m]!;
      s += t * t;
    }
    if (s >= limit) return -1;
    if (e === dims) return s;
  }
  for (; m < dims; m++) {
    const t = v[a + m]! - w[b + m]!;
    s += t * t;
  }
  return s >= limit ? -1 : s;
}

const CHECKS = [4, 8, 12, 16, 32, 48, 64, 80, 96, 112, 128];

function invertedFilePairs(v: Float32Array, dims: number, members: readonly number[], r2: number, probes: number, pairs: PairList): void {
  const m = members.length;
  const k = Math.max(8, Math.min(1024, Math.round(Math.sqrt(m))));
  const centres = kMeans(v, dims, members, k);
  // Each face's nearest PROBES centres; its home is the first.
  const near = new Int32Array(m * probes);
  const best = new Float64Array(probes);
  for (let a = 0; a < m; a++) {
    const i = members[a]! * dims;
    best.fill(Infinity);
    const slot = near.subarray(a * probes, (a + 1) * probes);
    slot.fill(-1);
    for (let c = 0; c < k; c++) {
      const d = dist2Below(v, i, c * dims, dims, best[probes - 1]!, centres);
      if (d < 0) continue;
      let p = probes - 1;
      while (p > 0 && best[p - 1]! > d) {
        best[p] = best[p - 1]!;
        slot[p] = slot[p - 1]!;
        p--;
      }
      best[p] = d;
      slot[p] = c;
    }
  }
  const lists: number[][] = Array.from({ length: k }, () => []);
  for (let a = 0; a < m; a++) lists[near[a * probes]!]!.push(a);
  // Face a meets the faces homed in the lists it probes. A pair both sides meet is kept by the
  // lower of the two; a pair only one side meets, by that side.
  const probesHome = (b: number, home: number): boolean => {
    for (let p = 0; p < probes; p++) if (near[b * probes + p] === home) return true;
    return false;
  };
  for (let a = 0; a < m; a++) {
    const i = members[a]!;
    const home = near[a * probes]!;
    for (let p = 0; p < probes; p++) {
      const c = near[a * probes + p]!;
      if (c < 0) continue;
      for (const b of lists[c]!) {
        if (b === a || (b < a && probesHome(b, home))) continue;
        const j = members[b]!;
        const d = dist2Below(v, i * dims, j * dims, dims, r2);
        if (d >= 0) pairs.push(Math.min(i, j), Math.max(i, j), Math.sqrt(d));
      }
    }
  }
}

/** K centres of the MEMBERS' rows, by a few rounds of Lloyd's k-means on a sample; the same input gives the same centres. */
function kMeans(v: Float32Array, dims: number, members: readonly number[], k: number): Float32Array {
  const step = Math.max(1, Math.floor(members.length / 20_000));
  const sample: number[] = [];
  for (let a = 0; a < members.length; a += step) sample.push(members[a]!);
  const centres = new Float32Array(k * dims);
  for (let c = 0; c < k; c++) centres.set(v.subarray(sample[Math.floor((c * sample.length) / k)]! * dims, sample[Math.floor((c * sample.length) / k)]! * dims + dims), c * dims);
  const sums = new Float64Array(k * dims);
  const counts = new Int32Array(k);
  for (let round = 0; round < 6; round++) {
    sums.fill(0);
    counts.fill(0);
    for (const i of sample) {
      let bc = 0;
      let bd = Infinity;
      for (let c = 0; c < k; c++) {
        const d = dist2Below(v, i * dims, c * dims, dims, bd, centres);
        if (d >= 0) {
          bd = d;
          bc = c;
        }
      }
      counts[bc]!++;
      for (let m = 0; m < dims; m++) sums[bc * dims + m]! += v[i * dims + m]!;
    }
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) continue;
      for (let m = 0; m < dims; m++) centres[c * dims + m] = sums[c * dims + m]! / counts[c]!;
    }
  }
  return centres;
}

/** Pairs (i < j) with their distance, grown in chunks, then made into both faces' lists. */
class PairList {
  private a = new Int32Array(1024);
  private b = new Int32Array(1024);
  private d = new Float32Array(1024);
  private n = 0;

  push(i: number, j: number, d: number): void {
    if (this.n === this.a.length) {
      const grow = <T extends Int32Array | Float32Array>(x: T): T => {
        const y = new (x.constructor as new (n: number) => T)(x.length * 2);
        y.set(x);
        return y;
      };
      this.a = grow(this.a);
      this.b = grow(this.b);
      this.d = grow(this.d);
    }
    this.a[this.n] = i;
    this.b[this.n] = j;
    this.d[this.n] = d;
    this.n++;
  }

  toGraph(faces: number): Neighbours {
    const deg = new Int32Array(faces + 1);
    for (let p = 0; p < this.n; p++) {
      deg[this.a[p]!]!++;
      deg[this.b[p]!]!++;
    }
    const start = new Int32Array(faces + 1);
    for (let i = 0; i < faces; i++) start[i + 1] = start[i]! + deg[i]!;
    const fill = start.slice(0, faces);
    const list = new Int32Array(start[faces]!);
    const dist = new Float32Array(start[faces]!);
    for (let p = 0; p < this.n; p++) {
      const i = this.a[p]!;
      const j = this.b[p]!;
      list[fill[i]!] = j;
      dist[fill[i]!++] = this.d[p]!;
      list[fill[j]!] = i;
      dist[fill[j]!++] = this.d[p]!;
    }
    // In index order within each face's list: what reads them does so in one order on every device.
    for (let i = 0; i < faces; i++) {
      const s = start[i]!;
      const e = start[i + 1]!;
      if (e - s < 2) continue;
      const order = Array.from({ length: e - s }, (_, x) => s + x).sort((x, y) => list[x]! - list[y]!);
      const l = order.map((x) => list[x]!);
      const dd = order.map((x) => dist[x]!);
      list.set(l, s);
      dist.set(dd, s);
    }
    return { start, list, dist };
  }
}
