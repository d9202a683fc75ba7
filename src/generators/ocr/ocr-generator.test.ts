import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { generatorContext, type TestContextInput } from '../../../test/generator-context.js';
import { FIXTURES, FIXTURES_SKIP, tempDir } from '../../../test/helpers.js';
import { GeneratorError, type GeneratedOutput, type GeneratorSettings } from '../types.js';
import { buildPdf, onePagePdf, pdfStream } from '../../../test/build-pdf.js';
import { pngClaiming } from '../../../test/hostile-files.js';
import { closeOcrEngine, ocrGenerator } from './ocr-generator.js';
import type { OcrJson } from './ocr-json.js';
import { characterErrorRate, normalizeText, wordRecall } from './text-metrics.js';

after(() => closeOcrEngine());

const fixture = (p: string) => join(FIXTURES, p);
const gt = (p: string) => readFileSync(fixture(p), 'utf8');

async function ocr(input: Omit<TestContextInput, 'variants'> & { variants?: readonly string[] }): Promise<OcrJson> {
  const ctx = generatorContext({ variants: ['default'], ...input });
  try {
    const out = await ocrGenerator.generate(ctx);
    assert.equal(out.length, 1);
    const o = out[0] as Extract<GeneratedOutput, { data: Buffer }>;
    assert.deepEqual([o.variant, o.format], ['default', 'json']);
    return JSON.parse(o.data.toString('utf8')) as OcrJson;
  } finally {
    ctx.cleanup();
  }
}

async function failsPermanently(input: Omit<TestContextInput, 'variants'>, re: RegExp, maxMs: number): Promise<void> {
  const t0 = Date.now();
  await assert.rejects(ocr(input), (err: unknown) => {
    assert.ok(err instanceof GeneratorError, `not a GeneratorError: ${String(err)}`);
    assert.equal(err.permanent, true, err.message);
    assert.match(err.message, re);
    return true;
  });
  assert.ok(Date.now() - t0 < maxMs, `took ${Date.now() - t0} ms`);
}

test('accepts images and PDFs, variant default only; available with English installed', () => {
  assert.equal(ocrGenerator.accepts({ kind: 'image', mime: 'image/jpeg' }, 'default'), true);
  assert.equal(ocrGenerator.accepts({ kind: 'image', mime: 'image/tiff' }, 'default'), true);
  assert.equal(ocrGenerator.accepts({ kind: 'document', mime: 'application/pdf' }, 'default'), true);
  assert.equal(ocrGenerator.accepts({ kind: 'image', mime: 'image/svg+xml' }, 'default'), false);
  assert.equal(ocrGenerator.accepts({ kind: 'video', mime: 'video/mp4' }, 'default'), false);
  assert.equal(ocrGenerator.accepts({ kind: 'image', mime: 'image/png' }, 'other'), false);
  assert.deepEqual(ocrGenerator.availability({ ocrLanguages: ['eng'], models: {}, threads: 1 }), { ok: true });
  const missing = ocrGenerator.availability({ ocrLanguages: ['eng', 'klingon'], models: {}, threads: 1 });
  assert.equal(missing.ok, false);
});

