import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, FIXTURES_SKIP, json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

interface ContentJson { content_uuid: string; kind: string; mime: string; size: number; paths: string[] }

describe('real media from ../shared/fixtures', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir();
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  after(() => tmp.cleanup());

  it('indexes the fixtures read-only in place and types them by their bytes', async () => {
    json(await runCli(['library', 'create', 'F', '--path', tmp.path, '--json'], env));
    const r = json<{ files: number; contents: number; skipped_total: number }>(await runCli(['location', 'add', FIXTURES, '--mode', 'content', '--json'], env));
    assert.equal(r.skipped_total, 0);
    assert.ok(r.files >= 40, `${r.files} files`);
    const root = realpathSync(FIXTURES); // locations are stored by their real path
    const byName = new Map<string, ContentJson>();
    for (const c of json<ContentJson[]>(await runCli(['content', 'list', '--json'], env))) for (const p of c.paths) byName.set(p.slice(root.length + 1), c);
    const expect: Record<string, [string, string]> = {
      'exif/heic/IMG_5195.HEIC': ['image', 'image/heic'],
      'livephoto/apple-iphone6s/train.jpg': ['image', 'image/jpeg'],
      'livephoto/apple-iphone6s/train.mov': ['video', 'video/quicktime'],
      'video/photoprism-blue-go-video.mp4': ['video', 'video/mp4'],
      'audio/jfk.wav': ['audio', 'audio/wav'],
      'audio/jfk.mp3': ['audio', 'audio/mpeg'],
      'pdf/scanned/ocrmypdf-linn.pdf': ['document', 'application/pdf'],
      'ocr/tesseract-test/phototest.tif': ['image', 'image/tiff'],
      'ocr/tesseract.js/simple.gt.txt': ['text', 'text/plain'],
      'embeddings/all-MiniLM-L6-v2/config.json': ['text', 'application/json'],
    };
    for (const [path, [kind, mime]] of Object.entries(expect)) {
      const c = byName.get(path);
      assert.ok(c, `${path} indexed`);
      assert.equal(c.kind, kind, path);
      assert.equal(c.mime, mime, path);
    }
    const images = json<ContentJson[]>(await runCli(['content', 'list', '--kind', 'image', '--json'], env));
    assert.ok(images.every((c) => c.kind === 'image'));
  });
});
