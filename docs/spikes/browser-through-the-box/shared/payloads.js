/**
 * The spike's payloads, made the same way wherever they are needed (home, browser, the checker
 * that scans what the box forwarded): pseudo-random bytes from a seed, so they do not compress
 * and any 32-byte window of them is found nowhere else by chance.
 */

export const MiB = 1024 * 1024;
export const UPLOAD_BYTES = 5 * MiB;
export const DOWNLOAD_BYTES = 5 * MiB;
export const SEEDS = { thumb: 0x7417, upload: 0x0b10ad, download: 0xd0e1 };

/** LEN bytes from xorshift32 seeded with SEED. */
export function prng(seed, len) {
  const words = new Uint32Array(Math.ceil(len / 4));
  let x = (seed >>> 0) || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    words[i] = x;
  }
  return new Uint8Array(words.buffer, 0, len);
}

/** A 256×256 24-bit BMP (196,662 bytes, ~200 KB) with noise pixels: a "thumbnail" an <img> decodes. */
export function thumbnail() {
  const w = 256, h = 256, row = w * 3, pixels = row * h, size = 54 + pixels;
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  out[0] = 0x42; out[1] = 0x4d; // "BM"
  v.setUint32(2, size, true);
  v.setUint32(10, 54, true);
  v.setUint32(14, 40, true);
  v.setInt32(18, w, true);
  v.setInt32(22, h, true);
  v.setUint16(26, 1, true);
  v.setUint16(28, 24, true);
  v.setUint32(34, pixels, true);
  out.set(prng(SEEDS.thumb, pixels), 54);
  return out;
}

/** The JSON the home's /api/library route answers (its text is looked for in what the box forwarded). */
export const LIBRARY_JSON = {
  library: 'Holidays 2026',
  marker: 'PLAINTEXT-MARKER-7c1e3b9a',
  items: Array.from({ length: 20 }, (_, i) => ({ id: `item-${i}`, name: `IMG_${1000 + i}.jpg`, taken: `2026-07-${String(1 + i).padStart(2, '0')}` })),
};

export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** SHA-256 of BYTES, hex (WebCrypto: in browsers and Node 20 alike). */
export async function sha256(bytes) {
  return hex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
}
