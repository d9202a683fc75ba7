/**
 * Rendering PDF pages to pixels (pdfjs-dist + @napi-rs/canvas) in a killable process whose memory
 * is capped (tools/run-in-child.ts). Used by the thumbnail generator (first page) and the OCR
 * generator (scanned pages).
 */
import { statSync } from 'node:fs';
import { INPUT_BYTE_LIMITS, overLimit } from '../input-limits.js';
import { runInChild } from '../tools/run-in-child.js';
import { GeneratorError } from '../types.js';
import type { RenderThreadArg, RenderThreadResult } from './render-page-thread.js';

export interface RenderPdfPageOptions {
  /** Longest edge of the result in pixels; the page is scaled to fit it (capped at 10,000). */
  maxEdge: number;
  signal: AbortSignal;
  timeoutMs: number;
  /** Render no finer than this many dots per inch, even when maxEdge would allow more. */
  maxDpi?: number;
  /** Memory cap of the rendering process beside the PDF's own bytes (default 768 MiB). */
  maxMemoryMb?: number;
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
  /** The first thing pdfjs skipped while drawing the page, when it drew the rest. */
  problem?: string;
}

/** A page as 8-bit grayscale pixels, one byte per pixel, row by row (what OCR wants). */
export interface GrayPdfPage {
  gray: Buffer;
  width: number;
  height: number;
  pageIndex: number;
  pageWidthPt: number;
  pageHeightPt: number;
  /** The first thing pdfjs skipped while drawing the page, when it drew the rest. */
  problem?: string;
}

const THREAD = new URL('./render-page-thread.js', import.meta.url);
/**
 * What a PDF's decoder may hold besides the file (read whole, and kept by pdfjs): ample for a
 * 50 MP embedded scan (~275 MB while pdfjs scales it) on a 4200 px page, and the bound on a bomb.
 */
export const PDF_DECODER_MB = 768;

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
    ...(page.problem === undefined ? {} : { problem: page.problem }),
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
    pages: result.pages.map((p) => ({
      gray: toBuffer(p.data), width: p.width, height: p.height, pageIndex: p.pageIndex, pageWidthPt: p.pageWidthPt, pageHeightPt: p.pageHeightPt,
      ...(p.problem === undefined ? {} : { problem: p.problem }),
    })),
  };
}

async function callRender(path: string, pageIndices: number[], format: 'png' | 'gray', options: RenderPdfPageOptions): Promise<RenderThreadResult> {
  if (!Number.isFinite(options.maxEdge) || options.maxEdge < 1) {
    throw new GeneratorError(`${path}: render size must be a positive number of pixels, not ${options.maxEdge}`, { permanent: true, path });
  }
  const maxBytes = options.maxBytes ?? INPUT_BYTE_LIMITS.pdfMaxBytes.defaultBytes;
  const arg: RenderThreadArg = { path, pageIndices, maxEdge: options.maxEdge, maxDpi: options.maxDpi, format, maxBytes };
  try {
    const size = checkPdfSize(path, maxBytes);
    return await runInChild<RenderThreadResult>(THREAD, 'renderPagesInThread', arg, {
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      maxMemoryMb: pdfMemoryMb(size, options.maxMemoryMb),
    });
  } catch (err) {
    throw withPath(err, path, 'PDF rendering');
  }
}

/** The size is checked before a process starts too: an oversized PDF costs none. Returns the size. */
export function checkPdfSize(path: string, maxBytes: number): number {
  const size = statSync(path).size;
  if (size > maxBytes) throw overLimit('pdfMaxBytes', size, maxBytes);
  return size;
}

/** The memory cap of a process reading a PDF of SIZE bytes: the decoder's share plus the file, twice over. */
export function pdfMemoryMb(size: number, decoderMb = PDF_DECODER_MB): number {
  return decoderMb + Math.ceil((2 * size) / (1024 * 1024));
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
