/**
 * HEIC/HEIF decoding (thumbnails and OCR) with heic-decode (libheif in WASM; sharp's libheif here has
 * no HEVC decoder), run through `runInWorker`: the decode is seconds of synchronous WASM work
 * that must not block the event loop and must be killable. libheif applies the HEIF transforms
 * (irot/imir/clap) itself, so the pixels come out upright; EXIF orientation does not apply to HEIF.
 */
import { createRequire } from 'node:module';
import { readBounded } from '../input-limits.js';
import { tooManyPixels } from '../pixel-limits.js';
import { GeneratorError } from '../types.js';

export interface HeicThreadArg {
  path: string;
  /** Refuse an image with more pixels than this before decoding a single one. */
  maxPixels: number;
  /** Refuse a file larger than this before reading it (libheif takes the whole file in memory). */
  maxBytes: number;
}

export interface HeicThreadResult {
  width: number;
  height: number;
  /** 3 when the image is opaque (the alpha plane is dropped here, so less is copied back). */
  channels: 3 | 4;
  data: Uint8Array;
}

interface HeicImage {
  width: number;
  height: number;
  decode(): Promise<{ width: number; height: number; data: Uint8ClampedArray }>;
}
type DecodeAll = (input: { buffer: Uint8Array }) => Promise<HeicImage[] & { dispose(): void }>;

const require = createRequire(import.meta.url);

/** The first top-level image (the primary one in camera files), size-checked before decoding. */
export async function decodeHeicInThread(arg: HeicThreadArg): Promise<HeicThreadResult> {
  const decodeAll = (require('heic-decode') as { all: DecodeAll }).all;
  // A view of the bytes read, not a copy: libheif copies them into its own memory once more.
  const file = readBounded(arg.path, 'heicMaxBytes', arg.maxBytes);
  const buffer = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
  let images: Awaited<ReturnType<DecodeAll>>;
  try {
    images = await decodeAll({ buffer });
  } catch (err) {
    throw new GeneratorError(`not a readable HEIC image: ${err instanceof Error ? err.message : String(err)}`, { permanent: true });
  }
  try {
    const first = images[0];
    if (!first) throw new GeneratorError('the HEIC file holds no image', { permanent: true });
    if (!(first.width > 0 && first.height > 0)) throw new GeneratorError('the HEIC image has no size', { permanent: true });
    if (first.width * first.height > arg.maxPixels) {
      throw tooManyPixels(first.width, first.height, arg.maxPixels);
    }
    const { width, height, data } = await first.decode();
    return { width, height, ...dropOpaqueAlpha(data) };
  } finally {
    images.dispose();
  }
}

/**
 * RGBA → RGB when every alpha byte is 255 (camera photos), packed in place in the same buffer:
 * no second bitmap, and a quarter less for sharp to read.
 */
function dropOpaqueAlpha(rgba: Uint8ClampedArray): { channels: 3 | 4; data: Uint8Array } {
  const n = rgba.length >> 2;
  for (let i = 3; i < rgba.length; i += 4) {
    if (rgba[i] !== 255) return { channels: 4, data: new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.byteLength) };
  }
  // Writing pixel p at 3p never overtakes reading it at 4p.
  for (let p = 0, s = 0, d = 0; p < n; p++, s += 4, d += 3) {
    rgba[d] = rgba[s]!;
    rgba[d + 1] = rgba[s + 1]!;
    rgba[d + 2] = rgba[s + 2]!;
  }
  return { channels: 3, data: new Uint8Array(rgba.buffer, rgba.byteOffset, n * 3) };
}
