/**
 * Rendering PDF pages to pixels (pdfjs-dist + @napi-rs/canvas) in a killable worker thread.
 * Used by the thumbnail generator (first page) and the OCR generator (scanned pages).
 */
import { statSync } from 'node:fs';
import { INPUT_BYTE_LIMITS, overLimit } from '../input-limits.js';
import { runInWorker } from '../tools/run-in-worker.js';
import { GeneratorError } from '../types.js';
import type { RenderThreadArg, RenderThreadResult } from './render-page-thread.js';

export interface RenderPdfPageOptions {
  /** Longest edge of the result in pixels; the page is scaled to fit it (capped at 10,000). */
  maxEdge: number;
  signal: AbortSignal;
  timeoutMs: number;
  /** Render no finer than this many dots per inch, even when maxEdge would allow more. */
  maxDpi?: number;
  /** Heap limit of the rendering thread (default 768 MiB). */
  maxHeapMb?: number;
  /** Refuse a larger PDF before reading it (default: the pdfMaxBytes default). */
  maxBytes?: number;
}

export interface RenderedPdfPage {
  /** A PNG file (RGB on a white background) of the page, `width` × `height` pixels. */
  png: Buffer;
  width: number;
  height: number;
  /** Pages in the document. */
  pageCount: number;
  /** Page size in PDF points (1/72 in), after the page's /Rotate. */
  pageWidthPt: number;
  pageHeightPt: number;
}

/** A page as 8-bit grayscale pixels, one byte per pixel, row by row (what OCR wants). */
export interface GrayPdfPage {
  gray: Buffer;
  width: number;
  height: number;
  pageIndex: number;
  pageWidthPt: number;
  pageHeightPt: number;
}

const THREAD = new URL('./render-page-thread.js', import.meta.url);
const DEFAULT_HEAP_MB = 768;

/**
 * Render page PAGEINDEX (0-based) of the PDF at PATH as a PNG whose long edge is `maxEdge`
 * (or less with `maxDpi`). Fails with a permanent GeneratorError for a corrupt, encrypted or
 * hostile PDF, a page index past the end, an absurd page size, or on timeout / abort.
 */
export async function renderPdfPage(path: string, pageIndex: number, options: RenderPdfPageOptions): Promise<RenderedPdfPage> {
  const result = await callRender(path, [pageIndex], 'png', options);
  const page = result.pages[0];
  if (page === undefined) {
    throw new GeneratorError(`${path}: page ${pageIndex + 1} does not exist (the PDF has ${result.pageCount})`, { permanent: true, path });
  }
  return {
    png: toBuffer(page.data),
    width: page.width,
    height: page.height,
    pageCount: result.pageCount,
    pageWidthPt: page.pageWidthPt,
    pageHeightPt: page.pageHeightPt,
  };
}

/**
 * Render several pages as grayscale in one thread (one parse of the PDF). Pages past the end
 * are left out; the caller bounds how many it asks for at once (each is width × height bytes).
 */
export async function renderPdfPagesGray(
  path: string, pageIndices: number[], options: RenderPdfPageOptions,
): Promise<{ pageCount: number; pages: GrayPdfPage[] }> {
  const result = await callRender(path, pageIndices, 'gray', options);
  return {
    pageCount: result.pageCount,
    pages: result.pages.map((p) => ({ gray: toBuffer(p.data), width: p.width, height: p.height, pageIndex: p.pageIndex, pageWidthPt: p.pageWidthPt, pageHeightPt: p.pageHeightPt })),
  };
}

async function callRender(path: string, pageIndices: number[], format: 'png' | 'gray', options: RenderPdfPageOptions): Promise<RenderThreadResult> {
  if (!Number.isFinite(options.maxEdge) || options.maxEdge < 1) {
    throw new GeneratorError(`${path}: render size must be a positive number of pixels, not ${options.maxEdge}`, { permanent: true, path });
  }
  const maxBytes = options.maxBytes ?? INPUT_BYTE_LIMITS.pdfMaxBytes.defaultBytes;
  const arg: RenderThreadArg = { path, pageIndices, maxEdge: options.maxEdge, maxDpi: options.maxDpi, format, maxBytes };
  try {
    checkPdfSize(path, maxBytes);
    return await runInWorker<RenderThreadResult>(THREAD, 'renderPagesInThread', arg, {
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      maxHeapMb: options.maxHeapMb ?? DEFAULT_HEAP_MB,
    });
  } catch (err) {
    throw withPath(err, path, 'PDF rendering');
  }
}

/** The size is checked before a thread starts too: an oversized PDF costs no thread. */
export function checkPdfSize(path: string, maxBytes: number): void {
  const size = statSync(path).size;
  if (size > maxBytes) throw overLimit('pdfMaxBytes', size, maxBytes);
}

/** A worker's error again, naming the file (messages from the thread do not carry it). */
export function withPath(err: unknown, path: string, what: string): GeneratorError {
  const message = err instanceof Error ? err.message : String(err);
  const permanent = err instanceof GeneratorError ? err.permanent : true;
  return new GeneratorError(`${path}: ${what} failed: ${message}`, { permanent, path, cause: err });
}

/** Structured clone turns a Buffer into a plain Uint8Array: view the same memory as a Buffer. */
function toBuffer(u8: Uint8Array): Buffer {
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}
