/**
 * `node dist/bench/proxy-bench.js [--seconds S] [--height H] [--runs R] [--threads T] [--keep]`
 *
 * The proxy generator against ffmpeg run directly with the same settings on the same input:
 *   (a) the generator, all three variants (probe + one ffmpeg run + ffprobe of every output)
 *   (b) anchor: the same single ffmpeg command, nothing else                  (target (a) ≤ 1.2× (b))
 *   (c) one ffmpeg run per variant (decoding the source three times), to show what one decode saves
 * Inputs: a generated S-second (default 20) H-line (default 1080) 16:9 test video with a sine tone
 * (ffmpeg's testsrc2 + sine), plus the fixture videos when ../shared/fixtures is there.
 * Also the speech-to-text real-time factor on the JFK sample with the model in VSS_WHISPER_MODEL,
 * else whisper.cpp's weightless test model (then the figure only measures the pipeline, and says so).
 * Median of R runs each.
 */
import { existsSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { generatorContext } from '../test/generator-context.js';
import { FIXTURES } from '../test/helpers.js';
import { proxyGenerator } from '../src/generators/proxy/proxy-generator.js';
import { audioStream, ffmpegArgs, geometryOf, planEncodes, videoStream, type ProxyVariant } from '../src/generators/proxy/proxy-plan.js';
import { ffmpegTools, probeDuration, probeMedia } from '../src/generators/tools/ffmpeg.js';
import { runTool } from '../src/generators/tools/run-tool.js';
import { readWhisperModelInfoSync } from '../src/generators/transcript/model-info.js';
import { transcriptGenerator } from '../src/generators/transcript/transcript-generator.js';
import { Summary, benchArgs, freshDir, median, num, ratio, rmrf, secs, timeAsync, runMain } from './util.js';

const VARIANTS: ProxyVariant[] = ['scrub', 'quick', 'edit'];
const signal = new AbortController().signal;
const HOUR_MS = 3_600_000;

const fmtRuns = (xs: number[]) => xs.map((x) => secs(x)).join(' / ');

async function makeTestVideo(dir: string, seconds: number, height: number): Promise<string> {
  const width = 2 * Math.round((height * 16) / 9 / 2);
  const file = join(dir, `testsrc2-${seconds}s-${height}p.mp4`);
  const { s } = await timeAsync(() => runTool(ffmpegTools().ffmpeg, [
    '-hide_banner', '-nostdin', '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=30:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '18', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k', '-shortest', file,
  ], { signal, timeoutMs: HOUR_MS }));
  console.log(`  made ${basename(file)} (${width}×${height}, 30 fps, sine tone) in ${secs(s)}`);
  return file;
}

/** The generator's exact ffmpeg command(s) for SOURCE, writing into OUTDIR. */
async function directCommands(source: string, outDir: string, threads: number, separate: boolean): Promise<string[][]> {
  const probe = await probeMedia(source, signal);
  const vs = videoStream(probe);
  if (!vs) throw new Error(`${source}: no video stream`);
  const geometry = geometryOf(vs);
  const as = audioStream(probe);
  const audio = as ? { index: as.index, channels: (as as { channels?: number }).channels } : undefined;
  const encodes = planEncodes(geometry, VARIANTS).map((e, i) => ({ ...e, output: join(outDir, `direct-${i}.mp4`) }));
  if (!separate) return [ffmpegArgs({ source, geometry, audio, encodes, threads })];
  return encodes.map((e) => ffmpegArgs({ source, geometry, audio, encodes: [e], threads }));
}

async function benchOne(source: string, workDir: string, runs: number, threads: number, summary: Summary, withTarget: boolean): Promise<void> {
  const { ffmpeg } = ffmpegTools();
  const probe = await probeMedia(source, signal);
  const duration = probeDuration(probe) ?? NaN;
  const vs = videoStream(probe);
  console.log(`\n== ${basename(source)}: ${vs?.width}×${vs?.height}, ${num(duration)} s; variants ${VARIANTS.join(', ')}; ${threads} threads; median of ${runs} ==`);
  const outDir = freshDir(workDir, 'direct-');
  const one = await directCommands(source, outDir, threads, false);
  const each = await directCommands(source, outDir, threads, true);
  const gen: number[] = [];
  const direct: number[] = [];
  const separate: number[] = [];
  for (let r = 0; r < runs; r++) {
    direct.push((await timeAsync(async () => { for (const args of one) await runTool(ffmpeg, args, { signal, timeoutMs: HOUR_MS }); })).s);
    separate.push((await timeAsync(async () => { for (const args of each) await runTool(ffmpeg, args, { signal, timeoutMs: HOUR_MS }); })).s);
    const ctx = generatorContext({ path: source, kind: 'video', mime: 'video/mp4', variants: VARIANTS, settings: { threads }, timeoutMs: HOUR_MS });
    try {
      gen.push((await timeAsync(() => proxyGenerator.generate(ctx))).s);
    } finally {
      ctx.cleanup();
    }
  }
  rmrf(outDir);
  const [g, d, s] = [median(gen), median(direct), median(separate)];
  console.log(`  anchor, the same ffmpeg command run directly (one decode, ${each.length} outputs): ${secs(d)} [${fmtRuns(direct)}] = ${num(duration / d)}× real time`);
  console.log(`  proxy generator (ffprobe + that command + ffprobe of each output): ${secs(g)} [${fmtRuns(gen)}] = ${ratio(g / d)} the anchor`);
  console.log(`  one ffmpeg run per output size (${each.length} decodes): ${secs(s)} [${fmtRuns(separate)}] = ${ratio(s / d)} the single run`);
  summary.add({ what: `proxy ${basename(source)}`, value: secs(g), ratio: `${ratio(g / d)} ffmpeg`, target: withTarget ? '≤ 1.2× ffmpeg direct' : '', ok: withTarget ? g / d <= 1.2 : null });
  summary.add({ what: `  separate runs instead`, value: secs(s), ratio: `${ratio(s / d)} ffmpeg`, target: '', ok: null });
}

async function benchWhisper(runs: number, threads: number, summary: Summary): Promise<void> {
  const wav = join(FIXTURES, 'audio', 'jfk.wav');
  const model = process.env.VSS_WHISPER_MODEL || join(FIXTURES, 'whisper', 'for-tests-ggml-tiny.en.bin');
  if (!existsSync(wav) || !existsSync(model)) {
    console.log('\n== Transcript: skipped (no fixtures and no VSS_WHISPER_MODEL) ==');
    return;
  }
  const info = readWhisperModelInfoSync(model);
  const empty = info.weights_bytes === 0;
  console.log(`\n== Transcript: jfk.wav (11 s) with ${info.file} (${info.type}, ${info.ftype}${empty ? ', NO WEIGHTS' : ''}); ${threads} threads; median of ${runs} ==`);
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const ctx = generatorContext({ path: wav, kind: 'audio', mime: 'audio/wav', variants: ['default'], settings: { threads, models: { whisper: model } }, timeoutMs: HOUR_MS });
    try {
      times.push((await timeAsync(() => transcriptGenerator.generate(ctx))).s);
    } finally {
      ctx.cleanup();
    }
  }
  const t = median(times);
  const rtf = t / 11;
  const label = empty ? 'empty model: decode + load + run of a weightless model, not a real figure' : 'wall time / audio time';
  console.log(`  transcript: ${secs(t)} [${fmtRuns(times)}], real-time factor ${num(rtf)} (${label})`);
  summary.add({ what: 'transcript jfk.wav (11 s)', value: secs(t), ratio: `RTF ${num(rtf)}`, target: empty ? 'empty model' : '', ok: null });
}

