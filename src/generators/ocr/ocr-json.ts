/**
 * The shape of `ocr/default.json` and how the pages are put together into it.
 */
import type { BBox, TextBlock } from '../pdf/text-lines.js';
import type { OcrPageResult } from './engine.js';
import { round3 } from './engine.js';
import type { Rotation } from './orientation.js';

export interface OcrJsonPage {
  /** 1-based page number in the file. */
  page: number;
  /** Where the text came from: the PDF's own text layer, or tesseract on the rendered page / image. */
  source: 'text-layer' | 'ocr';
  text: string;
  /** 0–1: mean word confidence for OCR, 1 for a text layer. */
  confidence: number;
  /** Clockwise degrees the page was turned before reading (a scan lying on its side: 90). */
  rotation: Rotation;
  /** Size of the page as read (after `rotation`), in `unit`. */
  width: number;
  height: number;
  /** 'pt' (1/72 in) for PDF pages, 'px' (pixels of the oriented image file) for images. */
  unit: 'pt' | 'px';
  /** One block per line: bbox [x0, y0, x1, y1] from the top-left of the page as read, in `unit`. */
  blocks: TextBlock[];
}

export interface OcrJson {
  /** Every page's text, pages separated by a blank line. */
  text: string;
  /** tesseract language(s), '+'-joined as tesseract writes them: "eng", "eng+deu". */
  lang: string;
  /** 0–1, the pages' confidences weighted by their text length (0 when there is no text). */
  confidence: number;
  /** What read the text: tesseract.js with its model, and pdfjs-dist where a text layer was used. */
  engine: string;
  /** Pages in the file, pages read, and why not all were (page limit, time limit). */
  pageCount: number;
  pagesRead: number;
  truncated: boolean;
  truncatedReason?: string;
  pages: OcrJsonPage[];
}

/** An OCR result as a page of the JSON, its boxes scaled by K (output units per pixel read). */
export function ocrPage(page: number, r: OcrPageResult, rotation: Rotation, width: number, height: number, k: number, unit: 'pt' | 'px'): OcrJsonPage {
  const digits = unit === 'pt' ? 10 : 1;
  const scale = (v: number) => Math.round(v * k * digits) / digits;
  return {
    page,
    source: 'ocr',
    text: r.text.normalize('NFC'),
    // tesseract reports a confidence even for a page where it found nothing.
    confidence: r.text === '' ? 0 : r.confidence,
    rotation,
    width: scale(width),
    height: scale(height),
    unit,
    blocks: r.blocks.map((b) => ({ text: b.text.normalize('NFC'), bbox: b.bbox.map(scale) as BBox, confidence: b.confidence })),
  };
}

export function assemble(
  pages: OcrJsonPage[], meta: { lang: string; engine: string; pageCount: number; truncatedReason: string | undefined },
): OcrJson {
  let weighted = 0;
  let chars = 0;
  for (const p of pages) {
    const n = p.text.replace(/\s+/g, '').length;
    weighted += p.confidence * n;
    chars += n;
  }
  const json: OcrJson = {
    text: pages.map((p) => p.text).filter((t) => t !== '').join('\n\n'),
    lang: meta.lang,
    confidence: chars === 0 ? 0 : round3(weighted / chars),
    engine: meta.engine,
    pageCount: meta.pageCount,
    pagesRead: pages.length,
    truncated: meta.truncatedReason !== undefined,
    pages,
  };
  if (meta.truncatedReason !== undefined) json.truncatedReason = meta.truncatedReason;
  // Keep `pages` last so a reader skimming the file sees the summary first.
  const { pages: p, ...head } = json;
  return { ...head, pages: p };
}

/** Non-space characters: how much text a page has. */
export function textChars(text: string): number {
  return text.replace(/\s+/g, '').length;
}
