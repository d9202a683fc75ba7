/**
 * A PDF's text, page by page: the text layer where a page has one (born-digital documents),
 * tesseract on the rendered page where it has none (scans). Rendering the next pages runs in
 * its own thread while tesseract reads the current ones, so both cores work.
 */
import { extractPdfText, type PdfTextPage } from '../pdf/extract-text.js';
import { renderPdfPagesGray, type GrayPdfPage } from '../pdf/render-page.js';
import { GeneratorError } from '../types.js';
import type { RecognizeOptions } from './engine.js';
import { ocrPage, textChars, type OcrJsonPage } from './ocr-json.js';
import { recognizeUpright } from './orientation.js';

export interface PdfOcrOptions extends RecognizeOptions {
  maxPages: number;
  /** Wall-clock time (Date.now()) by which to be done: pages not started by then are left out. */
  deadline: number;
  /** Refuse a larger PDF before reading it (pdfjs holds it whole, in each thread). */
  maxBytes: number;
}

export interface PdfOcrResult {
  pages: OcrJsonPage[];
  pageCount: number;
  usedTextLayer: boolean;
  usedOcr: boolean;
  truncatedReason: string | undefined;
}

/** Scans are read at this resolution (tesseract's sweet spot) … */
export const PDF_OCR_DPI = 300;
/** … but no page larger than this on its long edge (a poster is not rendered at 300 dpi). */
const PDF_OCR_MAX_EDGE = 4200;
/** A text layer with fewer characters may be a stamp on a scan: the page is OCR'd as well. */
const MIN_TEXT_LAYER_CHARS = 16;
/** Pages rendered per thread (one parse of the PDF; ~13 MB of pixels per page at most). */
const RENDER_BATCH = 2;
/** Guess of one page's OCR time before any was measured (ms). */
const FIRST_PAGE_GUESS_MS = 8_000;
/** The first batch's render is given at least this long, whatever the time limit leaves (ms). */
const FIRST_RENDER_MS = 10_000;

