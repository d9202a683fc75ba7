import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, FIXTURES_SKIP, json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { buildTinyEmbeddingModel } from '../tiny-embedding-model.js';

interface SidecarJson { content_uuid: string; kind: string; variant: string; status: string; path: string | null; generator: string | null }
interface ContentJson { content_uuid: string; paths: string[] }

/**
 * Models through the CLI: without one the kind is only noted; `models add` checks the file,
 * registers it and queues the work it makes possible; the next run makes real, parsed output with
 * whisper.cpp's weightless test model and a tiny ONNX model built here with the real tokenizer.
 */
describe('models: add a speech and an embeddings model, and their sidecars get made', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir();
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const tree = join(tmp.path, 'media');
  let contents: ContentJson[] = [];
  const uuidOf = (name: string) => contents.find((c) => c.paths.some((p) => p.endsWith(`/${name}`)))!.content_uuid;
  const list = async () => json<SidecarJson[]>(await runCli(['sidecars', 'list', '--json'], env));

  before(async () => {
    mkdirSync(tree, { recursive: true });
    copyFileSync(join(FIXTURES, 'audio', 'jfk.wav'), join(tree, 'jfk.wav'));
    writeFileSync(join(tree, 'notes.txt'), 'The inaugural address was given in January 1961. It is short and well known.\n');
    json(await runCli(['library', 'create', 'M', '--path', tmp.path, '--json'], env));
    const added = json<{ jobs_queued: number; unavailable: Array<{ kind: string }> }>(await runCli(['location', 'add', tree, '--mode', 'deep', '--json'], env));
    assert.deepEqual(added.unavailable.map((u) => u.kind).sort(), ['embeddings', 'transcript']);
    contents = json<ContentJson[]>(await runCli(['content', 'list', '--json'], env));
  });
  after(() => tmp.cleanup());

  it('refuses a file that is not a model, with a clear error, and registers nothing', async () => {
    writeFileSync(join(tmp.path, 'fake.bin'), 'definitely not ggml');
    const r = await runCli(['models', 'add', 'whisper', join(tmp.path, 'fake.bin')], env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^vss: error: .*not a usable whisper model/m);
    assert.deepEqual(json(await runCli(['models', 'list', '--json'], env)), []);
    const path = await runCli(['sidecars', 'path', uuidOf('jfk.wav'), 'transcript', 'default'], env);
    assert.equal(path.code, 1);
    assert.match(path.stderr, /no speech model installed/);
  });

  it('transcribes jfk.wav once a whisper model is added', async () => {
    const add = json<{ engine: string; queued: number }>(await runCli(['models', 'add', 'whisper', join(FIXTURES, 'whisper', 'for-tests-ggml-tiny.en.bin'), '--json'], env));
    assert.equal(add.queued, 1);
    const run = json<{ completed: number; failed: number; errors: unknown[] }>(await runCli(['jobs', 'run', '--until-idle', '--json'], env));
    assert.deepEqual(run.errors, []);
    // whisper.cpp's test model has no weights and hears no words: the real answer, once whisper
    // has heard all 11 s, is "no speech" (issue 18: not a ready transcript with nothing in it).
    // What a transcript with words looks like has its own unit test.
    assert.equal((await list()).find((s) => s.kind === 'transcript'), undefined);
    const path = await runCli(['sidecars', 'path', uuidOf('jfk.wav'), 'transcript', 'default'], env);
    assert.equal(path.code, 1);
    assert.match(path.stderr, /no speech heard in 11 s of audio/);
  });

  it('embeds the text file once an embeddings model is added', async () => {
    const dir = join(tmp.path, 'models', 'tiny-minilm');
    buildTinyEmbeddingModel(dir, { dims: 16 });
    const add = json<{ id: string; queued: number }>(await runCli(['models', 'add', 'embeddings', dir, '--id', 'Tiny-MiniLM', '--json'], env));
    assert.equal(add.id, 'tiny-minilm');
    assert.ok(add.queued >= 1);
    const run = json<{ errors: unknown[] }>(await runCli(['jobs', 'run', '--until-idle', '--json'], env));
    assert.deepEqual(run.errors, []);
    const e = (await list()).find((s) => s.kind === 'embeddings' && s.content_uuid === uuidOf('notes.txt'));
    assert.equal(e?.status, 'ready');
    assert.equal(e!.variant, 'tiny-minilm');
    const doc = JSON.parse(readFileSync(e!.path!, 'utf8')) as { model: string; dims: number; chunks: Array<{ text: string; vector: number[] }> };
    assert.equal(doc.dims, 16);
    assert.ok(doc.chunks.length >= 1 && doc.chunks.every((c) => c.vector.length === 16));
    const norm = Math.hypot(...doc.chunks[0]!.vector);
    assert.ok(Math.abs(norm - 1) < 1e-3, `vector norm ${norm}`);
    const models = json<Array<{ engine: string; id: string; present: boolean }>>(await runCli(['models', 'list', '--json'], env));
    assert.deepEqual(models.map((m) => `${m.engine}/${m.id}/${m.present}`).sort(), ['embeddings/tiny-minilm/true', 'whisper/default/true']);
  });
});

describe('models add embeddings: the id it uses is the one it prints', () => {
  const tmp = tempDir();
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  after(() => tmp.cleanup());

  it('an --id is made a variant name, printed as such, and the model\'s own name is told apart from it', async () => {
    const dir = join(tmp.path, 'models', 'tiny');
    buildTinyEmbeddingModel(dir, { dims: 8 });
    const text = await runCli(['models', 'add', 'embeddings', dir, '--id', 'My Model!'], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^Added embeddings model my-model: /);
    // The folder's config names the model all-MiniLM-L6-v2: said as its own name, not as an id.
    assert.doesNotMatch(text.stdout, /\bid all-minilm/);
    assert.match(text.stdout, /named all-minilm-l6-v2 by its config/);
    const models = json<Array<{ id: string }>>(await runCli(['models', 'list', '--json'], env));
    assert.deepEqual(models.map((m) => m.id), ['my-model']);
    const plain = json<{ id: string; info: string }>(await runCli(['models', 'add', 'embeddings', dir, '--json'], env));
    assert.equal(plain.id, 'all-minilm-l6-v2');
    assert.doesNotMatch(plain.info, /named .* by its config/, 'no note when the id is the model\'s own');
  });
});
