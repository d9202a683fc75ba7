/**
 * The one way into sharp for the generators: every image they read or make goes through here, so
 * the decompression-bomb guard, sharp's own pixel limit and the wording of a refusal are the same
 * for thumbnails, OCR, video frames and strips (the demo only writes images and keeps its own).
 *
 * - A file or encoded bytes: `readImageHeader` first (the header only, no pixels: an image over
 *   its pixel limit is refused with a reason before anything is decoded), then `decodeImage`,
 *   which also hands sharp the limit (libvips refuses on its own what the header hid).
 * - Pixels already in memory (a HEIC decoded by libheif, a grid of video frames, a page turned
 *   for OCR): `fromPixels`; nothing there can inflate.
 * - `configureSharp`: the process-wide settings, once, before the first job.
 *
 * sharp itself is loaded at the first image (`sharpLib`), not with the generators: every daemon and
 * `jobs run` reaches them through the job kinds, and most starts decode no image before they stop.
 */
import { createRequire } from 'node:module';
import type { Metadata, Sharp } from 'sharp';
import { pixelLimitFor, tooManyPixels, type PixelLimits } from '../pixel-limits.js';
import { GeneratorError } from '../types.js';

export type { Metadata, Sharp };

const require = createRequire(import.meta.url);
let loaded: typeof import('sharp') | undefined;
/** sharp, loaded at the first call (a tenth of a second of CPU, with libvips' binding). */
export function sharpLib(): typeof import('sharp') {
  return (loaded ??= require('sharp') as typeof import('sharp'));
}

/**
 * The header of page PAGE of the image at PATH (format, size, orientation, density), its size
 * checked against LIMITS (`pixelLimitFor`: lower for formats decoded whole): a decompression bomb
 * is refused here, permanently and with its size, before a pixel is decoded.
 */
export async function readImageHeader(path: string, limits: PixelLimits, page = 0): Promise<Metadata> {
  let meta: Metadata;
  try {
    meta = await sharpLib()(path, { page, limitInputPixels: false }).metadata();
  } catch (err) {
    throw new GeneratorError(`${path}: not a readable image: ${sharpReason(err)}`, { permanent: true, path, cause: err });
  }
  const { width, height } = meta;
  if (!width || !height) throw new GeneratorError(`${path}: the image has no size`, { permanent: true, path });
  const { limit, scope } = pixelLimitFor(meta, limits);
  if (width * height > limit) throw tooManyPixels(width, height, limit, { scope, path });
  return meta;
}

export interface DecodeOptions {
  /** sharp refuses an input with more pixels than this (the header said fewer, or was never read). */
  maxInputPixels: number;
  /** Page or frame to read (multi-page TIFF). */
  page?: number;
  /** 'error': truncated data fails the decode; warnings never do. sharp's default: 'warning'. */
  failOn?: 'none' | 'truncated' | 'error' | 'warning';
}

/** A pipeline reading an image file or encoded bytes (PNG from ffmpeg), bounded in pixels. */
export function decodeImage(input: string | Buffer, o: DecodeOptions): Sharp {
  return sharpLib()(input, { limitInputPixels: o.maxInputPixels, ...(o.page === undefined ? {} : { page: o.page }), ...(o.failOn === undefined ? {} : { failOn: o.failOn }) });
}

/** A pipeline over pixels in memory: 8 bits a channel, row by row. */
export function fromPixels(data: Buffer | Uint8Array, raw: { width: number; height: number; channels: 1 | 2 | 3 | 4 }): Sharp {
  // The pixels exist already: the bound is the bitmap itself, whatever its size.
  return sharpLib()(data, { raw, limitInputPixels: false });
}

/**
 * sharp's process-wide settings for the generators, applied before a job's first image.
 *
 * - No operation cache: every source is decoded once and never again, so libvips' cache (by
 *   default up to 50 MiB, 20 open files, 100 operations) only holds memory and file handles.
 * - libvips threads per image: at most 2. A thumbnail job is mostly JPEG decoding and WebP
 *   encoding, which libjpeg and libwebp do on one thread; a second thread only speeds up the
 *   resize (bench/thumbs-bench.ts --sharp-threads, 2-core machine: 155 → 141 ms per 24 MP
 *   image). Parallelism comes from the job runner running several jobs at once, which keeps
 *   every core busy on a batch while no single job takes the whole machine. sharp's default
 *   is one thread on glibc Linux without jemalloc (to limit memory fragmentation) and one per
 *   core elsewhere; this keeps that, capped at 2 and at the CPU budget's threads per tool.
 */
export const SHARP_MAX_THREADS = 2;

/** sharp's own default, read before the first change. */
let sharpDefault: number | undefined;

/** Apply the settings; THREADS is the CPU budget's threads per tool (the daemon's budget may be 1). */
export function configureSharp(threads: number = SHARP_MAX_THREADS): void {
  const sharp = sharpLib();
  if (sharpDefault === undefined) {
    sharpDefault = sharp.concurrency();
    sharp.cache(false);
  }
  const want = Math.max(1, Math.min(sharpDefault, SHARP_MAX_THREADS, Math.floor(threads)));
  if (sharp.concurrency() !== want) sharp.concurrency(want);
}

/** sharp's message, first line, bounded. */
export function sharpReason(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return (m.split('\n')[0] ?? m).trim().slice(0, 300) || 'unknown error';
}
