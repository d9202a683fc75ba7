/**
 * `node dist/bench/thumbstrip-bench.js [--seconds S] [--long L] [--height H] [--runs R] [--threads T] [--keep]`
 *
 * How a thumbstrip's 25 frames are best taken, against ffmpeg run directly:
 *   (a) anchor: the one-run ffmpeg command (decode everything, `fps` + scale), nothing else
 *   (b) the generator taking its frames in that one run (probe + run + tiling + WebP)   (target ≤ 1.3× (a))
 *   (c) the generator taking them by 25 seeks (25 short ffmpeg runs)
 * Inputs: generated H-line (default 1080) 16:9 test videos of S seconds (default 20) and of L
 * seconds (default 120; 0 skips), each with a keyframe every second (as phones write) and every
 * 250 frames (x264's default, 8 s at 30 fps), plus the fixture videos when ../shared/fixtures is
 * there. The generator picks (b) up to ONE_RUN_MAX_SECONDS and (c) above: these figures are why.
 * Median of R runs each.
 */
import { existsSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { generatorContext } from '../test/generator-context.js';
import { FIXTURES } from '../test/helpers.js';
import { geometryOf, videoStream } from '../src/generators/proxy/proxy-plan.js';
import { ffmpegTools, probeDuration, probeMedia } from '../src/generators/tools/ffmpeg.js';
import { runTool } from '../src/generators/tools/run-tool.js';
import { createThumbstripGenerator } from '../src/generators/thumbstrip/thumbstrip-generator.js';
import { methodFor, ONE_RUN_MAX_SECONDS, oneRunArgs, tileSize, type StripMethod } from '../src/generators/thumbstrip/strip-plan.js';
import { Summary, benchArgs, freshDir, median, num, ratio, rmrf, secs, timeAsync, runMain } from './util.js';

const signal = new AbortController().signal;
const HOUR_MS = 3_600_000;
const fmtRuns = (xs: number[]) => xs.map((x) => secs(x)).join(' / ');

async function makeTestVideo(dir: string, seconds: number, height: number, gop: number): Promise<string> {
  const width = 2 * Math.round((height * 16) / 9 / 2);
  const file = join(dir, `testsrc2-${seconds}s-${height}p-gop${gop}.mp4`);
  const { s } = await timeAsync(() => runTool(ffmpegTools().ffmpeg, [
    '-hide_banner', '-nostdin', '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=30:duration=${seconds}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '23', '-g', String(gop), '-pix_fmt', 'yuv420p', file,
  ], { signal, timeoutMs: HOUR_MS }));
  console.log(`  made ${basename(file)} (${width}×${height}, 30 fps, keyframe every ${gop} frames) in ${secs(s)}`);
  return file;
}

async function generate(source: string, method: StripMethod, threads: number): Promise<number> {
  const ctx = generatorContext({ path: source, kind: 'video', mime: 'video/mp4', variants: ['preview'], settings: { threads }, timeoutMs: HOUR_MS });
  try {
    return (await timeAsync(() => createThumbstripGenerator({ method }).generate(ctx))).s;
  } finally {
    ctx.cleanup();
  }
}

async function benchOne(source: string, runs: number, threads: number, summary: Summary, withTarget: boolean): Promise<void> {
  const { ffmpeg } = ffmpegTools();
  const probe = await probeMedia(source, signal);
  const duration = probeDuration(probe) ?? NaN;
  const vs = videoStream(probe);
  if (!vs) throw new Error(`${source}: no video stream`);
  const geometry = geometryOf(vs);
  const anchorArgs = oneRunArgs({ source, geometry, duration, tile: tileSize(geometry), threads });
  console.log(`\n== ${basename(source)}: ${vs.width}×${vs.height}, ${num(duration)} s; ${threads} threads; median of ${runs} ==`);
  const anchor: number[] = [];
  const oneRun: number[] = [];
  const seeks: number[] = [];
  for (let r = 0; r < runs; r++) {
    anchor.push((await timeAsync(() => runTool(ffmpeg, anchorArgs, { signal, timeoutMs: HOUR_MS, maxStdoutBytes: 64 * 1024 * 1024 }))).s);
    oneRun.push(await generate(source, 'one-run', threads));
    seeks.push(await generate(source, 'seeks', threads));
  }
  const [a, o, s] = [median(anchor), median(oneRun), median(seeks)];
  const chosen = methodFor(duration);
  console.log(`  anchor, the one-run ffmpeg command alone: ${secs(a)} [${fmtRuns(anchor)}]`);
  console.log(`  generator, one run: ${secs(o)} [${fmtRuns(oneRun)}] = ${ratio(o / a)} the anchor`);
  console.log(`  generator, 25 seeks: ${secs(s)} [${fmtRuns(seeks)}] = ${ratio(s / a)} the anchor`);
  console.log(`  the generator chooses ${chosen} (≤ ${ONE_RUN_MAX_SECONDS} s → one run); the faster here: ${o <= s ? 'one-run' : 'seeks'}`);
  summary.add({ what: `thumbstrip ${basename(source)} one run`, value: secs(o), ratio: `${ratio(o / a)} ffmpeg`, target: withTarget ? '≤ 1.3× ffmpeg direct' : '', ok: withTarget ? o / a <= 1.3 : null });
  summary.add({ what: '  25 seeks instead', value: secs(s), ratio: `${ratio(s / a)} ffmpeg`, target: '', ok: null });
}

async function main(): Promise<void> {
  const args = benchArgs('node dist/bench/thumbstrip-bench.js [--seconds S] [--long L] [--height H] [--runs R] [--threads T] [--keep]', {
    seconds: { default: 20, min: 1 }, long: { default: 120, min: 0 }, height: { default: 1080, min: 144 }, runs: { default: 3, min: 1 }, threads: { default: availableParallelism(), min: 1 },
  }, ['keep']);
  const workDir = freshDir(tmpdir(), 'vss-thumbstrip-bench-');
  const summary = new Summary();
  process.once('SIGINT', () => { if (!args.keep) rmrf(workDir); process.exit(130); });
  console.log(`vss thumbstrip benchmarks: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${num(totalmem() / 1024 ** 3)} GiB RAM; ffmpeg ${ffmpegTools().ffmpeg}`);
  console.log(`  work dir ${workDir}${args.keep ? ' (kept)' : ' (removed at the end)'}`);
  const started = Date.now();
  try {
    for (const seconds of [args.seconds, args.long].filter((s) => s > 0)) {
      for (const gop of [30, 250]) await benchOne(await makeTestVideo(workDir, seconds, args.height, gop), args.runs, args.threads, summary, true);
    }
    for (const name of ['photoprism-blue-go-video.mp4', 'photoprism-christmas-noaudio.mp4']) {
      const f = join(FIXTURES, 'video', name);
      if (existsSync(f)) await benchOne(f, args.runs, args.threads, summary, false);
    }
  } finally {
    if (!args.keep) rmrf(workDir);
  }
  console.log(`\n== Summary (${secs((Date.now() - started) / 1000)} in all) ==`);
  summary.print();
}

runMain(import.meta.url, main);
