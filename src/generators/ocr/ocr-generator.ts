/**
 * The `ocr` generator: the text of an image or a PDF as `ocr/default.json` (see ocr-json.ts),
 * read by tesseract.js offline, or taken from a PDF's own text layer where it has one.
 */
import { decoderBudget } from '../tools/run-in-worker.js';
import { createRequire } from 'node:module';
import type { Availability, GeneratedOutput, Generator, GeneratorContext, GeneratorSettings } from '../types.js';
import { GeneratorError } from '../types.js';
import { TESSERACT_VERSION } from './engine.js';
import { inputByteLimit } from '../input-limits.js';
import { DEFAULT_IMAGE_LIMITS, openImage } from './image-input.js';
import { findLanguages, type LanguageData } from './languages.js';
import { assemble, ocrPage, type OcrJson, type OcrJsonPage } from './ocr-json.js';
import { recognizeUpright } from './orientation.js';
import { readPdfPages } from './pdf-pages.js';

export { closeOcrEngine } from './engine.js';

/** Pages read at most per file (PDF or multi-page TIFF), unless settings say otherwise. */
export const OCR_MAX_PAGES = 50;

const IMAGE_MIMES = new Set([
  'image/jpeg', 'image/png', 'image/webp', 'image/tiff', 'image/gif', 'image/avif',
  'image/heic', 'image/heif', 'image/heic-sequence', 'image/heif-sequence',
]);
const PDF_MIME = 'application/pdf';

const require = createRequire(import.meta.url);
const PDFJS_VERSION = (require('pdfjs-dist/package.json') as { version: string }).version;

/** Settings this generator reads beyond the shared ones (not yet in GeneratorSettings). */
type OcrSettings = GeneratorSettings & { ocrMaxPages?: number };

export const ocrGenerator: Generator<'ocr'> = {
  kind: 'ocr',
  name: 'vss-ocr-tesseract',
  version: '1.0.0',

  accepts(content, variant) {
    if (variant !== 'default') return false;
    const mime = content.mime.toLowerCase();
    return mime === PDF_MIME || (content.kind === 'image' && IMAGE_MIMES.has(mime));
  },

  availability(settings): Availability {
    const langs = findLanguages(settings.ocrLanguages);
    if (typeof langs === 'string') return { ok: false, reason: langs };
    try {
      require.resolve('tesseract.js-core/package.json', { paths: [require.resolve('tesseract.js')] });
    } catch {
      return { ok: false, reason: 'the OCR engine (npm package tesseract.js-core) is not installed' };
    }
    return { ok: true };
  },

  async generate(ctx: GeneratorContext): Promise<GeneratedOutput[]> {
    const out: GeneratedOutput[] = [];
    for (const variant of ctx.variants) {
      if (variant !== 'default') out.push({ variant, skip: `ocr has no variant "${variant}"` });
    }
    if (!ctx.variants.includes('default')) return out;
    const json = await readText(ctx);
    out.push({ variant: 'default', format: 'json', data: Buffer.from(`${JSON.stringify(json)}\n`, 'utf8') });
    return out;
  },
};

async function readText(ctx: GeneratorContext): Promise<OcrJson> {
  const { path, mime } = ctx.source;
  const langs = findLanguages(ctx.settings.ocrLanguages);
  if (typeof langs === 'string') throw new GeneratorError(`${path}: ${langs}`, { permanent: true, path });
  const maxPages = pageLimit(ctx.settings as OcrSettings);
  const lang = langs.map((l) => l.code).join('+');
  // Leave a tenth of the run's time for writing the result instead of failing at the very end.
  const deadline = Date.now() + ctx.timeoutMs * 0.9;

  if (mime.toLowerCase() === PDF_MIME) {
    const r = await readPdfPages(path, { langs, signal: ctx.signal, maxPages, deadline, maxBytes: inputByteLimit(ctx.settings, 'pdfMaxBytes') });
    const engines = [r.usedTextLayer ? `pdfjs-dist@${PDFJS_VERSION} (text layer)` : '', r.usedOcr || !r.usedTextLayer ? tesseractName(langs) : ''];
    return assemble(r.pages, { lang, engine: engines.filter((e) => e !== '').join(' + '), pageCount: r.pageCount, truncatedReason: r.truncatedReason });
  }

  const limits = { ...DEFAULT_IMAGE_LIMITS, maxPages, heicMaxBytes: inputByteLimit(ctx.settings, 'heicMaxBytes') };
  const image = await openImage(path, mime, limits, { signal: ctx.signal, timeoutMs: decoderBudget(ctx) });
  const pages: OcrJsonPage[] = [];
  let truncatedReason = image.pageCount > image.pagesToRead ? `only the first ${image.pagesToRead} of ${image.pageCount} pages are read (page limit)` : undefined;
  for (let i = 0; i < image.pagesToRead; i++) {
    if (i > 0 && Date.now() > deadline) {
      truncatedReason = `only ${pages.length} of ${image.pageCount} pages are read (time limit)`;
      break;
    }
    if (ctx.signal.aborted) throw new GeneratorError(`${path}: OCR stopped`, { permanent: true, path });
    const page = await image.page(i);
    const upright = await recognizeUpright(page, { langs, signal: ctx.signal, dpi: page.dpi });
    // Boxes in pixels of the (oriented) file, also where it was downscaled for OCR.
    const k = page.sourceWidth / page.width;
    pages.push(ocrPage(i + 1, upright.result, upright.rotation, upright.width, upright.height, k, 'px'));
  }
  return assemble(pages, { lang, engine: tesseractName(langs), pageCount: image.pageCount, truncatedReason });
}

function tesseractName(langs: readonly LanguageData[]): string {
  return `tesseract.js@${TESSERACT_VERSION} LSTM (${langs.map((l) => `${l.code} ${l.model}`).join(', ')})`;
}

function pageLimit(settings: OcrSettings): number {
  const n = settings.ocrMaxPages;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : OCR_MAX_PAGES;
}
