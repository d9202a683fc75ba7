/**
 * Many fingerprints into groups of near-duplicates, without comparing every pair.
 *
 * Candidates: multi-index hashing on the pHash. The 64 bits are cut into 8 one-byte bands, and
 * again after a fixed shuffle of the bits (ROUNDS times in all); two photos are candidates when
 * any band is equal. A pair at Hamming distance d shares a given band with probability about
 * (1 − d/64)^8, so with 16 bands a pair at d ≤ 10 is found with probability ≈ 0.97 by that estimate, most at d ≤ 14,
 * fewer beyond: the price of not looking at all n² pairs (bench/similar-bench.ts measures the
 * pairs it misses on the labelled set). Candidates then go through the cheap tests of
 * `matchFingerprints` (Hamming, aspect, coarse correlation) before the grid alignment.
 *
 * Groups: matched pairs are joined best first (smallest distance), and two groups are joined
 * only when every pair across them is within CHAIN_MAX (checked on at most CHAIN_CHECKS pairs).
 * Plain connected components would let a chain of small steps (frames of a slow pan) glue
 * distinct photos together; this is complete linkage at a looser bound, which stops a chain at
 * the first member too far from the others.
 */
import { coarseGrid, coarseResidual, hamming64, matchFingerprints, COARSE_MAX, PHASH_MAX, RESIDUAL_MAX, type Fingerprint } from './perceptual-hash.js';

const ROUNDS = 2;
/** Residual every pair in a group must stay within: looser than a match, to allow two re-encodes of one crop. */
const CHAIN_MAX = RESIDUAL_MAX * 2;
const CHAIN_CHECKS = 16;

/** The fixed bit shuffles of the rounds after the first (a seeded LCG, the same everywhere). */
const SHUFFLES: number[][] = Array.from({ length: ROUNDS - 1 }, (_, r) => {
  const order = Array.from({ length: 64 }, (_, i) => i);
  let s = 0x9e3779b9 + r;
  for (let i = 63; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
});

/** The band bytes of the hash HI:LO in every round: ROUNDS × 8 values 0–255. */
function bandBytes(hi: number, lo: number): number[] {
  const bits: number[] = [];
  for (let i = 31; i >= 0; i--) bits.push((hi >>> i) & 1);
  for (let i = 31; i >= 0; i--) bits.push((lo >>> i) & 1);
  const out: number[] = [];
  const rounds = [bits, ...SHUFFLES.map((o) => o.map((i) => bits[i]!))];
  for (const b of rounds) for (let k = 0; k < 8; k++) {
    let v = 0;
    for (let i = 0; i < 8; i++) v = (v << 1) | b[k * 8 + i]!;
    out.push(v);
  }
  return out;
}

export interface GroupItem {
  id: string;
  fp: Fingerprint;
}

/**
 * Calls VISIT(i, j) once for every pair whose pHashes share a band and are within PHASH_MAX.
 * A pair sharing several bands is visited in the first of them only (no set of pairs seen).
 */
export function forEachCandidate(items: readonly GroupItem[], visit: (i: number, j: number) => void): void {
  const n = items.length;
  const bands = ROUNDS * 8;
  const hi = new Uint32Array(n);
  const lo = new Uint32Array(n);
  const keys = new Int32Array(n * bands);
  items.forEach((it, i) => {
    hi[i] = Number(BigInt.asUintN(32, it.fp.phash >> 32n));
    lo[i] = Number(BigInt.asUintN(32, it.fp.phash));
    bandBytes(hi[i]!, lo[i]!).forEach((v, b) => (keys[i * bands + b] = b * 256 + v));
  });
  // Counting sort of (band, byte) keys: each bucket lists the items with that byte in that band.
  const buckets = bands * 256;
  const start = new Int32Array(buckets + 1);
  for (const k of keys) start[k + 1]!++;
  for (let k = 0; k < buckets; k++) start[k + 1]! += start[k]!;
  const fill = start.slice(0, buckets);
  const members = new Int32Array(n * bands);
  for (let i = 0; i < n; i++) for (let b = 0; b < bands; b++) members[fill[keys[i * bands + b]!]!++] = i;
  for (let k = 0; k < buckets; k++) {
    const band = k >> 8;
    const end = start[k + 1]!;
    for (let x = start[k]!; x < end; x++) {
      const i = members[x]!;
      next: for (let y = x + 1; y < end; y++) {
        const j = members[y]!;
        if (popcount(hi[i]! ^ hi[j]!) + popcount(lo[i]! ^ lo[j]!) > PHASH_MAX) continue;
        for (let b = 0; b < band; b++) if (keys[i * bands + b] === keys[j * bands + b]) continue next;
        visit(i, j);
      }
    }
  }
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/** Groups of ids showing the same picture, each of two or more, in input order; photos matching nothing are left out. */
export function groupSimilar(items: readonly GroupItem[]): string[][] {
  const edges: Array<{ i: number; j: number; d: number }> = [];
  // matchFingerprints' coarse test, its grids made once per photo rather than once per pair.
  const coarse = items.map((it) => Float32Array.from(coarseGrid(it.fp.grid)));
  const flat = coarse.map((c) => c.every((v) => v === 0));
  // Distances already known, so the chaining guard does not align a pair twice.
  const known = new Map<number, number>();
  const n = items.length;
  forEachCandidate(items, (i, j) => {
    if (!flat[i] && !flat[j] && coarseResidual(coarse[i]!, coarse[j]!) > COARSE_MAX) return;
    const m = matchFingerprints(items[i]!.fp, items[j]!.fp);
    known.set(i * n + j, m.distance);
    if (m.similar) edges.push({ i, j, d: m.distance });
  });
  const distance = (x: number, y: number): number => {
    const [i, j] = x < y ? [x, y] : [y, x];
    const d = known.get(i * n + j);
    if (d !== undefined) return d;
    // Not a candidate: a pHash too far, or a coarse test failed, is never within CHAIN_MAX.
    if (hamming64(items[i]!.fp.phash, items[j]!.fp.phash) > PHASH_MAX) return Infinity;
    if (!flat[i] && !flat[j] && coarseResidual(coarse[i]!, coarse[j]!) > COARSE_MAX) return Infinity;
    const m = matchFingerprints(items[i]!.fp, items[j]!.fp).distance;
    known.set(i * n + j, m);
    return m;
  };
  edges.sort((a, b) => a.d - b.d || a.i - b.i || a.j - b.j);
  const groupOf = new Map<number, number[]>();
  const group = (i: number) => groupOf.get(i) ?? [i];
  for (const { i, j } of edges) {
    const a = group(i);
    const b = group(j);
    if (a === b || !tight(a, b, distance)) continue;
    const merged = [...a, ...b];
    for (const k of merged) groupOf.set(k, merged);
  }
  const out = new Set<number[]>(groupOf.values());
  return [...out].map((g) => [...g].sort((x, y) => x - y)).sort((x, y) => x[0]! - y[0]!).map((g) => g.map((k) => items[k]!.id));
}

/** Whether every pair across A and B (or the first CHAIN_CHECKS of them) is within CHAIN_MAX. */
function tight(a: number[], b: number[], distance: (x: number, y: number) => number): boolean {
  let checks = 0;
  for (const x of a) {
    for (const y of b) {
      if (checks++ >= CHAIN_CHECKS) return true;
      if (distance(x, y) > CHAIN_MAX) return false;
    }
  }
  return true;
}
