import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, truncateSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { FIXTURES, FIXTURES_SKIP, tempDir } from '../../../test/helpers.js';
import { generatorContext } from '../../../test/generator-context.js';
import { lumaRamp, rotateQuarterTurn, soundOnly, testPattern } from '../../../test/support/test-videos.js';
import { GeneratorError } from '../types.js';
import { GRID } from './strip-plan.js';
import { createThumbstripGenerator, thumbstripGenerator } from './thumbstrip-generator.js';
import type { StripMethod } from './strip-plan.js';

const BLUE = join(FIXTURES, 'video', 'photoprism-blue-go-video.mp4'); // 270×480 portrait, 2.41 s, 68 frames
const XMAS = join(FIXTURES, 'video', 'photoprism-christmas-noaudio.mp4'); // 640×416, 0.81 s, 9 frames
const TRAIN = join(FIXTURES, 'livephoto', 'apple-iphone6s', 'train.mov'); // 1440×1080, 1.23 s, 22 frames
const work = tempDir('vss-thumbstrip-test-');
const ramp = join(work.path, 'ramp.mp4');

before(() => lumaRamp(ramp, { seconds: 5, fps: 25 }));
after(() => work.cleanup());

interface Strip { width: number; height: number; tiles: Buffer[]; tileW: number; tileH: number }

async function strip(path: string, method?: StripMethod): Promise<Strip> {
  const ctx = generatorContext({ path, kind: 'video', mime: 'video/mp4', variants: ['preview'] });
  try {
    const gen = method ? createThumbstripGenerator({ method }) : thumbstripGenerator;
    const [out, ...rest] = await gen.generate(ctx);
    assert.equal(rest.length, 0);
    assert.ok(out && 'data' in out, JSON.stringify(out));
    assert.equal(out.format, 'webp');
    const meta = await sharp(out.data).metadata();
    assert.equal(meta.format, 'webp');
    const { data, info } = await sharp(out.data).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    assert.equal(info.width % GRID, 0, `width ${info.width} is 5 tiles`);
    assert.equal(info.height % GRID, 0, `height ${info.height} is 5 tiles`);
    const tileW = info.width / GRID;
    const tileH = info.height / GRID;
    const tiles: Buffer[] = [];
    for (let k = 0; k < GRID * GRID; k++) {
      const t = Buffer.alloc(tileW * tileH * 3);
      const x0 = (k % GRID) * tileW;
      const y0 = Math.floor(k / GRID) * tileH;
      for (let y = 0; y < tileH; y++) data.copy(t, y * tileW * 3, ((y0 + y) * info.width + x0) * 3, ((y0 + y) * info.width + x0 + tileW) * 3);
      tiles.push(t);
    }
    return { width: info.width, height: info.height, tiles, tileW, tileH };
  } finally {
    ctx.cleanup();
  }
}

function mean(b: Buffer): number {
  let s = 0;
  for (const x of b) s += x;
  return s / b.length;
}

/** Mean absolute difference of two tiles, 0–255. */
function diff(a: Buffer, b: Buffer): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

/**
 * Two copies of one frame in a strip differ by WebP's noise alone (≤ 3 on the fixtures: the
 * blocks fall differently); neighbouring frames of the fixture with motion by 4.6 or more.
 */
const SAME_FRAME = 3.5;

/** Tiles that differ visibly from every tile before them. */
function distinct(tiles: Buffer[]): number {
  const kept: Buffer[] = [];
  for (const t of tiles) if (kept.every((k) => diff(k, t) > SAME_FRAME)) kept.push(t);
  return kept.length;
}

/** Places where a tile shows another frame than the tile before it. */
function changes(tiles: Buffer[]): number {
  return tiles.slice(1).filter((t, k) => diff(tiles[k]!, t) > SAME_FRAME).length;
}

for (const method of ['one-run', 'seeks'] as const) {
  test(`${method}: tile k is the frame at k/25 of the duration`, async () => {
    // Frame n of the ramp has luma Y = 2n; 5 s at 25 fps: tile k is frame 5k, Y = 10k, which is
    // (Y − 16) × 255/219 in full-range RGB.
    const expected = (k: number) => Math.min(255, Math.max(0, ((10 * k - 16) * 255) / 219));
    const s = await strip(ramp, method);
    // 64×36 is smaller than a tile: never enlarged.
    assert.deepEqual([s.width, s.height], [320, 180]);
    // Neighbouring frames are 2.3 apart: the tolerance admits no neighbour, so every tile is its own frame.
    s.tiles.forEach((t, k) => assert.ok(Math.abs(mean(t) - expected(k)) <= 2, `tile ${k}: ${mean(t).toFixed(1)}, expected ${expected(k).toFixed(1)}`));
  });
}

