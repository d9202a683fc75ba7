import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { VSS_BIN, json, runCli as runCliProcess, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

describe('vss demo', () => {
  const tmp = tempDir();
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  after(() => tmp.cleanup());

  it('builds a sample set, indexes it deeply, finds its duplicates and makes its sidecars', async () => {
    const s = json<{
      library: string; index: { files: number; contents: number; skipped_total: number }; kinds: Record<string, number>; duplicates: Array<{ paths: string[] }>; made_current: boolean;
      jobs: { completed: number; failed: number; errors: unknown[] }; sidecars: Record<string, number>; ocr_sample: string | null;
      search: { query: string; results: Array<{ path: string | null; source: string; snippet: string }> };
    }>(
      await runCli(['demo', '--path', join(tmp.path, 'demo'), '--json'], env),
    );
    assert.ok(existsSync(join(s.library, 'database.db')));
    assert.equal(s.index.files, 14);
    assert.equal(s.index.contents, 11);
    assert.equal(s.index.skipped_total, 0);
    assert.equal(s.duplicates.length, 3);
    assert.deepEqual(s.kinds, { image: 5, video: 1, text: 3, document: 1, unknown: 1 });
    assert.equal(s.made_current, true);
    const list = json<unknown[]>(await runCli(['content', 'list', '--json'], env));
    assert.equal(list.length, 11);
    // Five images, the PDF and the video get the desktop thumbnails; images and the PDF their OCR; the images and the video their faces (none in these) and their fingerprint; the video a thumbstrip and a proxy.
    assert.deepEqual(s.jobs.errors, []);
    assert.deepEqual(s.sidecars, { 'thumb/grid@1x': 7, 'thumb/grid@2x': 7, 'thumb/detail@1x': 7, 'phash/default': 6, 'ocr/default': 6, 'faces/default': 6, 'thumbstrip/preview': 1, 'proxy/quick': 1 });
    const ready = json<Array<{ status: string; path: string }>>(await runCli(['sidecars', 'list', '--status', 'ready', '--json'], env));
    assert.ok(ready.length === 41 && ready.every((r) => existsSync(r.path)), `${ready.length} ready`);
    assert.match(s.ocr_sample ?? '', /Total 19\.50/);
    // The word is only inside the picture: found by its OCR text, the note alone.
    assert.deepEqual(s.search.results.map((r) => [r.path?.endsWith('scanned-note.png'), r.source]), [[true, 'ocr']]);
    assert.match(s.search.results[0]!.snippet, /\[umbrella\]/i);
  });

  it('prints a readable summary', async () => {
    // A process of its own: a whole demo's stderr is nothing but what vss itself prints (its engines
    // and tools included), which the test below once checked on a third whole demo.
    const r = await runCliProcess(['demo', '--path', join(tmp.path, 'demo2')], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '', 'a whole demo prints nothing on stderr');
    assert.match(r.stdout, /indexed: +14 files/);
    assert.match(r.stdout, /sidecars: .*7 thumb\/grid@2x/);
    assert.match(r.stdout, /OCR of Documents\/scanned-note.png: "Receipt/);
    assert.match(r.stdout, /search "umbrella": .*scanned-note\.png \(ocr\)/);
    assert.match(r.stdout, /note: +transcript not made: no speech model installed/);
    assert.match(r.stdout, /duplicates: 3 contents stored more than once/);
    assert.match(r.stdout, /--library/, 'a second demo does not take over the current library');
  });

  it('--samples-only makes the sample folder alone: no library, nothing indexed (what the guide\'s pages try their examples on)', async () => {
    const dataDir = join(tmp.path, 'samples-only-data');
    const s = json<{ samples: string }>(await runCli(['demo', '--samples-only', '--path', join(tmp.path, 'samples'), '--json'], { VSS_DATA_DIR: dataDir }));
    assert.equal(s.samples, join(tmp.path, 'samples', 'Samples'));
    for (const f of ['Photos/beach.jpg', 'Documents/scanned-note.png', 'Videos/clip.mp4', 'Backup/2024 trip/IMG_0001.jpg']) assert.ok(existsSync(join(s.samples, f)), f);
    assert.ok(!existsSync(join(tmp.path, 'samples', 'Demo.sdlibrary')) && !existsSync(join(dataDir, 'libraries')), 'no library made');
    assert.equal((await runCli(['demo', '--samples-only'], env)).code, 2, 'without --path: where is asked for');
  });

  it('exits quietly when the reader of its output goes away (| head)', async () => {
    // The sample folder alone: the demo's output is printLine's either way (src/cli/commands/demo.ts),
    // and a closed pipe ends any command in src/cli/main.ts; a third whole demo (all its sidecars) was a
    // third of this file's CPU, and the test above checks that a whole demo's stderr is empty.
    const child = spawn(process.execPath, [VSS_BIN, 'demo', '--samples-only', '--path', join(tmp.path, 'demo3')], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout!.destroy(); // the reader is gone before the demo prints its first line
    const code = await new Promise<number | null>((res) => child.once('close', res));
    assert.equal(stderr, '');
    assert.equal(code, 0);
  });
});
