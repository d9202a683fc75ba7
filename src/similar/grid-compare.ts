/**
 * Two small grey grids compared as pictures, allowing one to be a light crop of the other.
 *
 * Squeezing a photo to a square grid turns a crop into a separable affine map: column u of the
 * crop is column l + u·(1 − l − r) of the whole (l, r: the fractions cut from left and right),
 * and likewise for rows. So the x map is found from the column profiles (each column's mean)
 * and the y map from the row profiles, each a 1-D search over (l, r) — far cheaper than a 4-D
 * search over the grid — and only the few best maps each way are tried on the whole grid.
 */

export interface GridComparison {
  /** 1 − Pearson correlation of the aligned grids where they overlap (0 identical, 1 unrelated). */
  residual: number;
  /** The same measure in the worst 8×8-cell block (a moved subject shows there first). */
  blockResidual: number;
}

const STEP = 0.005;
const TRY_EACH_WAY = 2;
const BLOCK = 8;

/**
 * OTHER compared with REF under the hypothesis that both are crops of one picture differing by
 * at most MAX_CROP per edge: OTHER's x ↦ REF's lo + x·(1 − lo − hi), lo and hi in ±MAX_CROP
 * (negative: OTHER shows more on that side). Only the overlap is compared; no cut at all is
 * always among the maps tried, so equal grids compare at 0.
 */
export function alignAndCompare(ref: Uint8Array, other: Uint8Array, side: number, maxCrop: number): GridComparison {
  const r = blur(ref, side);
  const o = blur(other, side);
  const xs = bestMaps(profile(r, side, 'cols'), profile(o, side, 'cols'), maxCrop);
  const ys = bestMaps(profile(r, side, 'rows'), profile(o, side, 'rows'), maxCrop);
  // The candidate maps are ranked on every other cell each way (a quarter of the work), and only
  // the best is compared on the whole grid.
  let best = { residual: Infinity, mx: xs[0]!, my: ys[0]! };
  for (const mx of xs) {
    for (const my of ys) {
      const c = xs.length * ys.length === 1 ? 0 : compareWarped(r, o, side, mx, my, 2).residual;
      if (c < best.residual) best = { residual: c, mx, my };
    }
  }
  return compareWarped(r, o, side, best.mx, best.my, 1);
}

/** A crop map on one axis: position in OTHER u ∈ [0,1] ↦ position in REF, lo + u·(1 − lo − hi). */
interface AxisMap {
  lo: number;
  hi: number;
}

/**
 * The TRY_EACH_WAY maps whose warped REF profile is closest to OTHER's where they overlap,
 * identity always among them: a search on a grid of 2·STEP, then its best refined by ±STEP.
 */
function bestMaps(ref: Float64Array, other: Float64Array, maxCrop: number): AxisMap[] {
  const n = ref.length;
  const scored: Array<{ m: AxisMap; d: number }> = [];
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  const steps = Math.round(maxCrop / STEP);
  const width = 2 * steps + 1;
  const tried = new Uint8Array(width * width);
  const score = (i: number, j: number) => {
    if (Math.abs(i) > steps || Math.abs(j) > steps || tried[(i + steps) * width + j + steps]) return;
    tried[(i + steps) * width + j + steps] = 1;
    const m = { lo: i * STEP, hi: j * STEP };
    let k = 0;
    for (let u = 0; u < n; u++) {
      const p = mapPos(m, u, n);
      if (p < -0.5 || p > n - 0.5) continue;
      a[k] = sample1d(ref, p);
      b[k++] = other[u]!;
    }
    if (k >= n * 0.8) scored.push({ m, d: 1 - correlation(a, b, k) });
  };
  for (let i = -steps; i <= steps; i += 2) for (let j = -steps; j <= steps; j += 2) score(i, j);
  const order = (x: { m: AxisMap; d: number }, y: { m: AxisMap; d: number }) => x.d - y.d || x.m.lo - y.m.lo || x.m.hi - y.m.hi;
  scored.sort(order);
  for (const { m } of scored.slice(0, TRY_EACH_WAY)) {
    const i0 = Math.round(m.lo / STEP);
    const j0 = Math.round(m.hi / STEP);
    for (let di = -1; di <= 1; di++) for (let dj = -1; dj <= 1; dj++) score(i0 + di, j0 + dj);
  }
  scored.sort(order);
  const out = scored.slice(0, TRY_EACH_WAY).map((x) => x.m);
  if (!out.some((m) => m.lo === 0 && m.hi === 0)) out.push({ lo: 0, hi: 0 });
  return out;
}

/** Grid coordinate in REF of cell U's centre in OTHER (cells are unit wide, centres at k + 0.5). */
function mapPos(m: AxisMap, u: number, n: number): number {
  return (m.lo + ((u + 0.5) / n) * (1 - m.lo - m.hi)) * n - 0.5;
}

