import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatorContext, type TestContextInput } from '../../../test/generator-context.js';
import { FIXTURES, FIXTURES_SKIP, tempDir } from '../../../test/helpers.js';
import { buildTinyEmbeddingModel, MINILM_FIXTURE_DIR } from '../../../test/tiny-embedding-model.js';
import { GeneratorError } from '../types.js';
import { embedQuery } from './embed-query.js';
import { embeddingsGenerator, type EmbeddingsFile } from './embeddings-generator.js';

/**
 * The generator end to end: real tokenizer files, a real (tiny, generated) ONNX model, the real
 * transformers.js + onnxruntime-node thread. All tests share that one thread, as a process does.
 */
const DIMS = 12;
const work = tempDir('vss-embeddings-');
const MODEL_DIR = join(work.path, 'model');
/** whisper.cpp's CI model: enough for the transcript generator to count as available. */
const WHISPER = join(FIXTURES, 'whisper', 'for-tests-ggml-tiny.en.bin');
const MODELS = { embeddings: [{ id: 'Tiny-Model', dir: MODEL_DIR }], whisper: WHISPER };
const VARIANT = 'tiny-model';

/** Words that are single WordPiece tokens in MiniLM's vocabulary, so chunk sizes can be counted exactly. */
const WORDS = 'quick brown fox jumps over lazy dog river stone house green light morning evening city music window garden people water letter paper story'.split(' ');

before(() => {
  if (FIXTURES_SKIP) return;
  buildTinyEmbeddingModel(MODEL_DIR, { dims: DIMS });
  const vocab = new Set(readFileSync(join(MINILM_FIXTURE_DIR, 'vocab.txt'), 'utf8').split('\n'));
  for (const w of WORDS) assert.ok(vocab.has(w), `${w} is not one token`);
});
after(() => work.cleanup());

function file(name: string, text: string | Buffer): string {
  const path = join(work.path, name);
  writeFileSync(path, text);
  return path;
}

async function run(input: Partial<TestContextInput> & { path: string }) {
  const ctx = generatorContext({ kind: 'text', mime: 'text/plain', variants: [VARIANT], settings: { models: MODELS, threads: 1 }, ...input });
  try {
    return await embeddingsGenerator.generate(ctx);
  } finally {
    ctx.cleanup();
  }
}

async function embeddingsOf(input: Partial<TestContextInput> & { path: string }): Promise<EmbeddingsFile> {
  const [out] = await run(input);
  assert.ok(out && 'data' in out, `expected a file, got ${JSON.stringify(out)}`);
  assert.equal(out.variant, VARIANT);
  assert.equal(out.format, 'json');
  return JSON.parse(out.data.toString('utf8')) as EmbeddingsFile;
}

/** Capitalized sentences of 8–15 single-token words and a full stop: 9–16 word pieces each. */
function prose(sentences: number, seed = 0): string {
  const out: string[] = [];
  for (let i = 0; i < sentences; i++) {
    const n = 8 + ((i * 7 + seed) % 8);
    const words = Array.from({ length: n }, (_, k) => WORDS[(i * 5 + k * 3 + seed) % WORDS.length]!);
    out.push(words[0]![0]!.toUpperCase() + words.join(' ').slice(1) + '.');
  }
  return out.join(' ');
}

/** Word pieces of a chunk of `prose`: one per word and one per full stop. */
const piecesOf = (chunk: string) => chunk.split(' ').length + (chunk.match(/\./g)?.length ?? 0);
const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);

test('a text file becomes chunks of at most 256 word pieces, each with a normalized vector', { skip: FIXTURES_SKIP }, async (t) => {
  const text = prose(120);
  const started = performance.now();
  const e = await embeddingsOf({ path: file('prose.txt', text) });
  t.diagnostic(`model load + ${e.chunks.length} chunks: ${Math.round(performance.now() - started)} ms`);
  assert.equal(e.model, VARIANT);
  assert.equal(e.dims, DIMS);
  assert.deepEqual(e.source, ['file']);
  assert.equal(e.max_tokens, 256);
  assert.equal(e.truncated, false);
  // ~1450 pieces at ≤254 per chunk (256 less [CLS] and [SEP]), whole sentences, small overlaps.
  assert.ok(e.chunks.length >= 6 && e.chunks.length <= 8, `${e.chunks.length} chunks`);
  for (const [i, c] of e.chunks.entries()) {
    assert.ok(piecesOf(c.text) <= 254, `chunk ${i} has ${piecesOf(c.text)} pieces`);
    if (i < e.chunks.length - 1) assert.ok(piecesOf(c.text) > 254 - 16 - 32, `chunk ${i} is underfilled: ${piecesOf(c.text)}`);
    assert.equal(c.vector.length, DIMS);
    assert.ok(Math.abs(norm(c.vector) - 1) < 1e-5, `chunk ${i} norm ${norm(c.vector)}`);
    if (i > 0) {
      // The chunk starts with the end of the previous one, then a whole new sentence.
      const prev = e.chunks[i - 1]!.text.split(' ');
      const words = c.text.split(' ');
      const overlaps = (k: number) => prev.slice(-k).join(' ') === words.slice(0, k).join(' ') && /^[A-Z]/.test(words[k] ?? '');
      const k = Array.from({ length: 40 }, (_, j) => j + 1).find(overlaps);
      assert.ok(k !== undefined, `chunk ${i} does not start with the end of chunk ${i - 1} and then a new sentence`);
      assert.ok(piecesOf(words.slice(0, k).join(' ')) <= 32);
    }
  }
  // Every sentence of the text is in some chunk.
  const all = e.chunks.map((c) => c.text).join(' ');
  for (const s of text.split(/(?<=\.) /)) assert.ok(all.includes(s), `lost: ${s}`);
});

