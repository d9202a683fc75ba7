import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { FIXTURES, FIXTURES_SKIP, REPO, tempDir } from '../helpers.js';
import { lieGif, lieHeic, liePdf } from '../hostile-files.js';

interface Outcome { ok: boolean; error?: string; permanent?: boolean | null; made?: string[]; maxRssMiB: number }

const GENERATE_ONCE = join(REPO, 'dist', 'test', 'support', 'generate-once.js');
/**
 * A thumbnail job's whole process (node, sharp, pdfjs's thread) stays under this. Before the
 * limits these files took 530–960 MiB each; a good 12 MP photo takes ~250 MiB.
 */
const THUMB_MAX_RSS_MIB = 400;

function generateOnce(generator: 'thumb' | 'ocr', path: string, mime: string, kind: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [GENERATE_ONCE, generator, path, mime, kind], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as Outcome);
      } catch {
        reject(new Error(`generate-once exited ${code}: ${err.slice(-2000)}`));
      }
    });
  });
}

/**
 * The worst files of the malformed corpus (bench/malformed-corpus.ts), each a real fixture whose
 * header lies about its size just under the 100 MP limit: the decoders that hold whole frames
 * (GIF, HEIC) refuse them from the header with a reason, and a PDF whose scan claims 100 MP is
 * rendered without allocating it. Memory is asserted, not time.
 */
describe('malformed files with lying headers are refused or decoded within a memory bound', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir('vss-malformed-mem-');
  const files: Record<string, string> = {};
  before(async () => {
    const gif = await sharp(readFileSync(join(FIXTURES, 'ocr/tesseract.js/testocr.png'))).gif().toBuffer();
    files.gif = join(tmp.path, 'claims-100mp.gif');
    writeFileSync(files.gif, lieGif(gif, 9_999));
    files.heic = join(tmp.path, 'claims-81mp.heic');
    writeFileSync(files.heic, lieHeic(readFileSync(join(FIXTURES, 'livephoto/orphan-still/IMG_1309.HEIC')), 9_000));
    files.pdf = join(tmp.path, 'scan-claims-100mp.pdf');
    writeFileSync(files.pdf, liePdf(readFileSync(join(FIXTURES, 'pdf/scanned/ocrmypdf-linn.pdf')), 'big'));
  });
  after(() => tmp.cleanup());

  it('a GIF claiming 9999×9999 is refused from its header, for thumbnails and OCR', async () => {
    for (const generator of ['thumb', 'ocr'] as const) {
      const r = await generateOnce(generator, files.gif!, 'image/gif', 'image');
      assert.equal(r.ok, false, `${generator}: ${JSON.stringify(r)}`);
      assert.equal(r.permanent, true);
      assert.match(r.error ?? '', /claims-100mp\.gif: image is 9999×9999 \(100 (MP|megapixels)\), more than the 50 (MP|megapixels) limit for GIF \(decoded whole\)/);
      assert.ok(r.maxRssMiB < THUMB_MAX_RSS_MIB, `${generator}: peak RSS ${r.maxRssMiB} MiB`);
    }
  });

  it('a HEIC claiming 9000×9000 is refused from its header before libheif decodes it', async () => {
    const r = await generateOnce('thumb', files.heic!, 'image/heic', 'image');
    assert.equal(r.ok, false, JSON.stringify(r));
    assert.equal(r.permanent, true);
    assert.match(r.error ?? '', /claims-81mp\.heic: image is 9000×9000 \(81 MP\), more than the 50 MP limit for HEIC \(decoded whole\)/);
    assert.ok(r.maxRssMiB < THUMB_MAX_RSS_MIB, `peak RSS ${r.maxRssMiB} MiB`);
  });

  it('a PDF whose scanned image claims 9999×9999 gets its thumbnails within the bound', async () => {
    const r = await generateOnce('thumb', files.pdf!, 'application/pdf', 'document');
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.deepEqual(r.made, ['detail@1x', 'grid@2x', 'grid@1x']);
    assert.ok(r.maxRssMiB < THUMB_MAX_RSS_MIB, `peak RSS ${r.maxRssMiB} MiB`);
  });
});
