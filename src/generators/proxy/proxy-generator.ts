/**
 * The `proxy` generator: small H.264/AAC MP4 copies of a video for smooth playback and scrubbing
 * (scrub 180p, quick 480p, edit 720p — the short edge, never above the source's; see proxy-plan.ts).
 * Every requested variant comes from one ffmpeg run (one decode); each output is checked with
 * ffprobe before it is handed back, so a truncated source cannot leave a short "ready" proxy.
 */
import { copyFile } from 'node:fs/promises';
import { ffmpegAvailability, ffmpegTools, probeDuration, probeMedia, type ProbeResult } from '../tools/ffmpeg.js';
import { runTool } from '../tools/run-tool.js';
import type { GeneratedOutput, Generator, GeneratorContext } from '../types.js';
import { GeneratorError } from '../types.js';
import {
  audioStream, ffmpegArgs, geometryOf, isProxyVariant, planEncodes, videoStream,
  type ProxyEncode, type ProxyVariant,
} from './proxy-plan.js';

/** Wall time allowed per second of video (decode + all encodes), on top of a fixed start-up allowance. */
const MS_PER_VIDEO_SECOND = 20_000;
const BASE_TIMEOUT_MS = 60_000;
const PROBE_TIMEOUT_MS = 30_000;

export const proxyGenerator: Generator<'proxy'> = {
  kind: 'proxy',
  name: 'vss-proxy-ffmpeg',
  version: '1.0.0',

  accepts(content, variant) {
    return content.kind === 'video' && isProxyVariant(variant);
  },

  availability: ffmpegAvailability,

  async generate(ctx: GeneratorContext): Promise<GeneratedOutput[]> {
    const out: GeneratedOutput[] = [];
    const wanted: ProxyVariant[] = [];
    for (const v of ctx.variants) {
      if (isProxyVariant(v)) wanted.push(v);
      else out.push({ variant: v, skip: `proxy has no variant "${v}"` });
    }
    if (wanted.length === 0) return out;
    return [...out, ...(await makeProxies(ctx, wanted))];
  },
};

async function makeProxies(ctx: GeneratorContext, variants: ProxyVariant[]): Promise<GeneratedOutput[]> {
  const { path } = ctx.source;
  const { ffmpeg } = ffmpegTools();
  const probe = await probeOrFail(path, ctx.signal, 'cannot read the video');
  const vs = videoStream(probe);
  if (!vs) return variants.map((variant) => ({ variant, skip: 'no video stream' }));
  const geometry = geometryOf(vs);
  const as = audioStream(probe);
  const sourceDuration = probeDuration(probe);

  const encodes = planEncodes(geometry, variants).map((e) => ({ ...e, output: ctx.tempFileFor(e.variants[0]!, 'mp4') }));
  const args = ffmpegArgs({
    source: path,
    geometry,
    audio: as ? { index: as.index, channels: as.channels } : undefined,
    encodes,
    threads: ctx.settings.threads,
  });
  const timeoutMs = sourceDuration === undefined
    ? ctx.timeoutMs
    : Math.min(ctx.timeoutMs, BASE_TIMEOUT_MS + sourceDuration * MS_PER_VIDEO_SECOND * (1 + 0.5 * (encodes.length - 1)));
  let ffmpegSaid: string;
  try {
    ffmpegSaid = (await runTool(ffmpeg, args, { signal: ctx.signal, timeoutMs })).stderr;
  } catch (err) {
    throw withPath(err, path, 'ffmpeg could not make a proxy');
  }

  // The checks are small independent ffprobe runs: side by side.
  await Promise.all(encodes.map((e) => verifyProxy(e, sourceDuration, !!as, path, ctx.signal, ffmpegSaid)));
  const results: GeneratedOutput[] = [];
  for (const e of encodes) {
    results.push({ variant: e.variants[0]!, format: 'mp4', file: e.output });
    // Same size as another variant (a small source): the same file serves both.
    for (const other of e.variants.slice(1)) {
      const file = ctx.tempFileFor(other, 'mp4');
      await copyFile(e.output, file);
      results.push({ variant: other, format: 'mp4', file });
    }
  }
  return results;
}

async function probeOrFail(file: string, signal: AbortSignal, what: string): Promise<ProbeResult> {
  try {
    return await probeMedia(file, signal, PROBE_TIMEOUT_MS);
  } catch (err) {
    throw withPath(err, file, what);
  }
}

/** The output must be a playable H.264 MP4 of the planned size and (about) the source's length. */
async function verifyProxy(
  e: ProxyEncode & { output: string }, sourceDuration: number | undefined, withAudio: boolean, source: string, signal: AbortSignal, ffmpegSaid: string,
): Promise<void> {
  // ffmpeg's complaints (decode errors) are the likely reason, so they go with the failure.
  const said = lastLines(ffmpegSaid);
  const fail = (why: string) => new GeneratorError(`${source}: the ${e.variants.join('/')} proxy is not usable: ${why}${said ? `; ffmpeg said: ${said}` : ''}`, { permanent: true, path: source });
  let p: ProbeResult;
  try {
    p = await probeMedia(e.output, signal, PROBE_TIMEOUT_MS);
  } catch (err) {
    throw fail(`ffprobe cannot read it (${err instanceof Error ? err.message : String(err)})`);
  }
  const v = p.streams.find((s) => s.codec_type === 'video');
  if (!v || v.codec_name !== 'h264') throw fail(`no H.264 stream (found ${v?.codec_name ?? 'no video'})`);
  if (v.width !== e.width || v.height !== e.height) throw fail(`it is ${v.width}×${v.height}, ${e.width}×${e.height} was planned`);
  if (withAudio && !p.streams.some((s) => s.codec_type === 'audio')) throw fail('the audio track is missing');
  const d = probeDuration(p);
  if (d === undefined) throw fail('it has no duration');
  if (sourceDuration !== undefined) {
    // A decoder that gives up half-way (truncated or damaged source) still exits 0 with a short file.
    // Legitimate differences (AAC priming, the last frame of a capped frame rate) are a few tens of ms.
    const tolerance = Math.max(0.25, sourceDuration * 0.03);
    if (Math.abs(d - sourceDuration) > tolerance) {
      throw fail(`it lasts ${d.toFixed(2)} s but the source says ${sourceDuration.toFixed(2)} s (the source is probably truncated or damaged)`);
    }
  }
}

function lastLines(text: string): string {
  return text.trim().split(/\r?\n/).filter((l) => l.trim() !== '').slice(-3).join(' | ').slice(0, 600);
}

function withPath(err: unknown, path: string, what: string): GeneratorError {
  const message = err instanceof Error ? err.message : String(err);
  const permanent = err instanceof GeneratorError ? err.permanent : true;
  return new GeneratorError(`${path}: ${what}: ${message}`, { permanent, path, cause: err });
}
