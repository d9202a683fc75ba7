/**
 * `node dist/bench/ocr-bench.js [--runs R] [--pdf]`
 *
 * OCR per page: the `ocr` generator end to end (decode, EXIF orientation, grayscale, orientation
 * check, tesseract, JSON) against tesseract.js called directly on the same file with the same
 * language data, the same layout mode (PSM 3, auto) and the same outputs (text + blocks), each
 * with one worker reused across runs (created before timing). Median of R runs, in seconds per
 * page, and the ratio ours / direct. Targets: < 2 s per page, ≤ 1.2× direct.
 *
 *   --runs R   repetitions, the median counts (default 3)
 *   --pdf      also the scanned PDF (ocrmypdf-linn.pdf, one Letter page at 300 dpi): ours renders
 *              the page itself, direct reads our rendered page as a PNG (render time not counted)
 */
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createWorker, OEM, PSM, type Worker as TesseractWorker } from 'tesseract.js';
import { closeOcrEngine, ocrGenerator } from '../src/generators/ocr/ocr-generator.js';
import { findLanguageData } from '../src/generators/ocr/languages.js';
import type { OcrJson } from '../src/generators/ocr/ocr-json.js';
import { characterErrorRate } from '../src/generators/ocr/text-metrics.js';
import { renderPdfPagesGray } from '../src/generators/pdf/render-page.js';
import { PDF_OCR_DPI } from '../src/generators/ocr/pdf-pages.js';
import type { GeneratedOutput } from '../src/generators/types.js';
import { generatorContext } from '../test/generator-context.js';
import { FIXTURES } from '../test/helpers.js';
import { Summary, benchArgs, median, num, ratio, secs, timeAsync, runMain } from './util.js';

interface Case {
  name: string;
  path: string;
  mime: string;
  kind: 'image' | 'document';
  /** Ground truth, for a sanity check that both read the same thing. */
  gt?: string;
}

const IMAGE_CASES: Case[] = [
  { name: 'phototest.tif (640×480)', path: 'ocr/tesseract-test/phototest.tif', mime: 'image/tiff', kind: 'image', gt: 'ocr/tesseract-test/phototest.gt.txt' },
  { name: 'testocr.png (640×480)', path: 'ocr/tesseract.js/testocr.png', mime: 'image/png', kind: 'image', gt: 'ocr/tesseract.js/testocr.gt.txt' },
  { name: 'eurotext.tif (1024×800)', path: 'ocr/tesseract-test/eurotext.tif', mime: 'image/tiff', kind: 'image', gt: 'ocr/tesseract-test/eurotext.gt.txt' },
];
const PDF_CASE: Case = { name: 'ocrmypdf-linn.pdf (scan, 1 page)', path: 'pdf/scanned/ocrmypdf-linn.pdf', mime: 'application/pdf', kind: 'document', gt: 'pdf/scanned/ocrmypdf-linn.gt.txt' };

async function ours(c: Case): Promise<{ s: number; pages: number; text: string }> {
  const ctx = generatorContext({ path: join(FIXTURES, c.path), kind: c.kind, mime: c.mime, variants: ['default'] });
  try {
    const { s, value } = await timeAsync(() => ocrGenerator.generate(ctx));
    const out = value[0] as Extract<GeneratedOutput, { data: Buffer }>;
    const json = JSON.parse(out.data.toString('utf8')) as OcrJson;
    return { s, pages: json.pagesRead, text: json.text };
  } finally {
    ctx.cleanup();
  }
}

async function direct(worker: TesseractWorker, image: Buffer): Promise<{ s: number; text: string }> {
  const { s, value } = await timeAsync(() => worker.recognize(image, {}, { text: true, blocks: true }));
  return { s, text: value.data.text };
}

/** What direct reads for C: the file itself, or for a PDF our rendered page as a PNG. */
async function directInput(c: Case): Promise<Buffer> {
  const path = join(FIXTURES, c.path);
  if (c.kind === 'image') return readFileSync(path);
  const r = await renderPdfPagesGray(path, [0], { maxEdge: 4200, maxDpi: PDF_OCR_DPI, signal: new AbortController().signal, timeoutMs: 60_000 });
  const p = r.pages[0]!;
  return sharp(p.gray, { raw: { width: p.width, height: p.height, channels: 1 } }).png({ compressionLevel: 1 }).toBuffer();
}

async function main(): Promise<void> {
  const args = benchArgs('node dist/bench/ocr-bench.js [--runs R] [--pdf]', { runs: { default: 3, min: 1 } }, ['pdf']);
  console.log(`vss OCR benchmark: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${num(totalmem() / 1024 ** 3)} GiB RAM, median of ${args.runs} run(s)`);
  const eng = findLanguageData('eng');
  if (typeof eng === 'string') throw new Error(eng);
  const worker = await createWorker('eng', OEM.LSTM_ONLY, { langPath: eng.dir, gzip: true, cacheMethod: 'none', logger: () => undefined, errorHandler: () => undefined });
  // The parameters ours sets: layout analysis on, tesseract's notes off stderr.
  await worker.setParameters({ tessedit_pageseg_mode: PSM.AUTO, debug_file: '/dev/null' });
  const summary = new Summary();
  const cases = args.pdf ? [...IMAGE_CASES, PDF_CASE] : IMAGE_CASES;
  try {
    for (const c of cases) {
      const image = await directInput(c);
      // Ours tells tesseract the resolution of a rendered PDF page; the images do not say theirs.
      await worker.setParameters({ user_defined_dpi: c.kind === 'document' ? String(PDF_OCR_DPI) : '0' });
      // Warm-up: both engines started and the file in the page cache before anything is timed.
      await ours(c);
      await direct(worker, image);
      const oursS: number[] = [];
      const directS: number[] = [];
      let oursText = '';
      let directText = '';
      let pages = 1;
      for (let r = 0; r < args.runs; r++) {
        const o = await ours(c);
        const d = await direct(worker, image);
        pages = o.pages;
        oursS.push(o.s / o.pages);
        directS.push(d.s);
        oursText = o.text;
        directText = d.text;
      }
      const o = median(oursS);
      const d = median(directS);
      const cer = (t: string) => (c.gt ? `CER ${num(characterErrorRate(t, readFileSync(join(FIXTURES, c.gt), 'utf8')) * 100)}%` : '');
      console.log(`  ${c.name}: ours ${secs(o)}/page (${oursS.map((x) => secs(x)).join(' / ')}; ${pages} page, ${cer(oursText)}), direct ${secs(d)}/page (${directS.map((x) => secs(x)).join(' / ')}; ${cer(directText)}), ${ratio(o / d)}`);
      summary.add({ what: `OCR ${c.name}: ours s/page`, value: secs(o), ratio: '', target: '< 2 s', ok: o < 2 });
      summary.add({ what: `OCR ${c.name}: ours / direct`, value: `${secs(o)} vs ${secs(d)}`, ratio: ratio(o / d), target: '≤ 1.2×', ok: o / d <= 1.2 });
    }
  } finally {
    await worker.terminate();
    await closeOcrEngine();
  }
  console.log('\n== Summary ==');
  summary.print();
}

runMain(import.meta.url, main);