test('phototest.tif reads with a character error rate under 5%', { skip: FIXTURES_SKIP }, async () => {
  const j = await ocr({ path: fixture('ocr/tesseract-test/phototest.tif'), kind: 'image', mime: 'image/tiff' });
  const cer = characterErrorRate(j.text, gt('ocr/tesseract-test/phototest.gt.txt'));
  assert.ok(cer < 0.05, `CER ${cer}`);
  assert.equal(j.lang, 'eng');
  assert.match(j.engine, /^tesseract\.js@7\.\d+\.\d+ LSTM \(eng 4\.0\.0_best_int\)$/);
  assert.ok(j.confidence > 0.8 && j.confidence <= 1);
  assert.deepEqual([j.pageCount, j.pagesRead, j.truncated], [1, 1, false]);
  const page = j.pages[0]!;
  assert.deepEqual([page.page, page.source, page.unit, page.rotation, page.width, page.height], [1, 'ocr', 'px', 0, 640, 480]);
  // One block per line, boxes inside the image, top to bottom.
  assert.equal(page.blocks.length, 8);
  assert.equal(page.blocks[0]!.text, 'This is a lot of 12 point text to test the');
  for (const b of page.blocks) {
    const [x0, y0, x1, y1] = b.bbox;
    assert.ok(x0 >= 0 && y0 >= 0 && x1 <= 640 && y1 <= 480 && x0 < x1 && y0 < y1, JSON.stringify(b));
    assert.ok(b.confidence > 0.5 && b.confidence <= 1);
  }
  assert.ok(page.blocks[1]!.bbox[1] > page.blocks[0]!.bbox[1]);
});

test('simple-90.jpg reads "Tesseract.js" once its EXIF orientation is applied', { skip: FIXTURES_SKIP }, async () => {
  const path = fixture('ocr/tesseract.js/simple-90.jpg');
  const orientation = (await sharp(path).metadata()).orientation;
  assert.ok(orientation !== undefined && orientation >= 5, `EXIF orientation ${orientation}: the test would prove nothing`);
  const j = await ocr({ path, kind: 'image', mime: 'image/jpeg' });
  assert.equal(normalizeText(j.text), normalizeText(gt('ocr/tesseract.js/simple-90.gt.txt')));
  assert.equal(j.pages[0]!.rotation, 0); // upright from EXIF alone, no guessing needed
});

test('a page scanned sideways is turned upright before reading', { skip: FIXTURES_SKIP }, async () => {
  const j = await ocr({ path: fixture('ocr/tesseract-test/phototest-rotated-R.png'), kind: 'image', mime: 'image/png' });
  const page = j.pages[0]!;
  assert.equal(page.rotation, 270);
  assert.deepEqual([page.width, page.height], [640, 480]); // the upright page
  const cer = characterErrorRate(j.text, gt('ocr/tesseract-test/phototest.gt.txt'));
  assert.ok(cer < 0.05, `CER ${cer}`);
});

test('a text-layer PDF gives its own text, without OCR', { skip: FIXTURES_SKIP }, async () => {
  const j = await ocr({ path: fixture('pdf/text-layer/springai-pdftex-sample.pdf'), kind: 'document', mime: 'application/pdf' });
  assert.deepEqual([j.pageCount, j.pagesRead, j.truncated], [10, 10, false]);
  for (const words of ['Sample PDF Document', 'Grzegorz Grudziński', 'ż', 'ą, ę', 'pdflatex']) assert.ok(j.text.includes(words), `missing ${words}`);
  assert.equal(j.pages[0]!.source, 'text-layer');
  assert.equal(j.pages[0]!.unit, 'pt');
  assert.equal(j.confidence, 1);
  assert.match(j.engine, /pdfjs-dist@5\.\d+\.\d+ \(text layer\)/);
  const tiny = await ocr({ path: fixture('pdf/text-layer/lychee-pdf.pdf'), kind: 'document', mime: 'application/pdf' });
  assert.equal(tiny.text, 'PDF');
});

test('the page limit reads the first pages and says so', { skip: FIXTURES_SKIP }, async () => {
  // ocrMaxPages is read by this generator but not (yet) part of the shared GeneratorSettings.
  const settings: Partial<GeneratorSettings> & { ocrMaxPages: number } = { ocrMaxPages: 3 };
  const j = await ocr({ path: fixture('pdf/text-layer/springai-pdftex-sample.pdf'), kind: 'document', mime: 'application/pdf', settings });
  assert.deepEqual([j.pageCount, j.pagesRead, j.truncated], [10, 3, true]);
  assert.match(j.truncatedReason ?? '', /first 3 of 10 pages.*page limit/);
});

