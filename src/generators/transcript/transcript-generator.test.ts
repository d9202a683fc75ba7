import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, FIXTURES_SKIP, tempDir } from '../../../test/helpers.js';
import { generatorContext } from '../../../test/generator-context.js';
import type { ContentKind } from '../../content/kinds.js';
import { GeneratorError, type GeneratedOutput } from '../types.js';
import { transcriptGenerator, type TranscriptJson } from './transcript-generator.js';
import { segmentInSeconds } from './whisper-child.js';

// whisper.cpp's CI model: real format and vocabulary, no weights — it runs and hears nothing.
const TEST_MODEL = join(FIXTURES, 'whisper', 'for-tests-ggml-tiny.en.bin');
const work = tempDir('vss-transcript-test-');
after(() => work.cleanup());

async function run(path: string, kind: ContentKind, mime: string, model = TEST_MODEL): Promise<GeneratedOutput[]> {
  const ctx = generatorContext({ path, kind, mime, variants: ['default'], settings: { models: { whisper: model }, threads: 2 } });
  try {
    return await transcriptGenerator.generate(ctx);
  } finally {
    ctx.cleanup();
  }
}

function transcriptOf(outs: GeneratedOutput[], seconds: number): TranscriptJson {
  assert.equal(outs.length, 1);
  const o = outs[0]!;
  assert.ok('data' in o, JSON.stringify(o));
  assert.equal(o.format, 'json');
  const t = JSON.parse(o.data.toString('utf8')) as TranscriptJson;
  assert.equal(t.language, 'en');
  // The test model has whisper.cpp's real format and vocabulary but no weights: it hears nothing,
  // so the whole, real answer is no segments and no text (a loop over the segments would check
  // nothing). How whisper's segments become seconds is tested below with segmentInSeconds.
  assert.deepEqual(t.segments, []);
  assert.equal(t.text, '');
  assert.equal(t.model, 'for-tests-ggml-tiny.en.bin', 'the file name only: sidecars travel to other devices');
  assert.match(t.engine, /^whisper\.cpp \(@napi-rs\/whisper \d/);
  assert.ok(Math.abs(t.duration - seconds) < 0.2, `duration ${t.duration}, expected about ${seconds}`);
  assert.equal(t.truncated_at, undefined);
  return t;
}

test('speech in WAV, MP3 and a video\'s sound track gives a well-formed transcript', { skip: FIXTURES_SKIP }, async () => {
  transcriptOf(await run(join(FIXTURES, 'audio', 'jfk.wav'), 'audio', 'audio/wav'), 11);
  transcriptOf(await run(join(FIXTURES, 'audio', 'jfk.mp3'), 'audio', 'audio/mpeg'), 11);
  transcriptOf(await run(join(FIXTURES, 'video', 'photoprism-blue-go-video.mp4'), 'video', 'video/mp4'), 2.41);
});

test('a video without an audio track is skipped, not failed', { skip: FIXTURES_SKIP }, async () => {
  assert.deepEqual(await run(join(FIXTURES, 'video', 'photoprism-christmas-noaudio.mp4'), 'video', 'video/mp4'), [{ variant: 'default', skip: 'no audio track' }]);
});

test('without a model the kind is unavailable, with the command to fix it', { skip: FIXTURES_SKIP }, () => {
  const reason = 'no speech model installed: run vss models add whisper PATH';
  assert.deepEqual(transcriptGenerator.availability({ ocrLanguages: [], models: {}, threads: 1 }), { ok: false, reason });
  const gone = transcriptGenerator.availability({ ocrLanguages: [], models: { whisper: join(work.path, 'deleted.bin') }, threads: 1 });
  assert.ok(!gone.ok && gone.reason.startsWith(reason), JSON.stringify(gone));
  assert.deepEqual(transcriptGenerator.availability({ ocrLanguages: [], models: { whisper: TEST_MODEL }, threads: 1 }), { ok: true });
});

test('a corrupt model is a clear permanent error, also when whisper.cpp itself crashes on it', { skip: FIXTURES_SKIP }, async () => {
  const garbage = join(work.path, 'garbage.bin');
  writeFileSync(garbage, randomBytes(100_000));
  const a = transcriptGenerator.availability({ ocrLanguages: [], models: { whisper: garbage }, threads: 1 });
  assert.ok(!a.ok && /not usable \(no ggml magic/.test(a.reason), JSON.stringify(a));
  const wav = join(FIXTURES, 'audio', 'jfk.wav');
  await assert.rejects(run(wav, 'audio', 'audio/wav', garbage), (err: unknown) => {
    assert.ok(err instanceof GeneratorError && err.permanent, String(err));
    assert.match(err.message, /no ggml magic/);
    return true;
  });
  // A header that passes every check but makes ggml abort() in the encoder (n_audio_state 6):
  // the crash stays in the child process and comes back as a reason.
  const bytes = Buffer.from(readFileSync(TEST_MODEL));
  bytes.writeInt32LE(6, 12);
  const crashing = join(work.path, 'crashing.bin');
  writeFileSync(crashing, bytes);
  await assert.rejects(run(wav, 'audio', 'audio/wav', crashing), (err: unknown) => {
    assert.ok(err instanceof GeneratorError && err.permanent, String(err));
    assert.match(err.message, /whisper\.cpp crashed with the model .*crashing\.bin.*GGML_ASSERT/);
    assert.ok(err.message.includes(wav));
    return true;
  });
});

test('cancelling stops the work at once (the child process is killed)', { skip: FIXTURES_SKIP }, async () => {
  const abort = new AbortController();
  const ctx = generatorContext({ path: join(FIXTURES, 'audio', 'jfk.wav'), kind: 'audio', mime: 'audio/wav', variants: ['default'], settings: { models: { whisper: TEST_MODEL }, threads: 1 }, signal: abort.signal });
  try {
    const t0 = Date.now();
    setTimeout(() => abort.abort(new Error('cancelled by the user')), 400);
    await assert.rejects(transcriptGenerator.generate(ctx), /stopped: cancelled by the user/);
    assert.ok(Date.now() - t0 < 2_000, `took ${Date.now() - t0} ms`);
  } finally {
    ctx.cleanup();
  }
});

test('segment times: centiseconds of a chunk become seconds on the file\'s time line, clamped', () => {
  assert.deepEqual(segmentInSeconds({ text: ' And so ', start: 0, end: 1100 }, 0, 11), { start: 0, end: 11, text: 'And so' });
  assert.deepEqual(segmentInSeconds({ text: 'x', start: 250, end: 433 }, 1200, 600), { start: 1202.5, end: 1204.33, text: 'x' });
  assert.deepEqual(segmentInSeconds({ text: 'pad', start: 90, end: 110 }, 0, 0.5), { start: 0.5, end: 0.5, text: 'pad' });
});

test('accepts audio and video, default variant only', () => {
  assert.equal(transcriptGenerator.accepts({ kind: 'audio', mime: 'audio/mpeg' }, 'default'), true);
  assert.equal(transcriptGenerator.accepts({ kind: 'video', mime: 'video/mp4' }, 'default'), true);
  assert.equal(transcriptGenerator.accepts({ kind: 'image', mime: 'image/jpeg' }, 'default'), false);
  assert.equal(transcriptGenerator.accepts({ kind: 'audio', mime: 'audio/mpeg' }, 'other'), false);
});