test('the fixture videos: 5 × 5 tiles of 160 px long edge, upright, frames repeated in a clip shorter than 25 frames', { skip: FIXTURES_SKIP }, async () => {
  const blue = await strip(BLUE);
  assert.deepEqual([blue.width, blue.height], [450, 800], 'portrait 270×480 → 90×160 tiles');
  // 68 frames of a moving subject: every tile its own frame.
  assert.equal(changes(blue.tiles), 24);
  assert.equal(distinct(blue.tiles), 25);

  const xmas = await strip(XMAS);
  assert.deepEqual([xmas.width, xmas.height], [800, 520]);
  // 9 frames in 0.81 s: each one, in order, fills the tiles of its time (about 2.8); none black.
  assert.equal(changes(xmas.tiles), 8);
  for (const t of xmas.tiles) assert.ok(mean(t) > 20, 'no black padding');

  const train = await strip(TRAIN);
  assert.deepEqual([train.width, train.height], [800, 600]);
});

test('a sideways recording is tiled upright', async () => {
  const plain = join(work.path, 'landscape.mp4');
  const turned = join(work.path, 'turned.mp4');
  await testPattern(plain, { seconds: 1, width: 320, height: 180 });
  await testPattern(turned, { seconds: 1, width: 320, height: 180 });
  rotateQuarterTurn(turned);
  const a = await strip(plain);
  const b = await strip(turned);
  assert.deepEqual([a.width, a.height], [800, 450]);
  assert.deepEqual([b.width, b.height], [450, 800]);
  // The turned strip's first tile is the plain one's first tile turned a quarter: clockwise by
  // the matrix above, and clearly not the other way round.
  const raw = { raw: { width: a.tileW, height: a.tileH, channels: 3 as const } };
  const cw = await sharp(a.tiles[0]!, raw).rotate(90).raw().toBuffer();
  const ccw = await sharp(a.tiles[0]!, raw).rotate(270).raw().toBuffer();
  const right = diff(cw, b.tiles[0]!);
  const wrong = diff(ccw, b.tiles[0]!);
  assert.ok(right < 12 && wrong > right * 2, `clockwise ${right.toFixed(1)}, counter-clockwise ${wrong.toFixed(1)}`);
});

test('a file without a picture has no thumbstrip (not applicable); an unknown variant is skipped', async () => {
  const sound = join(work.path, 'sound.mp4');
  await soundOnly(sound);
  const ctx = generatorContext({ path: sound, kind: 'video', mime: 'video/mp4', variants: ['preview', 'huge'] });
  try {
    assert.deepEqual(await thumbstripGenerator.generate(ctx), [
      { variant: 'huge', skip: 'thumbstrip has no variant "huge"' },
      { variant: 'preview', skip: 'no video stream' },
    ]);
  } finally {
    ctx.cleanup();
  }
  assert.equal(thumbstripGenerator.accepts({ kind: 'video', mime: 'video/mp4' }, 'preview'), true);
  assert.equal(thumbstripGenerator.accepts({ kind: 'image', mime: 'image/gif' }, 'preview'), false);
  assert.equal(thumbstripGenerator.accepts({ kind: 'video', mime: 'video/mp4' }, 'grid@1x'), false);
});

test('a video cut short fails permanently with the reason, by either method', async () => {
  const cut = join(work.path, 'cut.mp4');
  await lumaRamp(cut, { seconds: 8, fps: 25, width: 320, height: 180 });
  // The index says 8 s; the frames behind it stop after about a third.
  const { size } = statSync(cut);
  const head = readFileSync(cut).indexOf('mdat');
  assert.ok(head > 0 && head < size / 10, 'the index is at the start (the test needs it there)');
  truncateSync(cut, Math.round(size * 0.35));
  for (const method of ['one-run', 'seeks'] as const) {
    await assert.rejects(strip(cut, method), (err: unknown) => {
      assert.ok(err instanceof GeneratorError && err.permanent, String(err));
      assert.equal(err.path, cut);
      assert.match(err.message, /has frames up to about 2\.\d s but says it lasts 8\.0 s \(it is probably cut short or damaged\)$/);
      return true;
    });
  }
});
