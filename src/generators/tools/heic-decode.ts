import { statSync } from 'node:fs';
import { overLimit } from '../input-limits.js';
import { GeneratorError } from '../types.js';
import type { HeicThreadArg, HeicThreadResult } from './heic-thread.js';
import { HEIC_BYTES_PER_PIXEL, heicDecodeBudget } from './memory-budget.js';
import { runInWorker } from './run-in-worker.js';

/**
 * Decode a HEIC/HEIF file's primary image in a worker thread (killed on timeout or abort),
 * refusing a file over MAXBYTES before reading it and more than MAXPIXELS before any pixel is
 * decoded, and waiting for its share of the HEIC memory budget (PIXELS, from the header the
 * caller read). The pixels come back upright (libheif applies the HEIF transforms), 3 channels
 * when opaque, else 4, moved out of the thread rather than copied.
 */
export async function decodeHeic(
  path: string, opts: { maxPixels: number; maxBytes: number; signal: AbortSignal; timeoutMs: number; pixels: number },
): Promise<HeicThreadResult & { data: Buffer }> {
  let release: (() => void) | undefined;
  try {
    // The size is checked here too, so an oversized file costs no thread at all.
    const size = statSync(path).size;
    if (size > opts.maxBytes) throw overLimit('heicMaxBytes', size, opts.maxBytes);
    const arg: HeicThreadArg = { path, maxPixels: opts.maxPixels, maxBytes: opts.maxBytes };
    // The header's pixels (checked against maxPixels by the caller): what this decode will hold.
    release = await heicDecodeBudget.acquire(Math.min(opts.pixels, opts.maxPixels) * HEIC_BYTES_PER_PIXEL + size * 2, opts.signal);
    const r = await runInWorker<HeicThreadResult>(new URL('./heic-thread.js', import.meta.url), 'decodeHeicInThread', arg, {
      signal: opts.signal,
      timeoutMs: opts.timeoutMs,
      // The pixels live in WASM memory and ArrayBuffers, outside this heap; the JS heap stays small.
      maxHeapMb: 512,
    });
    // Structured clone hands back a plain Uint8Array: view the same memory as a Buffer.
    return { ...r, data: Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength) };
  } catch (err) {
    const permanent = err instanceof GeneratorError ? err.permanent : true;
    throw new GeneratorError(`${path}: HEIC decoding failed: ${err instanceof Error ? err.message : String(err)}`, { permanent, path, cause: err });
  } finally {
    release?.();
  }
}
