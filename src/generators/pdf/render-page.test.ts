import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { FIXTURES, FIXTURES_SKIP, tempDir } from '../../../test/helpers.js';
import { GeneratorError } from '../types.js';
import { buildPdf, onePagePdf, pdfStream } from '../../../test/build-pdf.js';
import { pdfDecompressionBomb, pdfFormDrawingItself } from '../../../test/hostile-files.js';
import { extractPdfText } from './extract-text.js';
import { renderPdfPage, renderPdfPagesGray } from './render-page.js';

const signal = new AbortController().signal;
const SAMPLE = join(FIXTURES, 'pdf/text-layer/springai-pdftex-sample.pdf');

/** Rejects with a permanent GeneratorError whose message matches RE, within MAXMS. */
async function failsPermanently(p: Promise<unknown>, re: RegExp, maxMs: number): Promise<void> {
  const t0 = Date.now();
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof GeneratorError, `not a GeneratorError: ${String(err)}`);
    assert.equal(err.permanent, true);
    assert.match(err.message, re);
    return true;
  });
  assert.ok(Date.now() - t0 < maxMs, `took ${Date.now() - t0} ms`);
}

test('the first page renders as a PNG whose long edge is maxEdge', { skip: FIXTURES_SKIP }, async () => {
  const r = await renderPdfPage(SAMPLE, 0, { maxEdge: 256, signal, timeoutMs: 30_000 });
  assert.equal(r.pageCount, 10);
  assert.equal(Math.max(r.width, r.height), 256);
  assert.equal(r.height, 256); // A4 portrait
  const meta = await sharp(r.png).metadata();
  assert.equal(meta.format, 'png');
  assert.deepEqual([meta.width, meta.height], [r.width, r.height]);
  assert.equal(Math.round(r.pageWidthPt), 595);
  // The title is drawn: the page is not blank white.
  const stats = await sharp(r.png).stats();
  assert.ok(stats.channels[0]!.min < 100, 'no dark pixels on the rendered page');
});

test('maxDpi keeps a small page small', async () => {
  const dir = tempDir();
  try {
    const path = join(dir.path, 'card.pdf');
    writeFileSync(path, onePagePdf('BT /F1 12 Tf 10 10 Td (card) Tj ET', [0, 0, 144, 72]));
    const r = await renderPdfPage(path, 0, { maxEdge: 4000, maxDpi: 100, signal, timeoutMs: 30_000 });
    assert.deepEqual([r.width, r.height], [200, 100]);
  } finally {
    dir.cleanup();
  }
});

test('standard fonts resolve offline: Helvetica text is drawn', async () => {
  const dir = tempDir();
  try {
    const path = join(dir.path, 'helvetica.pdf');
    // A black bar of text on a white page; without font data pdfjs would draw nothing.
    writeFileSync(path, onePagePdf('BT /F1 60 Tf 20 40 Td (IIIIIIII) Tj ET', [0, 0, 400, 150]));
    const r = await renderPdfPagesGray(path, [0], { maxEdge: 400, signal, timeoutMs: 30_000 });
    const page = r.pages[0]!;
    assert.equal(page.gray.length, page.width * page.height);
    const dark = page.gray.filter((v) => v < 128).length;
    assert.ok(dark > 1000, `only ${dark} dark pixels`);
  } finally {
    dir.cleanup();
  }
});

test('pages past the end are refused; several pages render in one call', { skip: FIXTURES_SKIP }, async () => {
  await failsPermanently(renderPdfPage(SAMPLE, 10, { maxEdge: 100, signal, timeoutMs: 30_000 }), /page 11 does not exist \(the PDF has 10\)/, 20_000);
  const r = await renderPdfPagesGray(SAMPLE, [0, 9, 12], { maxEdge: 100, signal, timeoutMs: 30_000 });
  assert.deepEqual(r.pages.map((p) => p.pageIndex), [0, 9]);
});

