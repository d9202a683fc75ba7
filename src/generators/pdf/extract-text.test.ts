import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, FIXTURES_SKIP, tempDir } from '../../../test/helpers.js';
import { GeneratorError } from '../types.js';
import { onePagePdf } from '../../../test/build-pdf.js';
import { extractPdfText } from './extract-text.js';

const signal = new AbortController().signal;

test('the text layer of a pdfTeX document, Polish letters included', { skip: FIXTURES_SKIP }, async () => {
  const r = await extractPdfText(join(FIXTURES, 'pdf/text-layer/springai-pdftex-sample.pdf'), { signal, timeoutMs: 30_000 });
  assert.equal(r.pageCount, 10);
  assert.equal(r.pages.length, 10);
  const first = r.pages[0]!;
  assert.deepEqual(first.text.split('\n'), ['Sample PDF Document', 'Robert Maron', 'Grzegorz Grudziński', 'February 20, 1999']);
  const all = r.pages.map((p) => p.text).join('\n');
  for (const word of ['Contents', 'pdflatex', 'ż', 'ą,', 'ę', 'ł,', 'ó,']) assert.ok(all.includes(word), `missing ${word}`);
  // Boxes are in points from the top-left: the title is in the upper half of an A4 page, centred.
  const title = first.blocks[0]!;
  assert.equal(title.text, 'Sample PDF Document');
  assert.equal(title.confidence, 1);
  const [x0, y0, x1, y1] = title.bbox;
  assert.ok(x0 > 150 && x1 < 420 && x0 < x1, `x ${x0}..${x1}`);
  assert.ok(y0 > 300 && y1 < 360 && y0 < y1, `y ${y0}..${y1}`);
  assert.deepEqual([Math.round(first.width), Math.round(first.height)], [595, 842]);
});

test('maxPages reads only the first pages', { skip: FIXTURES_SKIP }, async () => {
  const r = await extractPdfText(join(FIXTURES, 'pdf/text-layer/springai-pdftex-sample.pdf'), { signal, timeoutMs: 30_000, maxPages: 2 });
  assert.equal(r.pageCount, 10);
  assert.equal(r.pages.length, 2);
});

test('a tiny born-digital PDF says "PDF"; a scan has no text layer', { skip: FIXTURES_SKIP }, async () => {
  const tiny = await extractPdfText(join(FIXTURES, 'pdf/text-layer/lychee-pdf.pdf'), { signal, timeoutMs: 30_000 });
  assert.equal(tiny.pages[0]!.text, 'PDF');
  const scan = await extractPdfText(join(FIXTURES, 'pdf/scanned/ocrmypdf-linn.pdf'), { signal, timeoutMs: 30_000 });
  assert.equal(scan.pageCount, 1);
  assert.equal(scan.pages[0]!.text, '');
});

test('a generated page: text and box of a known line', async () => {
  const dir = tempDir();
  try {
    const path = join(dir.path, 'one.pdf');
    writeFileSync(path, onePagePdf('BT /F1 20 Tf 72 700 Td (Hello \\(offline\\) world) Tj ET'));
    const r = await extractPdfText(path, { signal, timeoutMs: 30_000 });
    const b = r.pages[0]!.blocks[0]!;
    assert.equal(b.text, 'Hello (offline) world');
    // Baseline at 792-700 = 92 pt from the top; the box spans the text's height around it.
    assert.ok(b.bbox[0] === 72 && b.bbox[1] < 92 && b.bbox[3] > 92, JSON.stringify(b.bbox));
  } finally {
    dir.cleanup();
  }
});

test('a file that is not a PDF fails permanently, naming the file', async () => {
  const dir = tempDir();
  try {
    const path = join(dir.path, 'fake.pdf');
    writeFileSync(path, Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]));
    await assert.rejects(extractPdfText(path, { signal, timeoutMs: 10_000 }), (err: unknown) =>
      err instanceof GeneratorError && err.permanent && err.message.includes(path) && /not a valid PDF/.test(err.message));
  } finally {
    dir.cleanup();
  }
});
