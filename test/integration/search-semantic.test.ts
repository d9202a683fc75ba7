import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_SKIP, json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { SEMANTIC_TEXTS as TEXTS, buildTinyEmbeddingModel } from '../tiny-embedding-model.js';

interface ResultJson { content_uuid: string; kind: string; score: number; score_kind: string; snippet: string; source: string; locator: unknown; paths: string[] }

/**
 * `vss search --semantic` as a user meets it (DESIGN §14, issue 11's done-when): a folder of
 * text files, the tiny test embeddings model installed with `vss models add`, the embeddings
 * jobs run, then the nearest chunk found — in-process and through a daemon, the same answers.
 */
describe('vss search --semantic (real CLI, tiny real embeddings model)', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir('vss-semantic-');
  const tree = join(tmp.path, 'tree');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1' };
  const search = async (args: string[], e: Record<string, string | undefined> = env) => json<ResultJson[]>(await runCli(['search', ...args, '--json'], e));
  const nameOf = (r: ResultJson) => r.paths[0]!.split('/').at(-1);

  before(async () => {
    mkdirSync(tree, { recursive: true });
    for (const [name, text] of Object.entries(TEXTS)) writeFileSync(join(tree, name), text);
    json(await runCli(['library', 'create', 'S', '--path', tmp.path, '--json'], env));
    json(await runCli(['location', 'add', tree, '--mode', 'deep', '--json'], env));
  });
  after(() => tmp.cleanup());

  it('without an embeddings model, --semantic says how to add one', async () => {
    const r = await runCli(['search', 'garden', '--semantic'], env);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /needs an embeddings model.*vss models add embeddings DIR/);
    const model = await runCli(['search', 'garden', '--model', 'tiny'], env);
    assert.equal(model.code, 2);
    assert.match(model.stderr, /add --semantic/);
  });

  it('with the test model installed and its jobs run, finds the nearest chunk first', async () => {
    const dir = join(tmp.path, 'models', 'tiny');
    buildTinyEmbeddingModel(dir, { dims: 16 });
    const add = json<{ id: string; queued: number }>(await runCli(['models', 'add', 'embeddings', dir, '--id', 'tiny', '--json'], env));
    assert.equal(add.queued, Object.keys(TEXTS).length);
    const run = json<{ errors: unknown[] }>(await runCli(['jobs', 'run', '--until-idle', '--json'], env));
    assert.deepEqual(run.errors, []);
    for (const [name, text] of Object.entries(TEXTS)) {
      const r = await search([text, '--semantic']);
      assert.equal(r.length, Object.keys(TEXTS).length, name);
      assert.equal(nameOf(r[0]!), name);
      assert.equal(r[0]!.source, 'semantic');
      assert.ok(Math.abs(r[0]!.score - 1) < 1e-3, `${name}: score ${r[0]!.score}`);
      assert.equal(r[0]!.snippet, text);
      assert.deepEqual(r[0]!.locator, { chunk: 0 });
      assert.ok(r[1]!.score < r[0]!.score);
      assert.ok(r.every((h) => h.score_kind === 'cosine'), `${name}: ${r.map((h) => h.score_kind).join(' ')}`);
    }
    // The same words without --semantic: the text files' contents are not in the word index.
    assert.deepEqual(await search([TEXTS['river.txt']!]), []);
    const human = await runCli(['search', TEXTS['river.txt']!, '--semantic', '--limit', '1'], env);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /river\.txt {2}\(semantic, chunk 1\)\n {2}Water runs over/);
  });

  it('fuses the name match and the semantic ranking when both find something', async () => {
    const r = await search(['garden', '--semantic']);
    assert.equal(nameOf(r[0]!), 'garden.txt');
    // First of the text ranking (by its name), so its entry is the name match, scored by reciprocal rank.
    assert.equal(r[0]!.source, 'name');
    assert.match(r[0]!.snippet, /\[garden\]/);
    assert.ok(r[0]!.score >= 1 / 61 && r[0]!.score <= 2 / 61, `fused score ${r[0]!.score}`);
    // The others come from the semantic ranking only.
    assert.equal(r.length, Object.keys(TEXTS).length);
    for (const other of r.slice(1)) assert.equal(other.source, 'semantic');
    // Every score of a fused list is a reciprocal-rank sum; the same word without --semantic is BM25.
    assert.deepEqual(r.map((h) => h.score_kind), r.map(() => 'rrf'));
    const words = await search(['garden']);
    assert.deepEqual(words.map((h) => [h.source, h.score_kind]), [['name', 'bm25']]);
    assert.ok(words[0]!.score < 0);
    assert.deepEqual((await search(['garden', '--semantic', '--kind', 'image'])), []);
  });

  it('a daemon answers the same, with the same errors', async () => {
    const queries = [[TEXTS['fox.txt']!, '--semantic'], ['garden', '--semantic'], ['letter window', '--semantic', '--limit', '2']];
    const inProcess: ResultJson[][] = [];
    for (const q of queries) inProcess.push(await search(q)); // one at a time: each in-process run holds the library
    const denv = { ...env, VSS_NO_DAEMON: undefined };
    const started = await runCli(['daemon', 'start'], denv);
    assert.equal(started.code, 0, started.stderr);
    try {
      for (const [i, q] of queries.entries()) assert.deepEqual(await search(q, denv), inProcess[i], q.join(' '));
      const bad = await runCli(['search', 'garden', '--semantic', '--model', 'nope'], denv);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /no embeddings model "nope" is installed on this device \(installed: tiny\)/);
    } finally {
      await runCli(['daemon', 'stop'], denv);
    }
  });
});