test('hostile and broken PDFs fail permanently within a bounded time', async () => {
  const dir = tempDir();
  try {
    const garbage = join(dir.path, 'garbage.pdf');
    writeFileSync(garbage, Buffer.from('this is not a PDF at all\n'.repeat(200)));
    await failsPermanently(renderPdfPage(garbage, 0, { maxEdge: 100, signal, timeoutMs: 10_000 }), /garbage\.pdf: .*not a valid PDF/, 8_000);

    // A page tree whose only kid is itself.
    const loop = join(dir.path, 'loop.pdf');
    writeFileSync(loop, buildPdf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [2 0 R] /Count 1 >>']));
    await failsPermanently(renderPdfPage(loop, 0, { maxEdge: 100, signal, timeoutMs: 10_000 }), /circular reference/, 8_000);

    // 64 MB of drawing operators compressed to ~150 KB: endless work for the renderer, stopped by the timeout.
    const op = Buffer.from('BT /F1 12 Tf 10 10 Td (A) Tj ET\n');
    const ops = Buffer.alloc(op.length * 2_000_000);
    for (let i = 0; i < 2_000_000; i++) op.copy(ops, i * op.length);
    const bomb = join(dir.path, 'bomb.pdf');
    writeFileSync(bomb, onePagePdf(deflateSync(ops), [0, 0, 200, 200], '/Filter /FlateDecode '));
    await failsPermanently(renderPdfPage(bomb, 0, { maxEdge: 100, signal, timeoutMs: 2_000 }), /took longer than 2 s/, 6_000);

    // A page a million kilometres wide.
    const huge = join(dir.path, 'huge.pdf');
    writeFileSync(huge, onePagePdf('', [0, 0, 3e12, 3e12]));
    await failsPermanently(renderPdfPage(huge, 0, { maxEdge: 100, signal, timeoutMs: 10_000 }), /absurdly large/, 8_000);
  } finally {
    dir.cleanup();
  }
});

test('an abort stops the render at once', { skip: FIXTURES_SKIP }, async () => {
  const ac = new AbortController();
  const p = renderPdfPage(SAMPLE, 0, { maxEdge: 2000, signal: ac.signal, timeoutMs: 30_000 });
  ac.abort('cancelled by the user');
  await failsPermanently(p, /stopped: cancelled by the user/, 2_000);
});

/** A page drawing form /A twice side by side; /A draws /B, /B draws /C, which shows a black bar. */
function nestedFormsPdf(): Buffer {
  const font = '/Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >>';
  const form = (content: string, xobjects: string) => pdfStream(Buffer.from(content, 'latin1'), `/Type /XObject /Subtype /Form /BBox [0 0 200 200] /Resources << /XObject << ${xobjects} >> ${font} >> `);
  return buildPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 200] /Contents 4 0 R /Resources << /XObject << /A 5 0 R >> >> >>',
    pdfStream(Buffer.from('q /A Do Q q 1 0 0 1 200 0 cm /A Do Q', 'latin1')),
    form('/B Do', '/B 6 0 R'),
    form('BT /F1 8 Tf 0 0 Td (nested) Tj ET /C Do', '/C 7 0 R'),
    form('0 g 20 20 160 160 re f', ''),
  ]);
}

test('forms drawn twice and nested three deep are drawn; a form that draws itself fails at once, with the reason', async () => {
  const dir = tempDir();
  try {
    const nested = join(dir.path, 'nested.pdf');
    writeFileSync(nested, nestedFormsPdf());
    const r = await renderPdfPagesGray(nested, [0], { maxEdge: 400, signal, timeoutMs: 30_000 });
    const page = r.pages[0]!;
    assert.equal(page.problem, undefined);
    // Both copies of the innermost square, left and right.
    const at = (x: number, y: number) => page.gray[y * page.width + x]!;
    assert.ok(at(100, 100) < 50 && at(300, 100) < 50, 'the nested forms were not drawn');
    const text = await extractPdfText(nested, { signal, timeoutMs: 30_000 });
    assert.equal(text.pages[0]!.text.match(/nested/g)?.length, 2, text.pages[0]!.text);

    for (const how of ['stack', 'fonts'] as const) {
      const loop = join(dir.path, `${how}.pdf`);
      writeFileSync(loop, pdfFormDrawingItself(how));
      const reason = /page 1 could not be read: a form XObject draws itself \(object 5 0 R\)/;
      await failsPermanently(renderPdfPage(loop, 0, { maxEdge: 100, signal, timeoutMs: 30_000 }), reason, 10_000);
      await failsPermanently(extractPdfText(loop, { signal, timeoutMs: 30_000 }), reason, 10_000);
    }
  } finally {
    dir.cleanup();
  }
});

test('a page that inflates past the decoder\'s memory fails with the reason, not a blank page', { skip: process.platform === 'linux' ? false : 'the cap is Linux\'s RLIMIT_DATA' }, async () => {
  const dir = tempDir();
  try {
    const bomb = join(dir.path, 'bomb.pdf');
    writeFileSync(bomb, pdfDecompressionBomb());
    const reason = /bomb\.pdf: .*page 1 could not be read: it needs more memory than a decoder may use \(\d+ MiB\)/;
    await failsPermanently(renderPdfPage(bomb, 0, { maxEdge: 100, signal, timeoutMs: 60_000 }), reason, 30_000);
    await failsPermanently(extractPdfText(bomb, { signal, timeoutMs: 60_000 }), reason, 30_000);
  } finally {
    dir.cleanup();
  }
});