export async function readPdfPages(path: string, options: PdfOcrOptions): Promise<PdfOcrResult> {
  const remaining = () => options.deadline - Date.now();
  const layer = await extractPdfText(path, { signal: options.signal, timeoutMs: Math.max(1_000, remaining()), maxPages: options.maxPages, maxBytes: options.maxBytes });
  const pages: Array<OcrJsonPage | undefined> = layer.pages.map((p, i) => (textChars(p.text) >= MIN_TEXT_LAYER_CHARS ? textLayerPage(i, p) : undefined));
  const todo = layer.pages.map((_, i) => i).filter((i) => pages[i] === undefined);
  const pageLimited = layer.pageCount > layer.pages.length;

  // Render in batches, one batch ahead of the OCR; stop rendering when we leave early.
  const stopRendering = new AbortController();
  const signal = AbortSignal.any([options.signal, stopRendering.signal]);
  const batches: number[][] = [];
  for (let i = 0; i < todo.length; i += RENDER_BATCH) batches.push(todo.slice(i, i + RENDER_BATCH));
  // The first batch has at least FIRST_RENDER_MS whatever is left (its first page is always read:
  // a loaded machine's slow render is no failure); a later one what is left, and running out of it
  // ends the reading there (the time limit truncates).
  const render = (batch: number[], first = false) => {
    const timeoutMs = first ? Math.max(FIRST_RENDER_MS, remaining()) : Math.max(1_000, remaining());
    const p = renderPdfPagesGray(path, batch, { maxEdge: PDF_OCR_MAX_EDGE, maxDpi: PDF_OCR_DPI, signal, timeoutMs, maxBytes: options.maxBytes });
    p.catch(() => undefined); // awaited below; never an unhandled rejection when we stop early
    return p;
  };
  let ocrMsPerPage = FIRST_PAGE_GUESS_MS;
  let ocrPages = 0;
  let outOfTime = false;
  try {
    let next = batches[0] ? render(batches[0], true) : undefined;
    outer: for (let b = 0; b < batches.length; b++) {
      let rendered;
      try {
        rendered = await next!;
      } catch (err) {
        // A later batch that could not be drawn in the time left: the pages read so far are the answer.
        if (b > 0 && remaining() < 1_000 && !options.signal.aborted) {
          outOfTime = true;
          break;
        }
        throw err;
      }
      next = batches[b + 1] ? render(batches[b + 1]!) : undefined;
      for (const page of rendered.pages) {
        // The first page is always tried; later ones only while one more fits in the time left.
        if (ocrPages > 0 && remaining() < ocrMsPerPage) {
          outOfTime = true;
          break outer;
        }
        const t0 = Date.now();
        const ocr = await ocrRenderedPage(page, options);
        ocrMsPerPage = Math.max(ocrMsPerPage * 0.5, Date.now() - t0);
        ocrPages++;
        const kept = preferred(layer.pages[page.pageIndex]!, page.pageIndex, ocr);
        // Nothing read where pdfjs skipped part of the page: it could not be read, not a blank page.
        const problem = page.problem ?? layer.pages[page.pageIndex]!.problem;
        if (problem !== undefined && textChars(kept.text) === 0) {
          throw new GeneratorError(`${path}: page ${page.pageIndex + 1} could not be read: ${problem}`, { permanent: true, path });
        }
        pages[page.pageIndex] = kept;
      }
    }
  } finally {
    stopRendering.abort('done');
  }
  // Every page read, in order; a page the time limit left unread is missing (or keeps its short text layer).
  const out: OcrJsonPage[] = [];
  for (let i = 0; i < layer.pages.length; i++) {
    const p = pages[i] ?? (textChars(layer.pages[i]!.text) > 0 ? textLayerPage(i, layer.pages[i]!) : undefined);
    if (p) out.push(p);
    else if (!outOfTime) throw new GeneratorError(`${path}: page ${i + 1} was not read`, { permanent: false, path });
  }
  const truncatedReason = outOfTime
    ? `only ${out.length} of ${layer.pageCount} pages are read (time limit)`
    : pageLimited ? `only the first ${layer.pages.length} of ${layer.pageCount} pages are read (page limit)` : undefined;
  return {
    pages: out,
    pageCount: layer.pageCount,
    usedTextLayer: out.some((p) => p.source === 'text-layer'),
    usedOcr: ocrPages > 0,
    truncatedReason,
  };
}

/**
 * A page with a short text layer was OCR'd too: a scan with a stamped page number has much more
 * text in its pixels. The exact text layer wins unless OCR found clearly more, confidently.
 */
function preferred(layer: PdfTextPage, index: number, ocr: OcrJsonPage): OcrJsonPage {
  const layerChars = textChars(layer.text);
  if (layerChars === 0) return ocr;
  return ocr.confidence >= 0.6 && textChars(ocr.text) > 2 * layerChars + 8 ? ocr : textLayerPage(index, layer);
}

async function ocrRenderedPage(page: GrayPdfPage, options: RecognizeOptions): Promise<OcrJsonPage> {
  const pxPerPt = page.width / page.pageWidthPt;
  const upright = await recognizeUpright({ gray: page.gray, width: page.width, height: page.height }, { ...options, dpi: pxPerPt * 72 });
  return ocrPage(page.pageIndex + 1, upright.result, upright.rotation, upright.width, upright.height, 1 / pxPerPt, 'pt');
}

function textLayerPage(index: number, p: PdfTextPage): OcrJsonPage {
  return {
    page: index + 1,
    source: 'text-layer',
    text: p.text.normalize('NFC'),
    confidence: 1,
    rotation: 0,
    width: Math.round(p.width * 10) / 10,
    height: Math.round(p.height * 10) / 10,
    unit: 'pt',
    blocks: p.blocks.map((b) => ({ ...b, text: b.text.normalize('NFC') })),
  };
}