test('identical texts give identical vectors, different texts different ones', { skip: FIXTURES_SKIP }, async () => {
  const a = await embeddingsOf({ path: file('a.txt', 'The quick brown fox jumps over the lazy dog.') });
  const b = await embeddingsOf({ path: file('b.txt', 'The quick brown fox jumps over the lazy dog.') });
  const c = await embeddingsOf({ path: file('c.txt', 'Morning music in the city garden.') });
  assert.equal(a.chunks.length, 1);
  assert.deepEqual(b, a);
  assert.ok(dot(a.chunks[0]!.vector, c.chunks[0]!.vector) < 0.99, 'different texts gave the same direction');
  // A search query with the same words is the same vector as the chunk.
  const q = await embedQuery(MODELS.embeddings[0]!, 'The quick brown fox jumps over the lazy dog.', { signal: new AbortController().signal });
  assert.ok(Math.abs(dot(Array.from(q), a.chunks[0]!.vector) - 1) < 1e-5);
});

test('images and PDFs wait for their OCR, skip when it found nothing, embed it when it did', { skip: FIXTURES_SKIP }, async () => {
  const jpeg = file('photo.jpg', Buffer.from([0xff, 0xd8, 0xff, 0xe0]));
  const image = { path: jpeg, kind: 'image', mime: 'image/jpeg' } as const;
  assert.deepEqual(await run(image), [{ variant: VARIANT, wait: 'waiting for OCR' }]);
  const empty = Buffer.from(JSON.stringify({ text: '  \n', pages: [{ text: '' }] }));
  assert.deepEqual(await run({ ...image, sidecars: { 'ocr/default': empty } }), [{ variant: VARIANT, skip: 'no text' }]);
  const ocr = Buffer.from(JSON.stringify({ text: 'Invoice 42\nTotal due: 17 euros' }));
  const e = await embeddingsOf({ ...image, sidecars: { 'ocr/default': ocr } });
  assert.deepEqual(e.source, ['ocr']);
  assert.deepEqual(e.chunks.map((c) => c.text), ['Invoice 42 Total due: 17 euros']);

  const pdf = { path: file('scan.pdf', '%PDF-1.4\n'), kind: 'document', mime: 'application/pdf' } as const;
  assert.deepEqual(await run(pdf), [{ variant: VARIANT, wait: 'waiting for OCR' }]);
  assert.deepEqual((await embeddingsOf({ ...pdf, sidecars: { 'ocr/default': ocr } })).chunks[0]!.vector, e.chunks[0]!.vector);
});

test('audio and video are embedded from their transcript', { skip: FIXTURES_SKIP }, async () => {
  const audio = { path: join(FIXTURES, 'audio', 'jfk.wav'), kind: 'audio', mime: 'audio/wav' } as const;
  assert.deepEqual(await run(audio), [{ variant: VARIANT, wait: 'waiting for the transcript' }]);
  const transcript = { language: 'en', segments: [{ start: 0, end: 4, text: ' And so my fellow Americans,' }, { start: 4, end: 11, text: ' ask not what your country can do for you.' }] };
  const e = await embeddingsOf({ ...audio, sidecars: { 'transcript/default': Buffer.from(JSON.stringify(transcript)) } });
  assert.deepEqual(e.source, ['transcript']);
  assert.deepEqual(e.chunks.map((c) => c.text), ['And so my fellow Americans, ask not what your country can do for you.']);
  // A video without sound never gets a transcript: nothing to wait for.
  const silent = { path: join(FIXTURES, 'video', 'photoprism-christmas-noaudio.mp4'), kind: 'video', mime: 'video/mp4' } as const;
  assert.deepEqual(await run(silent), [{ variant: VARIANT, skip: 'no audio track, so no transcript' }]);
  // A recording in which whisper heard no words has no transcript, for good: nothing to wait for.
  assert.deepEqual(await run({ ...audio, notApplicable: { 'transcript/default': 'no speech heard in 11 s of audio' } }), [{ variant: VARIANT, skip: 'no transcript: no speech heard in 11 s of audio' }]);
  // No speech model on this device: no transcript will come, so nothing to wait for.
  const [out] = await run({ ...audio, kind: 'video', mime: 'video/mp4', settings: { models: { embeddings: MODELS.embeddings }, threads: 1 } });
  assert.ok(out && 'skip' in out && out.skip.startsWith('no transcript can be made here: no speech model'), JSON.stringify(out));
});

