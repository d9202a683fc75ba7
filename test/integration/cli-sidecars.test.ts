import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

describe('cli: sidecars', () => {
  const tmp = tempDir();
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  let image = '';
  let text = '';

  before(async () => {
    const tree = join(tmp.path, 'tree');
    mkdirSync(tree);
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#f0a' } }).png().toFile(join(tree, 'a.png'));
    writeFileSync(join(tree, 'b.txt'), 'text');
    json(await runCli(['library', 'create', 'C', '--path', tmp.path, '--json'], env));
    json(await runCli(['location', 'add', tree, '--json'], env));
    for (const c of json<Array<{ content_uuid: string; kind: string }>>(await runCli(['content', 'list', '--json'], env))) {
      if (c.kind === 'image') image = c.content_uuid;
      else text = c.content_uuid;
    }
  });
  after(() => tmp.cleanup());

  it('queues a missing sidecar with `path`, lists it, and reports presence', async () => {
    assert.deepEqual(json(await runCli(['sidecars', 'path', image, 'thumb', 'grid@2x', '--json'], env)), { state: 'pending', enqueued: true });
    const human = await runCli(['sidecars', 'path', image, 'thumb', 'grid@2x'], env);
    assert.equal(human.stdout.trim(), 'pending');
    const list = json<Array<Record<string, unknown>>>(await runCli(['sidecars', 'list', '--status', 'pending', '--json'], env));
    assert.deepEqual(list, [{ content_uuid: image, kind: 'thumb', variant: 'grid@2x', format: 'webp', status: 'pending', source: 'generated', size: null, checksum: null, path: null, generator: null, error: null, attempts: 0 }]);
    const presence = json<Array<{ variant: string; local: boolean; status: string }>>(
      await runCli(['sidecars', 'presence', image, text, '--kind', 'thumb', '--variants', 'grid@1x,grid@2x', '--json'], env),
    );
    assert.deepEqual(presence.map((p) => [p.variant, p.local, p.status]), [['grid@1x', false, 'absent'], ['grid@2x', false, 'pending'], ['grid@1x', false, 'absent'], ['grid@2x', false, 'absent']]);
  });

  it('takes a content as any command does: a file\'s path or name, the start of its id', async () => {
    const byPath = json<{ state: string }>(await runCli(['sidecars', 'path', join(tmp.path, 'tree', 'a.png'), 'thumb', 'grid@2x', '--json'], env));
    const byName = json<{ state: string }>(await runCli(['sidecars', 'path', 'a.png', 'thumb', 'grid@2x', '--json'], env));
    const byStart = json<{ state: string }>(await runCli(['sidecars', 'path', image.slice(0, 8), 'thumb', 'grid@2x', '--json'], env));
    for (const a of [byPath, byName, byStart]) assert.equal(a.state, 'pending');
    const text = await runCli(['sidecars', 'path', join(tmp.path, 'tree', 'b.txt'), 'thumb', 'grid@1x'], env);
    assert.match(text.stderr, /cannot be made from text content/, 'the text file, not the picture');
  });

  it('exits 1 for a sidecar that cannot be made and 2 for a kind or variant outside the table', async () => {
    const r = await runCli(['sidecars', 'path', text, 'thumb', 'grid@1x'], env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^vss: error: unavailable: a thumb\/grid@1x sidecar cannot be made from text content/);
    assert.equal((await runCli(['sidecars', 'path', image, 'thumbs', 'grid@1x'], env)).code, 2);
    const hostile = await runCli(['sidecars', 'path', image, 'thumb', '../../../etc/passwd'], env);
    assert.equal(hostile.code, 2);
    assert.match(hostile.stderr, /invalid sidecar variant/);
    assert.equal((await runCli(['sidecars', 'list', '--kind', 'nope'], env)).code, 2);
  });
});
