import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, FIXTURES_SKIP, tempDir } from '../../../test/helpers.js';
import { generatorContext } from '../../../test/generator-context.js';
import type { ContentKind } from '../../content/kinds.js';
import { toneSamples, wavFile } from '../../../test/hostile-files.js';
import { GeneratorError, type GeneratedOutput } from '../types.js';
import { transcriptGenerator, transcriptOf } from './transcript-generator.js';
import { segmentInSeconds } from './whisper-child.js';

// whisper.cpp's CI model: real format and vocabulary, no weights — it runs and hears nothing.
const TEST_MODEL = join(FIXTURES, 'whisper', 'for-tests-ggml-tiny.en.bin');
const work = tempDir('vss-transcript-test-');
after(() => work.cleanup());

async function run(path: string, kind: ContentKind, mime: string, model = TEST_MODEL, timeoutMs?: number): Promise<GeneratedOutput[]> {
  const ctx = generatorContext({ path, kind, mime, variants: ['default'], settings: { models: { whisper: model }, threads: 2 }, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
  try {
    return await transcriptGenerator.generate(ctx);
  } finally {
    ctx.cleanup();
  }
}

/**
 * The test model has whisper.cpp's real format and vocabulary but no weights: it hears no words
 * in anything. So on the fixtures' speech the whole, real answer is "no speech", after the sound
 * was decoded and whisper ran over all of it (the duration in the reason is whisper's own count).
 * How a result with words becomes the sidecar is tested below with transcriptOf.
 */
function noSpeechIn(outs: GeneratedOutput[], seconds: string): void {
  assert.deepEqual(outs, [{ variant: 'default', skip: `no speech heard in ${seconds} of audio` }]);
}

test('WAV, MP3 and a video\'s sound track are decoded and heard whole; a model that hears no words says "no speech"', { skip: FIXTURES_SKIP }, async () => {
  noSpeechIn(await run(join(FIXTURES, 'audio', 'jfk.wav'), 'audio', 'audio/wav'), '11 s');
  noSpeechIn(await run(join(FIXTURES, 'audio', 'jfk.mp3'), 'audio', 'audio/mpeg'), '11 s');
  noSpeechIn(await run(join(FIXTURES, 'video', 'photoprism-blue-go-video.mp4'), 'video', 'video/mp4'), '2.4 s');
});

test('what whisper heard becomes the transcript; notes in brackets are not words; nothing heard is no speech', () => {
  const heard = {
    language: 'en',
    duration: 11,
    segments: [{ start: 0, end: 1, text: '[BLANK_AUDIO]' }, { start: 1, end: 4.2, text: 'And so my fellow Americans,' }, { start: 4.2, end: 11, text: 'ask not.' }, { start: 11, end: 11, text: '' }],
  };
  const t = transcriptOf(heard, 'ggml-base.en.bin', false);
  assert.ok(typeof t === 'object');
  assert.deepEqual({ ...t, engine: undefined }, {
    language: 'en', text: 'And so my fellow Americans, ask not.', model: 'ggml-base.en.bin', engine: undefined, duration: 11,
    segments: [{ start: 1, end: 4.2, text: 'And so my fellow Americans,' }, { start: 4.2, end: 11, text: 'ask not.' }],
  });
  assert.match(t.engine, /^whisper\.cpp \(@napi-rs\/whisper \d/);
  assert.equal(t.truncated_at, undefined);
  assert.equal((transcriptOf(heard, 'm.bin', true) as { truncated_at?: number }).truncated_at, 4 * 3600);
  assert.equal(transcriptOf({ language: 'en', duration: 300, segments: [{ start: 0, end: 300, text: '(music)' }] }, 'm.bin', false), 'no speech heard in 300 s of audio');
  assert.equal(transcriptOf({ language: 'en', duration: 2.41, segments: [] }, 'm.bin', false), 'no speech heard in 2.4 s of audio');
});

test('a WAV header claiming 1 Hz is refused before anything is decoded, saying what it claims', { skip: FIXTURES_SKIP }, async () => {
  // Before: 16 KB became 8,192 s of 16 kHz audio (254 MiB of scratch, whisper still busy 10 min later).
  for (const [name, bytes] of [['claims-1hz.wav', 16_384 - 44], ['claims-1hz-tiny.wav', 64]] as const) {
    const path = join(work.path, name);
    writeFileSync(path, wavFile({ sampleRate: 1 }, toneSamples(bytes)));
    const t0 = Date.now();
    await assert.rejects(run(path, 'audio', 'audio/wav', TEST_MODEL, 30_000), (err: unknown) => {
      assert.ok(err instanceof GeneratorError && err.permanent, String(err));
      assert.equal(err.message, `${path}: the audio's header is not believable: it claims a sample rate of 1 Hz (real recordings use 4,000–768,000 Hz)`);
      return true;
    });
    assert.ok(Date.now() - t0 < 5_000, `${name}: took ${Date.now() - t0} ms`);
  }
});

test('sound without words is "no speech", never a ready empty transcript: 2 ms of it, or a tone', { skip: FIXTURES_SKIP }, async () => {
  // Before: 64 bytes of data became a ready transcript with no text.
  const blip = join(work.path, 'blip.wav');
  writeFileSync(blip, wavFile({ sampleRate: 16_000 }, toneSamples(64)));
  assert.deepEqual(await run(blip, 'audio', 'audio/wav'), [{ variant: 'default', skip: 'no speech: only 0.002 s of sound' }]);
  const tone = join(work.path, 'tone.wav');
  writeFileSync(tone, wavFile({ sampleRate: 16_000 }, toneSamples(2 * 32_000)));
  noSpeechIn(await run(tone, 'audio', 'audio/wav'), '2 s');
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
