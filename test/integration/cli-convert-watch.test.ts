import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, FIXTURES_SKIP, VSS_BIN, json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

interface SidecarJson { content_uuid: string; kind: string; variant: string; format: string; status: string; source: string; path: string | null; checksum: string | null }

describe('cli: a Live Photo from deep indexing to a managed sidecar', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir();
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  after(() => tmp.cleanup());

  it('pairs the Apple Live Photo, converts its movie into the library, and keeps it local', async () => {
    const photos = join(tmp.path, 'Photos');
    mkdirSync(photos);
    copyFileSync(join(FIXTURES, 'livephoto/apple-iphone6s/train.jpg'), join(photos, 'train.jpg'));
    copyFileSync(join(FIXTURES, 'livephoto/apple-iphone6s/train.mov'), join(photos, 'train.mov'));
    const movie = readFileSync(join(photos, 'train.mov'));
    json(await runCli(['library', 'create', 'LP', '--path', tmp.path, '--json'], env));
    json(await runCli(['location', 'add', photos, '--mode', 'deep', '--json'], env));
    const [ref] = json<SidecarJson[]>(await runCli(['sidecars', 'list', '--kind', 'live_photo_video', '--json'], env));
    assert.equal(ref!.source, 'reference');
    assert.equal(ref!.path, join(photos, 'train.mov'));

    // The movie exists once: moved into the library folder it would leave the Guardian's counts, so it stays unless forced (faults note, defect 9).
    const contentsBefore = json<{ contents: number }>(await runCli(['guardian', 'status', '--json'], env)).contents;
    const refused = await runCli(['sidecars', 'convert-references', '--kind', 'live_photo_video', '--json'], env);
    assert.equal(refused.code, 1);
    const why = (JSON.parse(refused.stdout) as { converted: number; failed: Array<{ reason: string }> });
    assert.equal(why.converted, 0);
    assert.match(why.failed[0]!.reason, /^refused: this move would leave a content below its policy .*the last copy in the library of content .*train\.mov.*Add --force to convert it anyway$/);
    assert.equal(existsSync(join(photos, 'train.mov')), true);
    assert.equal(json<{ contents: number }>(await runCli(['guardian', 'status', '--json'], env)).contents, contentsBefore, 'still counted');

    const conv = json<{ converted: number; failed: unknown[] }>(await runCli(['sidecars', 'convert-references', '--kind', 'live_photo_video', '--force', '--json'], env));
    assert.deepEqual([conv.converted, conv.failed.length], [1, 0]);
    const [after] = json<SidecarJson[]>(await runCli(['sidecars', 'list', '--kind', 'live_photo_video', '--json'], env));
    assert.equal(after!.source, 'converted');
    assert.ok(after!.path!.endsWith(`/${ref!.content_uuid}/live_photos/original.mov`));
    assert.deepEqual(readFileSync(after!.path!), movie);
    assert.equal(existsSync(join(photos, 'train.mov')), false);
    const [p] = json<Array<{ local: boolean }>>(await runCli(['sidecars', 'presence', ref!.content_uuid, '--kind', 'live_photo_video', '--variants', 'original', '--json'], env));
    assert.equal(p!.local, true);
    const rescan = json<{ files: number; live_photos: number }>(await runCli(['location', 'rescan', '1', '--json'], env));
    assert.equal(rescan.files, 1, 'the moved movie is no longer an entry');
    const [still] = json<SidecarJson[]>(await runCli(['sidecars', 'list', '--kind', 'live_photo_video', '--json'], env));
    assert.equal(still!.source, 'converted', 'a rescan does not undo the conversion');
  });
});

describe('cli: sidecars watch', () => {
  const tmp = tempDir();
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  after(() => tmp.cleanup());

  it('reconciles at start, then watches until Ctrl-C and releases the library', async () => {
    const lib = json<{ path: string }>(await runCli(['library', 'create', 'W', '--path', tmp.path, '--json'], env)).path;
    // A leftover temp file for reconcile to clean at start.
    const stray = join(lib, 'sidecars', 'content', 'aa', 'bb');
    mkdirSync(stray, { recursive: true });
    copyFileSync(VSS_BIN, join(stray, '.vss-tmp-x.webp.123456'));
    const child = spawn(process.execPath, [VSS_BIN, 'sidecars', 'watch'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const first = await new Promise<string>((res, rej) => {
        child.stdout!.once('data', (d: Buffer) => res(d.toString()));
        child.once('close', (code) => rej(new Error(`watch exited ${code}`)));
      });
      assert.match(first, /Reconciled \(0 recorded, 0 missing, \d+ orphans removed, 1 temp removed, 0 corrupt\); watching/);
      assert.equal(existsSync(join(stray, '.vss-tmp-x.webp.123456')), false);
    } finally {
      child.kill('SIGINT');
      await new Promise((r) => child.once('close', r));
    }
    assert.equal(existsSync(join(lib, '.sdlibrary.lock')), false, 'the lock is released on Ctrl-C');
    rmSync(stray, { recursive: true, force: true });
  });
});
