/**
 * The text layer of a PDF (born-digital documents), read with pdfjs-dist in a killable process
 * whose memory is capped (tools/run-in-child.ts).
 */
import { runInChild } from '../tools/run-in-child.js';
import type { ExtractThreadArg, PdfTextResult } from './extract-text-thread.js';
import { INPUT_BYTE_LIMITS } from '../input-limits.js';
import { checkPdfSize, pdfMemoryMb, withPath } from './render-page.js';

export type { PdfTextPage, PdfTextResult } from './extract-text-thread.js';
export type { BBox, TextBlock } from './text-lines.js';

export interface ExtractPdfTextOptions {
  signal: AbortSignal;
  timeoutMs: number;
  /** Read at most this many pages from the start (default: all). */
  maxPages?: number;
  /** Memory cap of the reading process beside the PDF's own bytes (default 768 MiB). */
  maxMemoryMb?: number;
  /** Refuse a larger PDF before reading it (default: the pdfMaxBytes default). */
  maxBytes?: number;
}

const THREAD = new URL('./extract-text-thread.js', import.meta.url);

/**
 * The text of the first `maxPages` pages of the PDF at PATH: per page the text and one block per
 * line with its bbox in points (1/72 in, origin top-left of the displayed page) and confidence 1.
 * A page without a text layer (a scan) comes back with empty text. `pageCount` is the whole
 * document's. Fails with a permanent GeneratorError for a corrupt, encrypted or hostile PDF.
 */
export async function extractPdfText(path: string, options: ExtractPdfTextOptions): Promise<PdfTextResult> {
  const maxBytes = options.maxBytes ?? INPUT_BYTE_LIMITS.pdfMaxBytes.defaultBytes;
  const arg: ExtractThreadArg = { path, maxPages: options.maxPages ?? Number.MAX_SAFE_INTEGER, maxBytes };
  try {
    const size = checkPdfSize(path, maxBytes);
    return await runInChild<PdfTextResult>(THREAD, 'extractTextInThread', arg, {
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      maxMemoryMb: pdfMemoryMb(size, options.maxMemoryMb),
    });
  } catch (err) {
    throw withPath(err, path, 'PDF text extraction');
  }
}