async function main(): Promise<void> {
  const args = benchArgs('node dist/bench/proxy-bench.js [--seconds S] [--height H] [--runs R] [--threads T] [--keep]', {
    seconds: { default: 20, min: 1 }, height: { default: 1080, min: 144 }, runs: { default: 3, min: 1 }, threads: { default: availableParallelism(), min: 1 },
  }, ['keep']);
  const workDir = freshDir(tmpdir(), 'vss-proxy-bench-');
  const summary = new Summary();
  process.once('SIGINT', () => { if (!args.keep) rmrf(workDir); process.exit(130); });
  console.log(`vss proxy benchmarks: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${num(totalmem() / 1024 ** 3)} GiB RAM; ffmpeg ${ffmpegTools().ffmpeg}`);
  console.log(`  work dir ${workDir}${args.keep ? ' (kept)' : ' (removed at the end)'}`);
  const started = Date.now();
  try {
    const generated = await makeTestVideo(workDir, args.seconds, args.height);
    await benchOne(generated, workDir, args.runs, args.threads, summary, true);
    for (const name of ['photoprism-blue-go-video.mp4', 'photoprism-christmas-noaudio.mp4']) {
      const f = join(FIXTURES, 'video', name);
      if (existsSync(f)) await benchOne(f, workDir, args.runs, args.threads, summary, false);
    }
    await benchWhisper(args.runs, args.threads, summary);
  } finally {
    if (!args.keep) rmrf(workDir);
  }
  console.log(`\n== Summary (${secs((Date.now() - started) / 1000)} in all) ==`);
  summary.print();
}

runMain(import.meta.url, main);
