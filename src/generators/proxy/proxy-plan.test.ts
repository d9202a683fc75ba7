import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProbeStream } from '../tools/ffmpeg.js';
import { ffmpegArgs, geometryOf, planEncodes, proxySize } from './proxy-plan.js';

test('proxy size: the short edge is the variant number, capped at the source, even, aspect kept', () => {
  assert.deepEqual(proxySize({ width: 1920, height: 1080 }, 720), { width: 1280, height: 720 });
  assert.deepEqual(proxySize({ width: 1920, height: 1080 }, 180), { width: 320, height: 180 });
  assert.deepEqual(proxySize({ width: 1280, height: 720 }, 480), { width: 854, height: 480 });
  // Portrait: the same rule on the short edge (width), so quick of 1080×1920 is 480×854.
  assert.deepEqual(proxySize({ width: 1080, height: 1920 }, 480), { width: 480, height: 854 });
  // Never larger than the source: 270×480 stays 270×480 for quick and edit.
  assert.deepEqual(proxySize({ width: 270, height: 480 }, 480), { width: 270, height: 480 });
  assert.deepEqual(proxySize({ width: 270, height: 480 }, 720), { width: 270, height: 480 });
  assert.deepEqual(proxySize({ width: 270, height: 480 }, 180), { width: 180, height: 320 });
  // Odd source sizes give even outputs no larger than the source.
  const odd = proxySize({ width: 641, height: 361 }, 720);
  assert.deepEqual(odd, { width: 640, height: 360 });
  const tiny = proxySize({ width: 3, height: 1 }, 180);
  assert.ok(tiny.width % 2 === 0 && tiny.height % 2 === 0 && tiny.width >= 2 && tiny.height >= 2);
});

test('geometry: rotation swaps the sides, non-square pixels widen, the frame rate is read', () => {
  const base: ProbeStream = { index: 0, codec_type: 'video', width: 1920, height: 1080 };
  assert.deepEqual(geometryOf({ ...base, side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }] }), { streamIndex: 0, width: 1080, height: 1920, fps: undefined });
  assert.equal(geometryOf({ ...base, tags: { rotate: '270' } }).width, 1080);
  assert.equal(geometryOf({ ...base, tags: { rotate: '180' } }).width, 1920);
  const dv = geometryOf({ ...base, width: 720, height: 480, sample_aspect_ratio: '32:27', avg_frame_rate: '30000/1001' } as ProbeStream);
  assert.equal(dv.width, 853);
  assert.ok(Math.abs((dv.fps ?? 0) - 29.97) < 0.01);
  assert.equal(dv.interlaced, undefined);
  assert.equal(geometryOf({ ...base, field_order: 'tt' } as ProbeStream).interlaced, true);
});

test('plan: variants of the same size are encoded once with the better settings', () => {
  const g = { streamIndex: 1, width: 270, height: 480, fps: 28 };
  const plan = planEncodes(g, ['scrub', 'quick', 'edit']);
  assert.equal(plan.length, 2);
  const big = plan.find((e) => e.variants.includes('edit'))!;
  assert.deepEqual(big.variants, ['quick', 'edit']);
  assert.equal(big.encoding.crf, 23, 'the edit settings win');
  assert.deepEqual(planEncodes({ ...g, width: 1920, height: 1080 }, ['scrub', 'quick', 'edit']).map((e) => e.height), [180, 480, 720]);
});

test('ffmpeg command: one input, a split per output, audio only when there is some, fps capped', () => {
  const g = { streamIndex: 0, width: 1920, height: 1080, fps: 60 };
  const encodes = planEncodes(g, ['scrub', 'edit']).map((e, i) => ({ ...e, output: `/tmp/out${i}.mp4` }));
  const args = ffmpegArgs({ source: '/v/-weird name.mov', geometry: g, audio: { index: 1, channels: 6 }, encodes, threads: 4 });
  assert.equal(args.filter((a) => a === '-i').length, 1);
  assert.ok(args.includes('file:/v/-weird name.mov'));
  const graph = args[args.indexOf('-filter_complex') + 1]!;
  assert.match(graph, /^\[0:0\]fps=30,split=2\[s0\]\[s1\]/);
  assert.match(graph, /scale=320:180/);
  assert.match(graph, /scale=1280:720/);
  assert.equal(args.filter((a) => a === '0:1').length, 2, 'audio mapped into both outputs');
  assert.equal(args[args.indexOf('-ac') + 1], '2', '5.1 is folded to stereo');
  assert.deepEqual(args.filter((a) => a.startsWith('file:/tmp/')), ['file:/tmp/out0.mp4', 'file:/tmp/out1.mp4']);
  const silent = ffmpegArgs({ source: '/v.mp4', geometry: { ...g, fps: 25 }, audio: undefined, encodes: encodes.slice(0, 1), threads: 1 });
  assert.ok(!silent.includes('-c:a') && !silent.join(' ').includes('fps='));
  const dv = ffmpegArgs({ source: '/dv.mov', geometry: { ...g, fps: 29.97, interlaced: true }, audio: undefined, encodes: encodes.slice(0, 1), threads: 1 });
  assert.match(dv[dv.indexOf('-filter_complex') + 1]!, /^\[0:0\]yadif,split=1/);
});