test('a text file without words, or with binary bytes, is skipped', { skip: FIXTURES_SKIP }, async () => {
  assert.deepEqual(await run({ path: file('blank.txt', ' \n\n -- \n') }), [{ variant: VARIANT, skip: 'no text' }]);
  assert.deepEqual(await run({ path: file('bin.txt', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00])) }), [{ variant: VARIANT, skip: 'not a text file (binary content)' }]);
});

test('a long text stops at 512 chunks and says so', { skip: FIXTURES_SKIP }, async (t) => {
  const started = performance.now();
  const e = await embeddingsOf({ path: file('long.txt', prose(12_000, 3)) });
  t.diagnostic(`512 chunks of ~250 pieces: ${Math.round(performance.now() - started)} ms`);
  assert.equal(e.chunks.length, 512);
  assert.equal(e.truncated, true);
});

test('without a usable model the generator says how to install one', () => {
  const reason = 'no embeddings model installed: run vss models add embeddings DIR';
  assert.deepEqual(embeddingsGenerator.availability({ ocrLanguages: [], models: {}, threads: 1 }), { ok: false, reason });
  assert.deepEqual(embeddingsGenerator.availability({ ocrLanguages: [], models: { embeddings: [] }, threads: 1 }), { ok: false, reason });
  const gone = embeddingsGenerator.availability({ ocrLanguages: [], models: { embeddings: [{ id: 'x', dir: join(work.path, 'gone') }] }, threads: 1 });
  assert.equal(gone.ok, false);
  assert.ok(!gone.ok && gone.reason.startsWith(reason) && gone.reason.includes('does not exist'));
  if (!FIXTURES_SKIP) assert.deepEqual(embeddingsGenerator.availability({ ocrLanguages: [], models: MODELS, threads: 1 }), { ok: true });
});

test('which contents and variants it accepts', () => {
  assert.equal(embeddingsGenerator.accepts({ kind: 'text', mime: 'text/markdown' }, 'all-minilm-l6-v2'), true);
  assert.equal(embeddingsGenerator.accepts({ kind: 'image', mime: 'image/png' }, 'all-minilm-l6-v2'), true);
  assert.equal(embeddingsGenerator.accepts({ kind: 'document', mime: 'application/pdf' }, 'all-minilm-l6-v2'), true);
  assert.equal(embeddingsGenerator.accepts({ kind: 'document', mime: 'application/vnd.ms-excel' }, 'all-minilm-l6-v2'), false);
  assert.equal(embeddingsGenerator.accepts({ kind: 'archive', mime: 'application/zip' }, 'all-minilm-l6-v2'), false);
  assert.equal(embeddingsGenerator.accepts({ kind: 'text', mime: 'text/plain' }, '../evil'), false);
});

test('a broken model file fails the job for good, and the engine keeps working', { skip: FIXTURES_SKIP }, async () => {
  const broken = join(work.path, 'broken');
  buildTinyEmbeddingModel(broken);
  // A truncated download: the start of the real file, cut off.
  const whole = readFileSync(join(broken, 'onnx', 'model.onnx'));
  writeFileSync(join(broken, 'onnx', 'model.onnx'), whole.subarray(0, 5000));
  const settings = { models: { embeddings: [{ id: 'broken', dir: broken }] }, threads: 1 };
  const path = file('note.txt', 'Some words to embed.');
  await assert.rejects(run({ path, variants: ['broken'], settings }), (err: unknown) => {
    assert.ok(err instanceof GeneratorError, String(err));
    assert.equal(err.permanent, true);
    assert.ok(err.message.includes(broken) && err.message.includes(path), err.message);
    return true;
  });
  // Unknown model id: a permanent error naming what is registered.
  await assert.rejects(run({ path, variants: ['other-model'] }), (err: unknown) => err instanceof GeneratorError && err.permanent && /Tiny-Model/.test(err.message));
  // The thread survived: the good model still embeds.
  assert.equal((await embeddingsOf({ path })).chunks.length, 1);
});

test('cancelling stops the job at once, and the engine keeps working', { skip: FIXTURES_SKIP }, async () => {
  const ac = new AbortController();
  const job = run({ path: file('cancel.txt', prose(6000, 1)), signal: ac.signal });
  setTimeout(() => ac.abort(new Error('cancelled by the user')), 20);
  // On a loaded machine the cancel may land before the engine took the job: either way it ends, for good.
  await assert.rejects(job, (err: unknown) => err instanceof GeneratorError && err.permanent && /(stopped|not started): cancelled by the user/.test(err.message));
  assert.equal((await embeddingsOf({ path: file('after.txt', 'Still here.') })).chunks.length, 1);
});
