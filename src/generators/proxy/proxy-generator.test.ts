import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, FIXTURES_SKIP, tempDir } from '../../../test/helpers.js';
import { generatorContext } from '../../../test/generator-context.js';
import { ffmpegTools, probeDuration, probeMedia } from '../tools/ffmpeg.js';
import { runTool } from '../tools/run-tool.js';
import { GeneratorError, type GeneratedOutput } from '../types.js';
import { proxyGenerator } from './proxy-generator.js';

const BLUE = join(FIXTURES, 'video', 'photoprism-blue-go-video.mp4'); // 270×480 portrait, h264 + aac, 2.41 s
const XMAS = join(FIXTURES, 'video', 'photoprism-christmas-noaudio.mp4'); // 640×416, no audio, 0.81 s, moov first
const signal = new AbortController().signal;
const work = tempDir('vss-proxy-test-');
let rotated = '';

before(async () => {
  // A landscape 640×360 recording whose display matrix says "turn 90°" (as phones write it):
  // players show it portrait. The matrix is patched in by hand, as this ffmpeg cannot write one.
  rotated = join(work.path, 'rotated.mp4');
  await runTool(ffmpegTools().ffmpeg, [
    '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25:duration=1',
    '-c:v', 'libx264', '-preset', 'ultrafast', rotated,
  ], { signal, timeoutMs: 60_000 });
  const bytes = readFileSync(rotated);
  const tkhd = bytes.indexOf('tkhd');
  assert.ok(tkhd > 0 && bytes[tkhd + 4] === 0, 'a version-0 track header');
  // tkhd v0: 4 flags, 4+4 times, 4 track id, 4 reserved, 4 duration, 8 reserved, 2+2+2+2, then the 3×3 matrix.
  const matrix = tkhd + 4 + 4 + 8 + 4 + 4 + 4 + 8 + 8;
  [0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000].forEach((x, i) => bytes.writeInt32BE(x, matrix + 4 * i));
  writeFileSync(rotated, bytes);
  const probed = await probeMedia(rotated, signal);
  assert.ok(JSON.stringify(probed.streams[0]?.side_data_list ?? []).includes('rotation'), 'the test video carries a rotation');
});
after(() => work.cleanup());

function files(outs: GeneratedOutput[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const o of outs) {
    assert.ok('file' in o, `${o.variant} should be a file, got ${JSON.stringify(o)}`);
    assert.equal(o.format, 'mp4');
    m.set(o.variant, o.file);
  }
  return m;
}

async function streams(file: string) {
  const p = await probeMedia(file, signal);
  return { p, v: p.streams.find((s) => s.codec_type === 'video'), a: p.streams.find((s) => s.codec_type === 'audio'), d: probeDuration(p) };
}

test('a portrait video with sound: all three variants from one run, none larger than the source', { skip: FIXTURES_SKIP }, async () => {
  const ctx = generatorContext({ path: BLUE, kind: 'video', mime: 'video/mp4', variants: ['scrub', 'quick', 'edit'] });
  try {
    const out = files(await proxyGenerator.generate(ctx));
    assert.deepEqual([...out.keys()].sort(), ['edit', 'quick', 'scrub']);
    const scrub = await streams(out.get('scrub')!);
    assert.equal(scrub.v?.codec_name, 'h264');
    assert.deepEqual([scrub.v?.width, scrub.v?.height], [180, 320]);
    assert.equal(scrub.a?.codec_name, 'aac');
    assert.ok(Math.abs(scrub.d! - 2.41) < 0.3, `duration ${scrub.d}`);
    for (const v of ['quick', 'edit']) {
      const s = await streams(out.get(v)!);
      assert.deepEqual([s.v?.width, s.v?.height], [270, 480], `${v} is capped at the source size`);
      assert.equal(s.a?.codec_name, 'aac');
    }
    // moov before mdat (+faststart): playable while it downloads.
    const bytes = readFileSync(out.get('quick')!);
    assert.ok(bytes.indexOf('moov') > 0 && bytes.indexOf('moov') < bytes.indexOf('mdat'));
    assert.ok(statSync(out.get('scrub')!).size < statSync(out.get('edit')!).size);
  } finally {
    ctx.cleanup();
  }
});