function sample1d(a: Float64Array, p: number): number {
  const n = a.length;
  const q = Math.min(n - 1, Math.max(0, p));
  const i = Math.min(n - 2, Math.floor(q));
  const f = q - i;
  return a[i]! * (1 - f) + a[i + 1]! * f;
}

/** Pearson correlation of the first K values of A and B (0 when either is flat). */
function correlation(a: Float64Array, b: Float64Array, k: number): number {
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < k; i++) {
    sa += a[i]!;
    sb += b[i]!;
  }
  const ma = sa / k;
  const mb = sb / k;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < k; i++) {
    const x = a[i]! - ma;
    const y = b[i]! - mb;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
}

function compareWarped(ref: Float64Array, other: Float64Array, side: number, mx: AxisMap, my: AxisMap, stride: number): GridComparison {
  const px = new Float64Array(side);
  const py = new Float64Array(side);
  for (let u = 0; u < side; u++) {
    px[u] = mapPos(mx, u, side);
    py[u] = mapPos(my, u, side);
  }
  const inside = (p: number) => p >= -0.5 && p <= side - 0.5;
  // Scratch reused across calls (this runs tens of thousands of times in a grouping): no garbage.
  if (scratch.a.length < side * side) scratch = { a: new Float64Array(side * side), b: new Float64Array(side * side), cell: new Int32Array(side * side) };
  const { a, b, cell } = scratch;
  let k = 0;
  for (let v = 0; v < side; v += stride) {
    if (!inside(py[v]!)) continue;
    const y = Math.min(side - 1, Math.max(0, py[v]!));
    const y0 = Math.min(side - 2, Math.floor(y));
    const fy = y - y0;
    for (let u = 0; u < side; u += stride) {
      if (!inside(px[u]!)) continue;
      const x = Math.min(side - 1, Math.max(0, px[u]!));
      const x0 = Math.min(side - 2, Math.floor(x));
      const fx = x - x0;
      const i = y0 * side + x0;
      const top = ref[i]! * (1 - fx) + ref[i + 1]! * fx;
      const bottom = ref[i + side]! * (1 - fx) + ref[i + side + 1]! * fx;
      a[k] = top * (1 - fy) + bottom * fy;
      b[k] = other[v * side + u]!;
      cell[k++] = v * side + u;
    }
  }
  const za = zscoreInPlace(a.subarray(0, k));
  const zb = zscoreInPlace(b.subarray(0, k));
  const blocks = Math.ceil(side / BLOCK);
  const blockSum = new Float64Array(blocks * blocks);
  const blockN = new Float64Array(blocks * blocks);
  let sum = 0;
  for (let i = 0; i < k; i++) {
    const d = (za[i]! - zb[i]!) ** 2;
    sum += d;
    const c = cell[i]!;
    const blk = Math.floor(c / side / BLOCK) * blocks + Math.floor((c % side) / BLOCK);
    blockSum[blk] = blockSum[blk]! + d;
    blockN[blk] = blockN[blk]! + 1;
  }
  let worst = 0;
  for (let blk = 0; blk < blockSum.length; blk++) if (blockN[blk]! >= (BLOCK * BLOCK) / (2 * stride * stride)) worst = Math.max(worst, blockSum[blk]! / blockN[blk]! / 2);
  // For z-scores, mean squared difference / 2 = 1 − correlation.
  return { residual: k === 0 ? 1 : sum / k / 2, blockResidual: worst };
}

function profile(g: Float64Array, side: number, along: 'rows' | 'cols'): Float64Array {
  const p = new Float64Array(side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const k = along === 'cols' ? x : y;
      p[k] = p[k]! + g[y * side + x]!;
    }
  }
  return p;
}

let scratch = { a: new Float64Array(0), b: new Float64Array(0), cell: new Int32Array(0) };

function zscoreInPlace(a: Float64Array): Float64Array {
  const n = a.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += a[i]!;
  m /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (a[i]! - m) ** 2;
  const s = Math.sqrt(v / n) || 1;
  for (let i = 0; i < n; i++) a[i] = (a[i]! - m) / s;
  return a;
}

/** Zero mean, unit variance (a flat input stays all zeros). */
export function zscore(a: ArrayLike<number>): Float64Array {
  const n = a.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += a[i]!;
  m /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (a[i]! - m) ** 2;
  const s = Math.sqrt(v / n) || 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (a[i]! - m) / s;
  return out;
}

/** A 3×3 binomial blur (edges clamped): makes both grids equally smooth before one is resampled. */
function blur(g: Uint8Array, side: number): Float64Array {
  const tmp = new Float64Array(side * side);
  const out = new Float64Array(side * side);
  const at = (i: number) => Math.min(side - 1, Math.max(0, i));
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) tmp[y * side + x] = g[y * side + at(x - 1)]! + 2 * g[y * side + x]! + g[y * side + at(x + 1)]!;
  }
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) out[y * side + x] = (tmp[at(y - 1) * side + x]! + 2 * tmp[y * side + x]! + tmp[at(y + 1) * side + x]!) / 16;
  }
  return out;
}
