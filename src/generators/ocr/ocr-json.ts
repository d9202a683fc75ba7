/**
 * How the pages are put together into `ocr/default.json` (its shape: src/wire/sidecar-json.ts).
 */
import type { BBox, OcrJson, OcrJsonPage, Rotation } from '../../wire/sidecar-json.js';
import type { OcrPageResult } from './engine.js';
import { round3 } from './engine.js';

export type { OcrJson, OcrJsonPage };

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
