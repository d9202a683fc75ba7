/**
 * A deterministic, generated "photo folder": N small files (200 B – 4 KiB) laid out as
 * ROOT/<year>/<album>/<file>, ~100 files per album and 40 albums per year. Everything is derived
 * from a seed and the file's index, so the same (seed, N) always gives the same bytes.
 *
 * Content: a format header (JPEG / PNG magic, or plain text), the file's index (which makes it
 * unique), then a slice of a seeded pseudo-random pool. About 5% of the files are exact copies of
 * an earlier file's bytes (duplicates the content phase must fold into one content identity).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';

export const FILES_PER_ALBUM = 100;
export const ALBUMS_PER_YEAR = 40;
const MIN_SIZE = 200;
const MAX_SIZE = 4096;
const DUP_PERCENT = 5;
const POOL_SIZE = 16 * 1024 * 1024;

export interface TreeInfo {
  root: string;
  files: number;
  /** Directories below the root. */
  dirs: number;
  bytes: number;
  duplicates: number;
  /** Distinct contents: what a content-mode index must end up with. */
  uniqueContents: number;
}

/** splitmix32-style hash of (seed, i, salt): the per-file "random" numbers, independent of order. */
function h32(seed: number, i: number, salt: number): number {
  let z = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(i + 1, 0x27d4eb2f) + Math.imul(salt + 1, 0x165667b1)) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** xorshift128: fills the shared pool of pseudo-random bytes. */
function seededPool(seed: number, size: number): Buffer {
  const words = new Uint32Array(size / 4);
  let x = seed | 1, y = 362436069, z = 521288629, w = 88675123;
  for (let i = 0; i < words.length; i++) {
    const t = x ^ (x << 11);
    x = y; y = z; z = w;
    w = (w ^ (w >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
    words[i] = w;
  }
  return Buffer.from(words.buffer);
}

/** Printable pool for the text files: words of lowercase letters. */
function textPool(pool: Buffer): Buffer {
  const out = Buffer.allocUnsafe(1024 * 1024);
  for (let i = 0; i < out.length; i++) {
    const b = pool[i]!;
    out[i] = b % 7 === 0 ? 0x20 : b % 53 === 0 ? 0x0a : 0x61 + (b % 26);
  }
  return out;
}

type Format = 'jpg' | 'png' | 'txt';

function formatOf(seed: number, i: number): Format {
  const r = h32(seed, i, 1) % 100;
  return r < 80 ? 'jpg' : r < 90 ? 'png' : 'txt';
}

const JPEG_HEAD = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00]);
const PNG_HEAD = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Fill buf[0, size) with file i's content; returns size. */
function contentOf(seed: number, i: number, pool: Buffer, text: Buffer, buf: Buffer): number {
  const size = MIN_SIZE + (h32(seed, i, 2) % (MAX_SIZE - MIN_SIZE + 1));
  const fmt = formatOf(seed, i);
  if (fmt === 'txt') {
    const off = h32(seed, i, 3) % (text.length - MAX_SIZE);
    text.copy(buf, 0, off, off + size);
    buf.write(`note ${i} `, 0, 'latin1');
  } else {
    const off = h32(seed, i, 3) % (POOL_SIZE - MAX_SIZE);
    pool.copy(buf, 0, off, off + size);
    const head = fmt === 'jpg' ? JPEG_HEAD : PNG_HEAD;
    head.copy(buf, 0);
    buf.writeUInt32LE(i, head.length); // the index makes the bytes unique
    buf.writeUInt32LE(seed >>> 0, head.length + 4);
  }
  return size;
}

export function albumDir(root: string, album: number): string {
  const year = Math.floor(album / ALBUMS_PER_YEAR);
  return join(root, String(2000 + year), `${String(2000 + year)}-album-${String(album % ALBUMS_PER_YEAR).padStart(2, '0')}`);
}

/** Write the tree under ROOT (created; must not exist or be empty). */
export function generateTree(root: string, n: number, seed = 20260101, onProgress?: (done: number) => void): TreeInfo {
  const pool = seededPool(seed, POOL_SIZE);
  const text = textPool(pool);
  const buf = Buffer.allocUnsafe(MAX_SIZE);
  /** For each file, the index whose bytes it carries (itself unless it is a duplicate). */
  const source = new Int32Array(n);
  mkdirSync(root, { recursive: true });

  let dirs = 0;
  let bytes = 0;
  let duplicates = 0;
  let currentDir = '';
  const years = new Set<number>();
  for (let i = 0; i < n; i++) {
    const album = Math.floor(i / FILES_PER_ALBUM);
    if (i % FILES_PER_ALBUM === 0) {
      currentDir = albumDir(root, album);
      const year = Math.floor(album / ALBUMS_PER_YEAR);
      if (!years.has(year)) { years.add(year); dirs++; }
      mkdirSync(currentDir, { recursive: true });
      dirs++;
    }
    let src = i;
    if (i > 0 && h32(seed, i, 4) % 100 < DUP_PERCENT) {
      src = source[h32(seed, i, 5) % i]!; // a copy of some earlier file (resolved to its original)
      duplicates++;
    }
    source[i] = src;
    const size = contentOf(seed, src, pool, text, buf);
    const name = `IMG_${String(i).padStart(7, '0')}.${formatOf(seed, src)}`;
    writeFileSync(currentDir + sep + name, buf.subarray(0, size));
    bytes += size;
    if (onProgress && i % 10000 === 9999) onProgress(i + 1);
  }
  return { root, files: n, dirs, bytes, duplicates, uniqueContents: n - duplicates };
}
