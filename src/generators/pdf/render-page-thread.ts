/**
 * The decoder side of `renderPdfPage`: runs inside a `runInChild` process (render-page.ts).
 */
import { createCanvas } from '@napi-rs/canvas';
import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { GeneratorError } from '../types.js';
import { openPdf, pdfError } from './open-pdf.js';
import { renderScale, type PageSizeLimits } from './page-size.js';
import { pageTrouble, takePdfWarnings } from './read-trouble.js';

export interface RenderThreadArg {
  path: string;
  /** Pages to render, 0-based; pages past the end are left out of the answer. */
  pageIndices: number[];
  maxEdge: number;
  /** Upper bound of the resolution, in dots per inch of the page's physical size (undefined: fit maxEdge). */
  maxDpi: number | undefined;
  format: 'png' | 'gray';
  limits?: PageSizeLimits;
  /** Refuse a larger file before reading it (pdfjs holds the whole file). */
  maxBytes: number;
}

export interface RenderedPageData {
  pageIndex: number;
  /** PNG file bytes ('png') or one byte of luminance per pixel, row by row ('gray'). */
  data: Uint8Array;
  width: number;
  height: number;
  /** Page size in PDF points (1/72 in), after the page's /Rotate. */
  pageWidthPt: number;
  pageHeightPt: number;
  /** The first thing pdfjs skipped while drawing the page, when it drew the rest. */
  problem?: string;
}

export interface RenderThreadResult {
  pageCount: number;
  pages: RenderedPageData[];
}

export async function renderPagesInThread(arg: RenderThreadArg): Promise<RenderThreadResult> {
  const doc = await openPdf(arg.path, arg.maxBytes);
  try {
    const pages: RenderedPageData[] = [];
    for (const pageIndex of arg.pageIndices) {
      if (pageIndex < 0 || pageIndex >= doc.numPages) continue;
      pages.push(await renderOne(doc, pageIndex, arg));
    }
    return { pageCount: doc.numPages, pages };
  } catch (err) {
    throw pdfError(err, arg.path);
  } finally {
    await doc.destroy();
  }
}

async function renderOne(doc: PDFDocumentProxy, pageIndex: number, arg: RenderThreadArg): Promise<RenderedPageData> {
  takePdfWarnings();
  const page: PDFPageProxy = await doc.getPage(pageIndex + 1);
  const base = page.getViewport({ scale: 1 });
  const scale = renderScale(base.width, base.height, arg.maxEdge, arg.maxDpi, arg.limits);
  if (typeof scale === 'string') throw new GeneratorError(`page ${pageIndex + 1}: ${scale}`, { permanent: true, path: arg.path });
  const viewport = page.getViewport({ scale });
  const width = Math.max(1, Math.round(viewport.width));
  const height = Math.max(1, Math.round(viewport.height));
  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d');
  // A white page under the content: transparent pixels would read as black in grayscale and OCR.
  await page.render({ canvasContext: context as never, viewport, background: 'rgb(255,255,255)' }).promise;
  const trouble = pageTrouble(takePdfWarnings());
  if (trouble.fatal) throw new GeneratorError(`page ${pageIndex + 1} could not be read: ${trouble.fatal}`, { permanent: true, path: arg.path });
  const data = arg.format === 'png' ? await canvas.encode('png') : toGray(canvas.data(), width, height);
  page.cleanup();
  return { pageIndex, data, width, height, pageWidthPt: base.width, pageHeightPt: base.height, ...(trouble.problem === undefined ? {} : { problem: trouble.problem }) };
}

/** RGBA (premultiplied, on white so alpha is 255) → 8-bit luminance (BT.601 weights, integer math). */
function toGray(rgba: Uint8Array, width: number, height: number): Uint8Array {
  const n = width * height;
  const out = new Uint8Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    out[i] = (rgba[j]! * 77 + rgba[j + 1]! * 150 + rgba[j + 2]! * 29) >> 8;
  }
  return out;
}
