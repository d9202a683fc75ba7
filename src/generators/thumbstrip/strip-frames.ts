/**
 * The 25 frames of a thumbstrip as raw RGB tiles, taken by ffmpeg either in one run over the
 * whole video or by 25 seeks (strip-plan.ts says which and why). A video that ends well before
 * the duration its header claims (cut short, damaged) fails permanently: a strip whose last
 * tiles all repeat one frame would lie about the video.
 */
import { ffmpegTools } from '../tools/ffmpeg.js';
import { runTool } from '../tools/run-tool.js';
import { GeneratorError } from '../types.js';
import type { VideoGeometry } from '../proxy/proxy-plan.js';
import { FRAMES, frameTimes, oneRunArgs, seekArgs, type StripMethod, type TileSize } from './strip-plan.js';

/** Frames that may be missing at the end (rounding of the last frame times), repeated from the one before. */
const MISSING_AT_END = 2;

export interface FrameRequest {
  source: string;
  geometry: VideoGeometry;
  duration: number;
  tile: TileSize;
  method: StripMethod;
  threads: number;
  signal: AbortSignal;
  timeoutMs: number;
}

export async function stripFrames(r: FrameRequest): Promise<Buffer[]> {
  const frames = r.method === 'one-run' ? await oneRun(r) : await seeks(r);
  if (frames.length < FRAMES - MISSING_AT_END) {
    const endsAt = (frames.length * r.duration) / FRAMES;
    throw new GeneratorError(
      `${r.source}: the video has frames up to about ${endsAt.toFixed(1)} s but says it lasts ${r.duration.toFixed(1)} s (it is probably cut short or damaged)`,
      { permanent: true, path: r.source },
    );
  }
  return frames;
}

function frameBytes(tile: TileSize): number {
  return tile.width * tile.height * 3;
}

async function oneRun(r: FrameRequest): Promise<Buffer[]> {
  const size = frameBytes(r.tile);
  const stdout = await ffmpeg(r, oneRunArgs(r), FRAMES * size, r.timeoutMs);
  const frames: Buffer[] = [];
  for (let at = 0; at + size <= stdout.length; at += size) frames.push(stdout.subarray(at, at + size));
  return frames;
}

/** One ffmpeg run per frame, one after the other; a seek past the last frame gives nothing. */
async function seeks(r: FrameRequest): Promise<Buffer[]> {
  const size = frameBytes(r.tile);
  const started = Date.now();
  const frames: Buffer[] = [];
  for (const at of frameTimes(r.duration)) {
    const left = r.timeoutMs - (Date.now() - started);
    // Like any tool's time limit: the machine's load as likely as the input, so retried with backoff.
    if (left <= 0) throw new GeneratorError(`${r.source}: the thumbstrip took longer than ${Math.round(r.timeoutMs / 1000)} s`, { permanent: false, path: r.source });
    const out = await ffmpeg(r, seekArgs({ ...r, at }), size, left);
    if (out.length < size) break;
    frames.push(out.subarray(0, size));
  }
  return frames;
}

async function ffmpeg(r: FrameRequest, args: string[], maxBytes: number, timeoutMs: number): Promise<Buffer> {
  try {
    return (await runTool(ffmpegTools().ffmpeg, args, { signal: r.signal, timeoutMs, maxStdoutBytes: maxBytes + 1024 })).stdout;
  } catch (err) {
    const permanent = err instanceof GeneratorError ? err.permanent : true;
    throw new GeneratorError(`${r.source}: no frames could be taken from the video: ${err instanceof Error ? err.message : String(err)}`, { permanent, path: r.source, cause: err });
  }
}
