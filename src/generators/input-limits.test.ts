import assert from 'node:assert/strict';
import { copyFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FIXTURES, FIXTURES_SKIP, tempDir } from '../../test/helpers.js';
import { onePagePdf } from '../../test/build-pdf.js';
import { makeThumbs } from '../../test/thumb-support.js';
import { formatBinaryBytes as formatBytes } from '../core/format.js';
import { inputByteLimit, MiB, readBounded } from './input-limits.js';
import { extractPdfText } from './pdf/extract-text.js';
import { renderPdfPage } from './pdf/render-page.js';
import { decodeHeic } from './tools/heic-decode.js';
import { decodeHeicInThread } from './tools/heic-thread.js';
import { GeneratorError } from './types.js';

const tmp = tempDir('vss-input-limits-');
after(() => tmp.cleanup());
const signal = new AbortController().signal;
const GiB = 1024 * MiB;

/** A real file's first bytes, then a hole up to SIZE: costs no disk, reads as SIZE bytes. */
function sparseCopy(name: string, head: Buffer | string, size: number): string {
  const path = join(tmp.path, name);
  if (typeof head === 'string') copyFileSync(head, path);
  else writeFileSync(path, head);
  truncateSync(path, Math.round(size));
  return path;
}

function permanentWith(path: string, reason: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof GeneratorError, `not a GeneratorError: ${String(err)}`);
    assert.equal(err.permanent, true, `should fail permanently: ${err.message}`);
    assert.ok(err.message.includes(path), `the reason does not name the file: ${err.message}`);
    assert.match(err.message, reason);
    return true;
  };
}

test('a 1.2 GiB HEIC is refused before it is read, naming the limit and its setting', { skip: FIXTURES_SKIP }, async () => {
  const path = sparseCopy('huge.heic', join(FIXTURES, 'livephoto/orphan-still/IMG_1309.HEIC'), 1.2 * GiB);
  await assert.rejects(
    decodeHeic(path, { maxPixels: 100e6, maxBytes: 64 * MiB, signal, timeoutMs: 60_000, pixels: 12e6 }),
    permanentWith(path, /HEIC file is 1\.2 GiB, over the 64 MiB limit \(setting heicMaxBytes\)/),
  );
  // The thread that reads the file checks too (the file may have grown since the stat).
  await assert.rejects(decodeHeicInThread({ path, maxPixels: 100e6, maxBytes: 64 * MiB }), /HEIC file is 1\.2 GiB, over the 64 MiB limit/);
});

test('the thumbnail generator refuses an oversized HEIC with the library setting\'s limit', { skip: FIXTURES_SKIP }, async () => {
  const path = sparseCopy('big.heic', join(FIXTURES, 'exif/heic/IMG_5195.HEIC'), 300 * MiB);
  await assert.rejects(makeThumbs(path, 'image', 'image/heic', ['grid@1x']), permanentWith(path, /300 MiB, over the 64 MiB limit \(setting heicMaxBytes\)/));
  // A real 2.3 MB photo under a limit set to 2 MiB.
  const photo = join(FIXTURES, 'livephoto/orphan-still/IMG_1309.HEIC');
  await assert.rejects(
    makeThumbs(photo, 'image', 'image/heic', ['grid@1x'], { settings: { heicMaxBytes: 2 * MiB } }),
    permanentWith(photo, /HEIC file is 2\.2 MiB, over the 2 MiB limit \(setting heicMaxBytes\)/),
  );
});

test('a 300 MiB PDF is refused before it is opened, for rendering and for its text', async () => {
  const path = sparseCopy('huge.pdf', onePagePdf('BT /F1 20 Tf 72 700 Td (big) Tj ET'), 300 * MiB);
  const reason = /PDF is 300 MiB, over the 256 MiB limit \(setting pdfMaxBytes\)/;
  await assert.rejects(renderPdfPage(path, 0, { maxEdge: 256, signal, timeoutMs: 60_000 }), permanentWith(path, reason));
  await assert.rejects(extractPdfText(path, { signal, timeoutMs: 60_000 }), permanentWith(path, reason));
  await assert.rejects(makeThumbs(path, 'document', 'application/pdf', ['grid@1x']), permanentWith(path, reason));
});

test('a file under its limit is read whole; the limit comes from settings within sane bounds', () => {
  const path = join(tmp.path, 'small.bin');
  writeFileSync(path, Buffer.alloc(5000, 7));
  assert.equal(readBounded(path, 'pdfMaxBytes', 5000).length, 5000);
  assert.throws(() => readBounded(path, 'pdfMaxBytes', 4999), /PDF is 4\.9 KiB, over the 4\.9 KiB limit \(setting pdfMaxBytes\)/);
  assert.equal(inputByteLimit({}, 'heicMaxBytes'), 64 * MiB);
  assert.equal(inputByteLimit({ pdfMaxBytes: 10 * MiB }, 'pdfMaxBytes'), 10 * MiB);
  assert.equal(inputByteLimit({ pdfMaxBytes: 1 }, 'pdfMaxBytes'), MiB, 'a limit too small to be meant is raised to 1 MiB');
  assert.equal(formatBytes(1.2 * GiB), '1.2 GiB');
  assert.equal(formatBytes(256 * MiB), '256 MiB');
});
