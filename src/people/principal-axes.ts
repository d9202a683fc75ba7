/**
 * Descriptors turned onto their principal axes (an orthonormal change of basis: every distance is
 * kept exactly), the axes of most variance first. A distance summed axis by axis then grows fastest
 * at the start, so a pair that is not close is known to be so after a few axes (neighbours.ts stops
 * there): most pairs of 100,000 faces are looked at in a fraction of their 128 numbers.
 */

/** VECTORS (N × DIMS) centred and turned onto their principal axes, from a covariance over at most SAMPLE rows. */
export function onPrincipalAxes(vectors: Float32Array, dims: number, rows: readonly number[], sample = 20_000): Float32Array {
  const n = rows.length;
  const out = new Float32Array(vectors.length);
  if (n < 2) {
    out.set(vectors);
    return out;
  }
  const step = Math.max(1, Math.floor(n / sample));
  const mean = new Float64Array(dims);
  let m = 0;
  for (let a = 0; a < n; a += step) {
    const i = rows[a]! * dims;
    for (let d = 0; d < dims; d++) mean[d]! += vectors[i + d]!;
    m++;
  }
  for (let d = 0; d < dims; d++) mean[d]! /= m;
  const cov = new Float64Array(dims * dims);
  const x = new Float64Array(dims);
  for (let a = 0; a < n; a += step) {
    const i = rows[a]! * dims;
    for (let d = 0; d < dims; d++) x[d] = vectors[i + d]! - mean[d]!;
    for (let p = 0; p < dims; p++) {
      const xp = x[p]!;
      for (let q = p; q < dims; q++) cov[p * dims + q]! += xp * x[q]!;
    }
  }
  for (let p = 0; p < dims; p++) for (let q = p; q < dims; q++) cov[q * dims + p] = cov[p * dims + q]!;
  const axes = eigenvectorsByValue(cov, dims);
  for (const r of rows) {
    const i = r * dims;
    for (let d = 0; d < dims; d++) x[d] = vectors[i + d]! - mean[d]!;
    for (let k = 0; k < dims; k++) {
      let s = 0;
      const e = axes.subarray(k * dims, (k + 1) * dims);
      for (let d = 0; d < dims; d++) s += x[d]! * e[d]!;
      out[i + k] = s;
    }
  }
  return out;
}

/** The eigenvectors of the symmetric DIMS × DIMS matrix A (row k: the k-th largest eigenvalue's), by cyclic Jacobi rotations. */
export function eigenvectorsByValue(a: Float64Array, dims: number): Float64Array {
  const A = Float64Array.from(a);
  const V = new Float64Array(dims * dims);
  for (let d = 0; d < dims; d++) V[d * dims + d] = 1;
  for (let sweep = 0; sweep < 30; sweep++) {
    let off = 0;
    for (let p = 0; p < dims; p++) for (let q = p + 1; q < dims; q++) off += A[p * dims + q]! ** 2;
    if (off < 1e-18) break;
    for (let p = 0; p < dims; p++) {
      for (let q = p + 1; q < dims; q++) {
        const apq = A[p * dims + q]!;
        if (Math.abs(apq) < 1e-15) continue;
        const app = A[p * dims + p]!;
        const aqq = A[q * dims + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < dims; k++) {
          const akp = A[k * dims + p]!;
          const akq = A[k * dims + q]!;
          A[k * dims + p] = c * akp - s * akq;
          A[k * dims + q] = s * akp + c * akq;
        }
        for (let k = 0; k < dims; k++) {
          const apk = A[p * dims + k]!;
          const aqk = A[q * dims + k]!;
          A[p * dims + k] = c * apk - s * aqk;
          A[q * dims + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < dims; k++) {
          const vkp = V[k * dims + p]!;
          const vkq = V[k * dims + q]!;
          V[k * dims + p] = c * vkp - s * vkq;
          V[k * dims + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: dims }, (_, k) => k).sort((i, j) => A[j * dims + j]! - A[i * dims + i]! || i - j);
  const out = new Float64Array(dims * dims);
  order.forEach((k, row) => {
    for (let d = 0; d < dims; d++) out[row * dims + d] = V[d * dims + k]!;
  });
  return out;
}