test('every page of a multi-page TIFF is read, up to the page limit', { skip: FIXTURES_SKIP }, async () => {
  const dir = tempDir();
  try {
    const path = join(dir.path, 'fax.tif');
    const page = await sharp(fixture('ocr/tesseract.js/simple.png')).png().toBuffer();
    await sharp([page, page, page], { join: { animated: true } }).tiff().toFile(path);
    const settings: Partial<GeneratorSettings> & { ocrMaxPages: number } = { ocrMaxPages: 2 };
    const j = await ocr({ path, kind: 'image', mime: 'image/tiff', settings });
    assert.deepEqual(j.pages.map((p) => [p.page, p.text]), [[1, 'Tesseract.js'], [2, 'Tesseract.js']]);
    assert.deepEqual([j.pageCount, j.pagesRead, j.truncated], [3, 2, true]);
    assert.equal(j.text, 'Tesseract.js\n\nTesseract.js');
  } finally {
    dir.cleanup();
  }
});

test('a scanned PDF is OCR\'d from its rendered page', { skip: FIXTURES_SKIP }, async () => {
  const j = await ocr({ path: fixture('pdf/scanned/ocrmypdf-linn.pdf'), kind: 'document', mime: 'application/pdf' });
  const page = j.pages[0]!;
  assert.equal(page.source, 'ocr');
  assert.deepEqual([page.unit, page.width, page.height], ['pt', 612, 792]);
  const recall = wordRecall(j.text, gt('pdf/scanned/ocrmypdf-linn.gt.txt'));
  assert.ok(recall > 0.85, `word recall ${recall}`);
  assert.ok(j.text.includes('LinnSequencer'));
  // The title line's box is near the top of the Letter page, in points.
  const title = page.blocks.find((b) => b.text.includes('LinnSequencer'))!;
  assert.ok(title.bbox[1] < 100 && title.bbox[2] <= 612, JSON.stringify(title));
});

/** Three pages: a scan of simple.png, a born-digital page, the scan again. */
async function mixedPdf(path: string): Promise<void> {
  const { data, info } = await sharp(fixture('ocr/tesseract.js/simple.png')).grayscale().extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  const [w, h] = [info.width, info.height];
  const scan = `q ${w} 0 0 ${h} 0 0 cm /Im1 Do Q`;
  const text = 'BT /F1 14 Tf 10 90 Td (A born-digital page between two scans) Tj ET';
  const page = (contents: number) => `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${w} ${h}] /Contents ${contents} 0 R /Resources << /XObject << /Im1 8 0 R >> /Font << /F1 9 0 R >> >> >>`;
  writeFileSync(path, buildPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R 4 0 R 5 0 R] /Count 3 >>',
    page(6), page(7), page(6),
    pdfStream(Buffer.from(scan, 'latin1')),
    pdfStream(Buffer.from(text, 'latin1')),
    pdfStream(deflateSync(data), `/Type /XObject /Subtype /Image /Width ${w} /Height ${h} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode `),
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ]));
}

test('a PDF of scans and text pages: each page read its own way; the time limit truncates', { skip: FIXTURES_SKIP }, async () => {
  const dir = tempDir();
  try {
    const path = join(dir.path, 'mixed.pdf');
    await mixedPdf(path);
    const j = await ocr({ path, kind: 'document', mime: 'application/pdf' });
    assert.deepEqual(j.pages.map((p) => [p.page, p.source, p.text]), [
      [1, 'ocr', 'Tesseract.js'], [2, 'text-layer', 'A born-digital page between two scans'], [3, 'ocr', 'Tesseract.js'],
    ]);
    assert.match(j.engine, /^pdfjs-dist@\S+ \(text layer\) \+ tesseract\.js@/);
    // 4 s: the first scan is always read; another is started only with ≥ 4 s left (half the 8 s guess
    // of a page's time before any was measured), so the last scan is left out and the text page kept.
    const short = await ocr({ path, kind: 'document', mime: 'application/pdf', timeoutMs: 4_000 });
    assert.deepEqual(short.pages.map((p) => [p.page, p.source]), [[1, 'ocr'], [2, 'text-layer']]);
    assert.deepEqual([short.pageCount, short.pagesRead, short.truncated], [3, 2, true]);
    assert.match(short.truncatedReason ?? '', /only 2 of 3 pages are read \(time limit\)/);
  } finally {
    dir.cleanup();
  }
});

