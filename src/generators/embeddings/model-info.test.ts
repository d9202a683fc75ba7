import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_SKIP, tempDir } from '../../../test/helpers.js';
import { buildTinyEmbeddingModel, MINILM_FIXTURE_DIR } from '../../../test/tiny-embedding-model.js';
import { modelDirProblem, modelVariant, readEmbeddingsModelInfo } from './model-info.js';

test('a complete model folder is accepted with its id and width', { skip: FIXTURES_SKIP }, () => {
  const t = tempDir();
  try {
    const dir = join(t.path, 'Some Folder');
    buildTinyEmbeddingModel(dir, { dims: 16 });
    const info = readEmbeddingsModelInfo(dir);
    // The id comes from config.json's model name, not from whatever the folder is called.
    assert.equal(info.id, 'all-minilm-l6-v2');
    assert.equal(info.dims, 16);
    assert.deepEqual({ subfolder: info.onnx.subfolder, dtype: info.onnx.dtype }, { subfolder: 'onnx', dtype: 'fp32' });
    assert.equal(modelDirProblem(dir), undefined);

    // Only the quantized export: that one is used.
    renameSync(join(dir, 'onnx', 'model.onnx'), join(dir, 'onnx', 'model_quantized.onnx'));
    assert.equal(readEmbeddingsModelInfo(dir).onnx.dtype, 'q8');
  } finally {
    t.cleanup();
  }
});

test('folders that are not usable models are refused with the reason', { skip: FIXTURES_SKIP }, () => {
  const t = tempDir();
  try {
    // The fixture has the tokenizer but no weights.
    assert.throws(() => readEmbeddingsModelInfo(MINILM_FIXTURE_DIR), /has no onnx\/model\.onnx/);
    assert.match(modelDirProblem(join(t.path, 'nowhere'))!, /does not exist/);

    const dir = join(t.path, 'm');
    buildTinyEmbeddingModel(dir);
    writeFileSync(join(dir, 'onnx', 'model.onnx'), 'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 90000000\n');
    assert.throws(() => readEmbeddingsModelInfo(dir), /Git LFS pointer/);
    writeFileSync(join(dir, 'onnx', 'model.onnx'), '<!DOCTYPE html><html><body>Redirecting to the CDN…</body></html>'.repeat(3));
    assert.throws(() => readEmbeddingsModelInfo(dir), /web page/);

    buildTinyEmbeddingModel(dir);
    writeFileSync(join(dir, 'tokenizer_config.json'), '{ not json');
    assert.throws(() => readEmbeddingsModelInfo(dir), (err: Error) => err.message.includes(join(dir, 'tokenizer_config.json')) && /not valid JSON/.test(err.message));

    buildTinyEmbeddingModel(dir);
    rmSync(join(dir, 'tokenizer.json'));
    assert.match(modelDirProblem(dir)!, /has no tokenizer\.json/);
    mkdirSync(join(dir, 'tokenizer.json'));
    assert.match(modelDirProblem(dir)!, /has no tokenizer\.json/);
  } finally {
    t.cleanup();
  }
});

test('model ids become valid variant names', () => {
  assert.equal(modelVariant('all-MiniLM-L6-v2'), 'all-minilm-l6-v2');
  assert.equal(modelVariant('BAAI/bge small en v1.5'), 'baai-bge-small-en-v1.5');
  assert.equal(modelVariant('..hidden'), 'hidden');
  assert.throws(() => modelVariant('../..'), /no usable name/);
  assert.throws(() => modelVariant('日本語'), /no usable name/);
});
