/**
 * HEIC/HEIF decoding with heic-decode (libheif in WASM), inside a `runInWorker` thread: the
 * decode is synchronous WASM work that would block the event loop for a large photo.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { GeneratorError } from '../types.js';

export interface HeicThreadArg {
  path: string;
  maxPixels: number;
}

export interface HeicThreadResult {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel, row by row. */
  data: Uint8Array;
}

interface HeicImage {
  width: number;
  height: number;
  decode(): Promise<{ width: number; height: number; data: Uint8ClampedArray }>;
}
type DecodeAll = (input: { buffer: Uint8Array }) => Promise<HeicImage[] & { dispose(): void }>;

const require = createRequire(import.meta.url);

/** The primary (first) image, after checking its size before any pixel is decoded. */
export async function decodeHeicInThread(arg: HeicThreadArg): Promise<HeicThreadResult> {
  const decodeAll = (require('heic-decode') as { all: DecodeAll }).all;
  const buffer = new Uint8Array(await readFile(arg.path));
  let images: Awaited<ReturnType<DecodeAll>>;
  try {
    images = await decodeAll({ buffer });
  } catch (err) {
    throw new GeneratorError(`not a readable HEIC image: ${err instanceof Error ? err.message : String(err)}`, { permanent: true });
  }
  try {
    const first = images[0];
    if (!first) throw new GeneratorError('the HEIC file holds no image', { permanent: true });
    if (first.width * first.height > arg.maxPixels) {
      throw new GeneratorError(`image is ${first.width}×${first.height}, more than the ${Math.round(arg.maxPixels / 1e6)} megapixel limit`, { permanent: true });
    }
    const { width, height, data } = await first.decode();
    return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } finally {
    images.dispose();
  }
}