test('a missing OCR language fails permanently, naming it', { skip: FIXTURES_SKIP }, async () => {
  await failsPermanently({ path: fixture('ocr/tesseract.js/simple.png'), kind: 'image', mime: 'image/png', settings: { ocrLanguages: ['eng', 'xqz'] } },
    /no OCR data for language "xqz"/, 2_000);
});

test('broken and hostile files fail permanently and fast', async () => {
  const dir = tempDir();
  try {
    const garbagePdf = join(dir.path, 'garbage.pdf');
    writeFileSync(garbagePdf, Buffer.from('%PDF-1.4 nothing of a PDF follows\n'.repeat(50)));
    await failsPermanently({ path: garbagePdf, kind: 'document', mime: 'application/pdf' }, /garbage\.pdf.*(not a valid PDF|could not be read)/, 10_000);

    const png = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#fff' } }).png().toBuffer();
    const truncated = join(dir.path, 'truncated.png');
    writeFileSync(truncated, png.subarray(0, Math.floor(png.length / 2)));
    await failsPermanently({ path: truncated, kind: 'image', mime: 'image/png' }, /truncated\.png/, 5_000);

    const bomb = join(dir.path, 'bomb.png');
    writeFileSync(bomb, pngClaiming(50_000, 50_000));
    await failsPermanently({ path: bomb, kind: 'image', mime: 'image/png' }, /50000×50000 \(2500 MP\), more than the 100 MP limit/, 1_000);
  } finally {
    dir.cleanup();
  }
});

test('a page that could not be read fails the OCR with the reason; a blank page is read as blank', async () => {
  const dir = tempDir();
  try {
    // Content that is not the deflate data it says: pdfjs draws nothing and says why.
    const broken = join(dir.path, 'broken.pdf');
    writeFileSync(broken, onePagePdf(Buffer.from('this is not deflate data at all', 'latin1'), [0, 0, 200, 200], '/Filter /FlateDecode '));
    await failsPermanently({ path: broken, kind: 'document', mime: 'application/pdf' },
      /broken\.pdf: page 1 could not be read: a stream could not be decoded: FormatError: Unknown compression method in flate stream/, 60_000);
    const blank = join(dir.path, 'blank.pdf');
    writeFileSync(blank, onePagePdf('', [0, 0, 200, 200]));
    const json = await ocr({ path: blank, kind: 'document', mime: 'application/pdf' });
    assert.deepEqual([json.pages.length, json.text], [1, '']);
  } finally {
    dir.cleanup();
  }
});

test('an abort stops OCR at once, and the next job still works', { skip: FIXTURES_SKIP }, async () => {
  const ac = new AbortController();
  const t0 = Date.now();
  const running = ocr({ path: fixture('pdf/scanned/ocrmypdf-linn.pdf'), kind: 'document', mime: 'application/pdf', signal: ac.signal });
  setTimeout(() => ac.abort('cancelled by the user'), 1_500);
  await assert.rejects(running, (err: unknown) => err instanceof GeneratorError && /cancelled by the user/.test(err.message));
  assert.ok(Date.now() - t0 < 4_000, `took ${Date.now() - t0} ms`);
  const j = await ocr({ path: fixture('ocr/tesseract.js/simple.png'), kind: 'image', mime: 'image/png' });
  assert.equal(normalizeText(j.text), 'Tesseract.js');
});