test('a video without sound gives a video-only proxy', { skip: FIXTURES_SKIP }, async () => {
  const ctx = generatorContext({ path: XMAS, kind: 'video', mime: 'video/mp4', variants: ['quick'] });
  try {
    const out = files(await proxyGenerator.generate(ctx));
    const q = await streams(out.get('quick')!);
    assert.deepEqual([q.v?.width, q.v?.height], [640, 416]);
    assert.equal(q.a, undefined);
  } finally {
    ctx.cleanup();
  }
});

test('a rotated recording is sized upright', async () => {
  const ctx = generatorContext({ path: rotated, kind: 'video', mime: 'video/mp4', variants: ['scrub', 'bogus'] });
  try {
    const outs = await proxyGenerator.generate(ctx);
    assert.deepEqual(outs.find((o) => o.variant === 'bogus'), { variant: 'bogus', skip: 'proxy has no variant "bogus"' });
    const s = await streams(files(outs.filter((o) => o.variant === 'scrub')).get('scrub')!);
    assert.deepEqual([s.v?.width, s.v?.height], [180, 320]);
  } finally {
    ctx.cleanup();
  }
});

async function failsPermanently(path: string, pattern: RegExp): Promise<void> {
  const ctx = generatorContext({ path, kind: 'video', mime: 'video/mp4', variants: ['scrub', 'quick'] });
  const t0 = Date.now();
  try {
    await assert.rejects(proxyGenerator.generate(ctx), (err: unknown) => {
      assert.ok(err instanceof GeneratorError, String(err));
      assert.equal(err.permanent, true);
      assert.ok(err.message.includes(path), err.message);
      assert.match(err.message, pattern);
      return true;
    });
    assert.ok(Date.now() - t0 < 30_000, 'fails within a bounded time');
  } finally {
    ctx.cleanup();
  }
}

test('garbage and a file cut before its index fail permanently with ffprobe\'s reason', { skip: FIXTURES_SKIP }, async () => {
  const garbage = join(work.path, 'garbage.mp4');
  // Fixed bytes, not random ones: now and then random bytes hold a valid MPEG audio frame.
  writeFileSync(garbage, Buffer.alloc(200_000, 'this is not a video at all. '));
  await failsPermanently(garbage, /cannot read the video: ffprobe failed.*Invalid data/i);
  const cut = join(work.path, 'cut-before-moov.mp4');
  writeFileSync(cut, readFileSync(BLUE).subarray(0, 150_000));
  await failsPermanently(cut, /moov atom not found/);
});

test('a file whose data stops half-way is refused, not turned into a short proxy', { skip: FIXTURES_SKIP }, async () => {
  const whole = readFileSync(XMAS);
  const cut = join(work.path, 'cut-mdat.mp4');
  writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.3)));
  await failsPermanently(cut, /proxy is not usable|ffmpeg could not make a proxy/);
});

test('accepts videos and the three variants only', () => {
  assert.equal(proxyGenerator.accepts({ kind: 'video', mime: 'video/mp4' }, 'quick'), true);
  assert.equal(proxyGenerator.accepts({ kind: 'video', mime: 'video/quicktime' }, 'scrub'), true);
  assert.equal(proxyGenerator.accepts({ kind: 'video', mime: 'video/mp4' }, 'huge'), false);
  assert.equal(proxyGenerator.accepts({ kind: 'image', mime: 'image/jpeg' }, 'quick'), false);
  assert.deepEqual(proxyGenerator.availability({ ocrLanguages: [], models: {}, threads: 1 }), { ok: true });
});
