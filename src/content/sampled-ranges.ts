/**
 * What a content id reads of a file (DESIGN §1), in one place for every hasher of it — the
 * indexer here (hash-file.ts) and a browser before it uploads (content-id-portable.ts): a file up
 * to the library's threshold (and always up to SMALL_FILE) is hashed whole; a larger one by its
 * size and evenly spread samples, in BLAKE3's derive-key mode under SAMPLED_CONTEXT. No Node
 * here: the web app bundles it.
 */
export const SMALL_FILE = 1024 * 1024;
export const SAMPLE_EDGE = 256 * 1024;
export const SAMPLE_COUNT = 32;
export const SAMPLE_SIZE = 64 * 1024;
export const SAMPLED_CONTEXT = 'vss 2026 sampled content id v2';

/** Whether a file of SIZE bytes is hashed whole under the library's THRESHOLD (else sampled). */
export function hashedWhole(size: number, threshold: number): boolean {
  return size <= Math.max(threshold, SMALL_FILE);
}

/** Head, evenly spread samples, tail: the ranges a sampled content id covers, as [start, length]. */
export function sampleRanges(size: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [[0, SAMPLE_EDGE]];
  const span = size - 2 * SAMPLE_EDGE - SAMPLE_SIZE;
  for (let i = 1; i <= SAMPLE_COUNT; i++) {
    ranges.push([SAMPLE_EDGE + Math.floor((span * i) / (SAMPLE_COUNT + 1)), SAMPLE_SIZE]);
  }
  ranges.push([size - SAMPLE_EDGE, SAMPLE_EDGE]);
  return ranges;
}

/** The 8 bytes (little-endian) of SIZE a sampled id starts with. */
export function sizeBytes(size: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(size), true);
  return out;
}
