/**
 * The `thumbstrip` generator: one WebP of 5 × 5 evenly spaced frames of a video, for a scrubber
 * (strip-plan.ts has the sizes and times, strip-frames.ts takes the frames). Upright (ffmpeg
 * applies the rotation), square pixels, no metadata. A file without a moving picture (only
 * sound, or only cover art) has no thumbstrip: not applicable, not a failure.
 */
import { configureSharp, fromPixels } from '../tools/sharp-input.js';
import { ffmpegAvailability, probeMedia, type ProbeResult } from '../tools/ffmpeg.js';
import { abortReason } from '../tools/run-tool.js';
import type { GeneratedOutput, Generator, GeneratorContext } from '../types.js';
import { GeneratorError } from '../types.js';
import { geometryOf, videoStream } from '../proxy/proxy-plan.js';
import { stripFrames } from './strip-frames.js';
import { assembleGrid, isStripVariant, methodFor, STRIP_FORMAT, STRIP_QUALITY, tileSize, type StripMethod } from './strip-plan.js';

const PROBE_TIMEOUT_MS = 30_000;

export interface ThumbstripOptions {
  /** Force how frames are taken (benchmarks and tests); by default the video's length decides. */
  method?: StripMethod;
}

export function createThumbstripGenerator(options: ThumbstripOptions = {}): Generator<'thumbstrip'> {
  return {
    kind: 'thumbstrip',
    name: 'vss-thumbstrip',
    version: '1.0.0',

    accepts(content, variant) {
      return content.kind === 'video' && isStripVariant(variant);
    },

    availability: ffmpegAvailability,

    async generate(ctx: GeneratorContext): Promise<GeneratedOutput[]> {
      const out: GeneratedOutput[] = ctx.variants.filter((v) => !isStripVariant(v)).map((variant) => ({ variant, skip: `thumbstrip has no variant "${variant}"` }));
      const wanted = ctx.variants.filter(isStripVariant);
      if (wanted.length === 0) return out;
      const made = await makeStrip(ctx, options);
      return [...out, ...wanted.map((variant) => ('skip' in made ? { variant, skip: made.skip } : { variant, format: STRIP_FORMAT, data: made.data }))];
    },
  };
}

export const thumbstripGenerator: Generator<'thumbstrip'> = createThumbstripGenerator();

async function makeStrip(ctx: GeneratorContext, options: ThumbstripOptions): Promise<{ data: Buffer } | { skip: string }> {
  const { path } = ctx.source;
  if (ctx.signal.aborted) throw new GeneratorError(`${path}: thumbstrip not started: ${abortReason(ctx.signal)}`, { permanent: true, path });
  let probe: ProbeResult;
  try {
    probe = await probeMedia(path, ctx.signal, Math.min(ctx.timeoutMs, PROBE_TIMEOUT_MS));
  } catch (err) {
    throw new GeneratorError(`${path}: not a readable video: ${err instanceof Error ? err.message : String(err)}`, { permanent: err instanceof GeneratorError ? err.permanent : true, path, cause: err });
  }
  const vs = videoStream(probe);
  if (!vs) return { skip: 'no video stream' };
  const geometry = geometryOf(vs);
  const duration = videoDuration(probe, vs.duration);
  if (duration === undefined) throw new GeneratorError(`${path}: the video does not say how long it is, so its frames cannot be spaced evenly`, { permanent: true, path });
  const tile = tileSize(geometry);
  const frames = await stripFrames({
    source: path, geometry, duration, tile,
    method: options.method ?? methodFor(duration),
    threads: ctx.settings.threads, signal: ctx.signal, timeoutMs: ctx.timeoutMs,
  });
  const grid = assembleGrid(frames, tile);
  configureSharp(ctx.settings.threads);
  const data = await fromPixels(grid.rgb, { width: grid.width, height: grid.height, channels: 3 })
    .webp({ quality: STRIP_QUALITY })
    .toBuffer();
  return { data };
}

/** The picture's own duration where the stream says it (a longer sound track must not stretch the strip), else the file's. */
function videoDuration(probe: ProbeResult, streamDuration: string | undefined): number | undefined {
  for (const d of [Number(streamDuration), Number(probe.format.duration)]) if (Number.isFinite(d) && d > 0) return d;
  return undefined;
}
