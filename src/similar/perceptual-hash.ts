/**
 * Near-duplicate photos: pictures that match though their bytes differ (re-encoded, resized,
 * re-saved with other metadata, converted to another format, lightly cropped or brightened, a
 * RAW's embedded JPEG beside the camera's JPEG).
 *
 * A fingerprint is the photo, upright (EXIF orientation applied), in grey, squeezed to a
 * SIDE×SIDE grid whatever its shape, plus its aspect ratio and a 64-bit DCT pHash of that grid:
 *   - the pHash is only a cheap candidate key (`groupSimilar` buckets on it); on its own it cannot
 *     tell a re-encode from another frame of the same scene (bench/similar-bench.ts: the bare
 *     pHash at its best threshold loses precision on video frames and overlapping crops);
 *   - the grid decides: the two grids are aligned (a crop of up to `MAX_CROP` per edge, either
 *     way) by matching their row and column profiles, then compared pixel by pixel after
 *     mean-variance normalisation (so a mild brightness or contrast change costs nothing). A
 *     re-encode leaves a small, even residual; another moment of the scene leaves a residual
 *     that alignment cannot remove (parallax, something moved), often concentrated in one
 *     region, so both the overall residual and the worst block's residual are bounded.
 * Photos of almost uniform brightness (a black frame) carry no structure to compare: they match
 * each other when their brightness is close, and nothing else.
 */
import { createRequire } from 'node:module';
import { alignAndCompare } from './grid-compare.js';

const require = createRequire(import.meta.url);
let sharpLoaded: typeof import('sharp') | undefined;
/** sharp, loaded at the first fingerprint: the daemon reaches this module through the API and most starts make none. */
const sharp = (): typeof import('sharp') => (sharpLoaded ??= require('sharp') as typeof import('sharp'));

/** Side of the stored grid: 32×32 bytes is the fingerprint's bulk, the ~1 KiB budget (smaller sides were not measured). */
export const SIDE = 32;
/** First byte of an encoded fingerprint; a new layout or algorithm takes the next number. */
export const FORMAT_VERSION = 1;
const HEADER = 12;
/** Bytes of an encoded fingerprint. */
export const ENCODED_BYTES = HEADER + SIDE * SIDE;

/** The largest crop per edge that still matches, as a fraction of the side. */
export const MAX_CROP = 0.05;
/** pHash Hamming distance above which two photos are never compared further (bench: 99 % of the labelled positives are within 18). */
export const PHASH_MAX = 18;
/** Residual of the unaligned 8×8 means above which two photos are never aligned (a cheap reject). */
export const COARSE_MAX = 0.2;
/** Grid residual (1 − correlation after alignment) at or under which photos match. */
export const RESIDUAL_MAX = 0.007;
/** The worst 8×8-cell block's residual, at or under which photos match. */
export const BLOCK_RESIDUAL_MAX = 0.05;
/** Grey standard deviation (0–255) under which a photo is flat: no structure to compare. */
const FLAT_STDEV = 3;
/** Two flat photos match when their mean brightness differs by at most this fraction of the range. */
const FLAT_MEAN_MAX = 0.02;

export interface Fingerprint {
  /** 64-bit DCT pHash of the grid. */
  phash: bigint;
  /** ln(width / height) of the upright photo. */
  logAspect: number;
  /** SIDE×SIDE grey values, row by row, of the upright photo squeezed to a square. */
  grid: Uint8Array;
}

export interface FingerprintOptions {
  /** sharp's pixel limit for the input (default: sharp's own). */
  limitInputPixels?: number | boolean;
}

/**
 * The fingerprint of the image at INPUT (a path or encoded bytes). Decoding uses JPEG/WebP
 * shrink-on-load, so a 24 MP JPEG is read at 1/8 scale: the cost is mostly that decode.
 */
