import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_SKIP, json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { buildTinyEmbeddingModel } from '../tiny-embedding-model.js';

/**
 * `libraries.json`, `models.json` and `library.json` are changed by read-modify-write: real CLI
 * processes run at once, and none may write from a copy read before another's write.
 */
describe('data dir and library settings: concurrent writers lose nothing', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('eight `library create` at once: every library is listed', async () => {
    const env = { VSS_DATA_DIR: join(tmp.path, 'data-libs') };
    const names = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'];
    const made = await Promise.all(names.map((n) => runCli(['library', 'create', n, '--path', join(tmp.path, 'libs'), '--json'], env)));
    for (const r of made) assert.equal(r.code, 0, r.stderr);
    const listed = json<Array<{ name: string }>>(await runCli(['library', 'list', '--json'], env));
    assert.deepEqual(listed.map((l) => l.name).sort(), names);
    assert.deepEqual(readdirSync(env.VSS_DATA_DIR).filter((n) => n.includes('.vss-tmp-') || n.includes('.takeover-')), [], 'no leftovers');
  });

  it('six `models add` at once: every model is registered', { skip: FIXTURES_SKIP }, async () => {
    const env = { VSS_DATA_DIR: join(tmp.path, 'data-models') };
    const dir = join(tmp.path, 'tiny-model');
    buildTinyEmbeddingModel(dir);
    const ids = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5'];
    const added = await Promise.all(ids.map((id) => runCli(['models', 'add', 'embeddings', dir, '--id', id, '--json'], env)));
    for (const r of added) assert.equal(r.code, 0, r.stderr);
    const listed = json<Array<{ id: string }>>(await runCli(['models', 'list', '--json'], env));
    assert.deepEqual(listed.map((m) => m.id).sort(), ids);
  });

  it('`library policy` for two device types at once: both are kept', async () => {
    const env = { VSS_DATA_DIR: join(tmp.path, 'data-policy') };
    json(await runCli(['library', 'create', 'P', '--path', tmp.path, '--json'], env));
    const specs = ['thumb=grid@1x', 'thumb=grid@2x', 'thumb=icon@1x', 'ocr=default'];
    for (let round = 0; round < specs.length; round++) {
      const desktop = specs[round]!;
      const mobile = specs[(round + 1) % specs.length]!;
      const set = await Promise.all([
        runCli(['library', 'policy', desktop, '--device-type', 'desktop', '--json'], env),
        runCli(['library', 'policy', mobile, '--device-type', 'mobile', '--json'], env),
      ]);
      for (const r of set) assert.equal(r.code, 0, r.stderr);
      const now = await Promise.all(['desktop', 'mobile'].map(async (t) => json<{ policy: string }>(await runCli(['library', 'policy', '--device-type', t, '--json'], env)).policy));
      assert.deepEqual(now, [desktop, mobile], `round ${round}: both changes are in library.json`);
    }
  });
});
