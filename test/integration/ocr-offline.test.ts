/**
 * OCR and PDF reading never touch the network: the generators run in a child process in which
 * every socket connect and fetch (main thread and worker threads alike, via --require) fails
 * loudly. tesseract.js downloads its language data from a CDN unless told where it is, so this
 * guards the offline set-up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FIXTURES, FIXTURES_SKIP, REPO, tempDir } from '../helpers.js';

const PRELOAD = `
const net = require('node:net');
const { isMainThread } = require('node:worker_threads');
const where = isMainThread ? 'main thread' : 'worker thread';
net.Socket.prototype.connect = function () { process.stderr.write('NETWORK USED (socket) in ' + where + '\\n'); throw new Error('network used'); };
globalThis.fetch = async (url) => { process.stderr.write('NETWORK USED (fetch ' + String(url) + ') in ' + where + '\\n'); throw new Error('network used'); };
`;

const script = (dist: string, fixtures: string) => `
import { ocrGenerator, closeOcrEngine } from ${JSON.stringify(pathToFileURL(join(dist, 'src/generators/ocr/ocr-generator.js')).href)};
import { generatorContext } from ${JSON.stringify(pathToFileURL(join(dist, 'test/generator-context.js')).href)};
const texts = [];
for (const [file, kind, mime] of [['ocr/tesseract.js/simple.png', 'image', 'image/png'], ['pdf/text-layer/lychee-pdf.pdf', 'document', 'application/pdf']]) {
  const ctx = generatorContext({ path: ${JSON.stringify(fixtures)} + '/' + file, kind, mime, variants: ['default'] });
  const [out] = await ocrGenerator.generate(ctx);
  texts.push(JSON.parse(out.data.toString()).text);
  ctx.cleanup();
}
await closeOcrEngine();
process.stdout.write(JSON.stringify(texts));
`;

test('OCR of an image and a PDF works with the network cut off', { skip: FIXTURES_SKIP }, () => {
  const dir = tempDir();
  try {
    const preload = join(dir.path, 'no-network.cjs');
    const main = join(dir.path, 'ocr-offline.mjs');
    writeFileSync(preload, PRELOAD);
    writeFileSync(main, script(join(REPO, 'dist'), FIXTURES));
    const r = spawnSync(process.execPath, ['--require', preload, main], { cwd: dir.path, encoding: 'utf8', timeout: 60_000 });
    assert.doesNotMatch(r.stderr, /NETWORK USED/);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), ['Tesseract.js', 'PDF']);
  } finally {
    dir.cleanup();
  }
});