export async function fingerprintImage(input: string | Buffer, opts: FingerprintOptions = {}): Promise<Fingerprint> {
  const img = sharp()(input, { failOn: 'none', ...(opts.limitInputPixels === undefined ? {} : { limitInputPixels: opts.limitInputPixels }) });
  // The header gives the upright shape; the same instance then decodes (one open of the input).
  const meta = await img.metadata();
  const swap = (meta.orientation ?? 1) >= 5;
  const w = (swap ? meta.height : meta.width) ?? SIDE;
  const h = (swap ? meta.width : meta.height) ?? SIDE;
  const { data, info } = await img
    .rotate()
    .greyscale()
    .removeAlpha()
    .resize(SIDE, SIDE, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 1 || data.length !== SIDE * SIDE) throw new Error(`unexpected grid ${info.width}×${info.height}×${info.channels}`);
  return fingerprintFromGrid(new Uint8Array(data.buffer, data.byteOffset, data.length), w / h);
}

/** The fingerprint of an already made SIDE×SIDE grey grid of a photo of aspect ratio W/H. */
export function fingerprintFromGrid(grid: Uint8Array, aspect: number): Fingerprint {
  if (grid.length !== SIDE * SIDE) throw new RangeError(`a grid has ${SIDE * SIDE} cells, not ${grid.length}`);
  return { phash: phash64(grid, SIDE), logAspect: quantiseLogAspect(Math.log(aspect)), grid: Uint8Array.from(grid) };
}

/**
 * The bare 64-bit DCT pHash (the usual one: top-left 8×8 DCT coefficients of a 32×32 grey
 * image, DC included, each bit set when above the median of the 64).
 */
export function phash64(grid: Uint8Array, side: number): bigint {
  const K = 8;
  // Separable DCT-II, only the K lowest frequencies each way.
  const rows = new Float64Array(side * K);
  const cos = new Float64Array(K * side);
  for (let k = 0; k < K; k++) for (let n = 0; n < side; n++) cos[k * side + n] = Math.cos((Math.PI / side) * (n + 0.5) * k);
  for (let y = 0; y < side; y++) {
    for (let k = 0; k < K; k++) {
      let s = 0;
      for (let x = 0; x < side; x++) s += grid[y * side + x]! * cos[k * side + x]!;
      rows[y * K + k] = s;
    }
  }
  const coef = new Float64Array(K * K);
  for (let ky = 0; ky < K; ky++) {
    for (let kx = 0; kx < K; kx++) {
      let s = 0;
      for (let y = 0; y < side; y++) s += rows[y * K + kx]! * cos[ky * side + y]!;
      coef[ky * K + kx] = s;
    }
  }
  const med = [...coef].sort((a, b) => a - b);
  const median = (med[31]! + med[32]!) / 2;
  let h = 0n;
  for (let i = 0; i < 64; i++) if (coef[i]! > median) h |= 1n << BigInt(63 - i);
  return h;
}

export function hamming64(a: bigint, b: bigint): number {
  let x = a ^ b;
  let n = 0;
  while (x) {
    x &= x - 1n;
    n++;
  }
  return n;
}

// ln(aspect) stored as an int16 in 1/4096ths: round trips exactly through encode/decode.
function quantiseLogAspect(v: number): number {
  const q = Math.max(-32768, Math.min(32767, Math.round(v * 4096)));
  return q / 4096;
}

/**
 * The stored form, ENCODED_BYTES long:
 *   [0]      FORMAT_VERSION (1)
 *   [1]      SIDE (32)
 *   [2..3]   ln(width/height) × 4096, int16 big-endian
 *   [4..11]  pHash, 64 bits big-endian
 *   [12..]   SIDE×SIDE grey bytes, row by row
 */
export function encodeFingerprint(fp: Fingerprint): Uint8Array {
  const out = new Uint8Array(ENCODED_BYTES);
  const view = new DataView(out.buffer);
  out[0] = FORMAT_VERSION;
  out[1] = SIDE;
  view.setInt16(2, Math.round(fp.logAspect * 4096));
  view.setBigUint64(4, BigInt.asUintN(64, fp.phash));
  out.set(fp.grid, HEADER);
  return out;
}

