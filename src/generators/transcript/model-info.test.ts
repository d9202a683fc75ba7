import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, FIXTURES_SKIP, tempDir } from '../../../test/helpers.js';
import { readWhisperModelInfo, WhisperModelError } from './model-info.js';

const TEST_MODEL = join(FIXTURES, 'whisper', 'for-tests-ggml-tiny.en.bin');
const work = tempDir('vss-whisper-model-');
after(() => work.cleanup());

function variant(name: string, edit: (b: Buffer) => Buffer): string {
  const path = join(work.path, name);
  writeFileSync(path, edit(Buffer.from(readFileSync(TEST_MODEL))));
  return path;
}

async function refused(path: string, pattern: RegExp): Promise<void> {
  await assert.rejects(readWhisperModelInfo(path), (err: unknown) => {
    assert.ok(err instanceof WhisperModelError, String(err));
    assert.equal(err.path, path);
    assert.match(err.message, pattern);
    return true;
  });
}

test('whisper.cpp\'s test model is described, and said to have no weights', { skip: FIXTURES_SKIP }, async () => {
  const info = await readWhisperModelInfo(TEST_MODEL);
  assert.deepEqual({ ...info, note: undefined }, {
    file: 'for-tests-ggml-tiny.en.bin', type: 'tiny.en', languages: 'english-only', ftype: 'f16',
    vocab: 51864, mels: 80, audio_layers: 4, text_layers: 4, weights_bytes: 0, note: undefined,
  });
  assert.match(info.note ?? '', /no weights/);
});

test('files that would make whisper.cpp abort are refused before loading', { skip: FIXTURES_SKIP }, async () => {
  const garbage = join(work.path, 'garbage.bin');
  writeFileSync(garbage, randomBytes(100_000));
  await refused(garbage, /no ggml magic/);
  const gguf = join(work.path, 'model.gguf');
  writeFileSync(gguf, Buffer.concat([Buffer.from('GGUF'), randomBytes(100)]));
  await refused(gguf, /GGUF/);
  await refused(variant('short.bin', (b) => b.subarray(0, 40)), /too short/);
  await refused(join(work.path, 'absent.bin'), /no such file/);
  // Each of these made whisper.cpp abort() the process when loaded unchecked.
  await refused(variant('vocab.bin', (b) => { b.writeInt32LE(2_000_000_000, 4); return b; }), /n_vocab/);
  await refused(variant('mels.bin', (b) => { b.writeInt32LE(0, 40); return b; }), /n_mels/);
  await refused(variant('ftype.bin', (b) => { b.writeInt32LE(99, 44); return b; }), /ftype 99/);
  await refused(variant('fft.bin', (b) => { b.writeInt32LE(-1, 52); return b; }), /mel filters/);
  await refused(variant('cut-vocab.bin', (b) => b.subarray(0, 300_000)), /truncated inside the vocabulary/);
});