export function decodeFingerprint(bytes: Uint8Array): Fingerprint {
  if (bytes.length < 2 || bytes[0] !== FORMAT_VERSION) throw new Error(`not a version ${FORMAT_VERSION} fingerprint (first byte ${bytes[0] ?? 'missing'})`);
  if (bytes[1] !== SIDE || bytes.length !== ENCODED_BYTES) throw new Error(`a version ${FORMAT_VERSION} fingerprint is ${ENCODED_BYTES} bytes of side ${SIDE}, not ${bytes.length} of side ${bytes[1]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { logAspect: view.getInt16(2) / 4096, phash: view.getBigUint64(4), grid: bytes.slice(HEADER) };
}

export interface Match {
  similar: boolean;
  /** 0 for the same picture; the aligned grid residual, or 1 + … when a cheaper test refused. */
  distance: number;
  /** pHash Hamming distance (0–64). */
  hamming: number;
}

/** The most two photos' aspect ratios differ once cropped ≤ MAX_CROP per edge (plus rounding). */
const LOG_ASPECT_MAX = Math.log(1 / (1 - 2 * MAX_CROP)) + 0.01;

/** Whether A and B show the same picture; symmetric, and a fingerprint matches itself at distance 0. */
export function matchFingerprints(a: Fingerprint, b: Fingerprint): Match {
  const hamming = hamming64(a.phash, b.phash);
  const flatA = stdev(a.grid) < FLAT_STDEV;
  const flatB = stdev(b.grid) < FLAT_STDEV;
  if (flatA || flatB) {
    // Brightness difference scaled so that the match bound falls at RESIDUAL_MAX, as for the others.
    const d = (Math.abs(mean(a.grid) - mean(b.grid)) / 255 / FLAT_MEAN_MAX) * RESIDUAL_MAX;
    return { similar: flatA && flatB && d <= RESIDUAL_MAX, distance: flatA && flatB ? d : 1 + d, hamming };
  }
  if (Math.abs(a.logAspect - b.logAspect) > LOG_ASPECT_MAX) return { similar: false, distance: 2, hamming };
  if (hamming > PHASH_MAX) return { similar: false, distance: 1 + hamming / 64, hamming };
  const coarse = coarseResidual(coarseGrid(a.grid), coarseGrid(b.grid));
  if (coarse > COARSE_MAX) return { similar: false, distance: 1 + coarse, hamming };
  // The alignment allows either to show more on any side, so one comparison is enough; it is
  // made in a fixed order of the two (not the caller's) so that the result is symmetric.
  const [x, y] = before(a, b) ? [a, b] : [b, a];
  const c = alignAndCompare(x.grid, y.grid, SIDE, MAX_CROP);
  return { similar: c.residual <= RESIDUAL_MAX && c.blockResidual <= BLOCK_RESIDUAL_MAX, distance: c.residual, hamming };
}

/** A total order of fingerprints: pHash, then grid bytes. */
function before(a: Fingerprint, b: Fingerprint): boolean {
  if (a.phash !== b.phash) return a.phash < b.phash;
  for (let i = 0; i < a.grid.length; i++) if (a.grid[i] !== b.grid[i]) return a.grid[i]! < b.grid[i]!;
  return true;
}

const COARSE = 8;

/**
 * The grid's COARSE×COARSE block means, zero mean and unit length: a light crop moves them
 * little, so their correlation is a cheap first test (a dot product of 64).
 */
export function coarseGrid(g: Uint8Array): Float64Array {
  const cell = SIDE / COARSE;
  const out = new Float64Array(COARSE * COARSE);
  for (let y = 0; y < SIDE; y++) for (let x = 0; x < SIDE; x++) {
    const k = Math.floor(y / cell) * COARSE + Math.floor(x / cell);
    out[k] = out[k]! + g[y * SIDE + x]!;
  }
  let m = 0;
  for (const v of out) m += v;
  m /= out.length;
  let norm = 0;
  for (let k = 0; k < out.length; k++) {
    out[k] = out[k]! - m;
    norm += out[k]! * out[k]!;
  }
  norm = Math.sqrt(norm) || 1;
  for (let k = 0; k < out.length; k++) out[k] = out[k]! / norm;
  return out;
}

/** 1 − correlation of two coarse grids. */
export function coarseResidual(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k]! * b[k]!;
  return 1 - s;
}

function mean(g: Uint8Array): number {
  let s = 0;
  for (const v of g) s += v;
  return s / g.length;
}

function stdev(g: Uint8Array): number {
  const m = mean(g);
  let s = 0;
  for (const v of g) s += (v - m) * (v - m);
  return Math.sqrt(s / g.length);
}
