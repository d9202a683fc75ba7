/**
 * One representative frame of a video, as a PNG no larger than the largest thumbnail asked for.
 * Not the first frame (often black, or a fade-in): ffmpeg seeks to 15% of the duration and its
 * `thumbnail` filter picks, among the next few frames, the one closest to their average
 * histogram (it skips flashes and cuts). A frame that is still nearly black (a long dark intro)
 * is tried again at half the duration. ffmpeg applies the rotation metadata itself.
 */
import { ffmpegTools, probeDuration, probeMedia } from '../tools/ffmpeg.js';
import { runTool } from '../tools/run-tool.js';
import { DEFAULT_PIXEL_LIMITS } from '../pixel-limits.js';
import { decodeImage } from '../tools/sharp-input.js';
import { GeneratorError } from '../types.js';

/** Where in the video to look, as a share of its duration. */
const SEEK_SHARE = 0.15;
const SECOND_SEEK_SHARE = 0.5;
/** Mean luma (0–255) below which a frame counts as black. */
const DARK_LUMA = 16;
/** Frames the `thumbnail` filter chooses among (they are held in memory, already scaled down). */
const CANDIDATE_FRAMES = 12;

export type VideoFrame = { png: Buffer } | { nothing: string };

export interface VideoFrameOptions {
  /** Longest edge of the frame; smaller videos keep their size. */
  maxEdge: number;
  signal: AbortSignal;
  timeoutMs: number;
  /** Decoder threads. */
  threads: number;
}

export async function extractVideoFrame(path: string, o: VideoFrameOptions): Promise<VideoFrame> {
  const probe = await probeMedia(path, o.signal, Math.min(o.timeoutMs, 30_000)).catch((err: unknown) => {
    throw new GeneratorError(`${path}: not a readable video: ${message(err)}`, { permanent: err instanceof GeneratorError ? err.permanent : true, path, cause: err });
  });
  // Attached pictures (cover art in an audio file) are "video" streams too, but not the video.
  const video = probe.streams.find((s) => s.codec_type === 'video' && (s as { disposition?: { attached_pic?: number } }).disposition?.attached_pic !== 1);
  if (!video) return { nothing: 'the file has no video stream' };
  const duration = probeDuration(probe);
  const seek = duration === undefined ? 0 : duration * SEEK_SHARE;

  const grab = (at: number) => grabFrame(path, video.index, at, o);
  let png = await grab(seek);
  // A duration in the header can be wrong (a cut recording): then seeking lands past the end.
  if (png.length === 0 && seek > 0) png = await grab(0);
  if (png.length === 0) throw new GeneratorError(`${path}: ffmpeg decoded no video frame`, { permanent: true, path });
  const luma = duration === undefined ? 255 : await meanLuma(png);
  if (duration !== undefined && luma < DARK_LUMA) {
    const later = await grab(duration * SECOND_SEEK_SHARE);
    if (later.length > 0 && (await meanLuma(later)) > luma) png = later;
  }
  return { png };
}

/** One frame of stream STREAM_INDEX at about SEEK_SECONDS as PNG bytes (empty when there is none there). */
async function grabFrame(path: string, streamIndex: number, seekSeconds: number, o: VideoFrameOptions): Promise<Buffer> {
  const { ffmpeg } = ffmpegTools();
  const edge = Math.max(1, Math.floor(o.maxEdge));
  // Scale first (the thumbnail filter buffers its candidates): fit in edge × edge, never enlarge.
  const filter = [
    `scale=w='min(${edge},iw)':h='min(${edge},ih)':force_original_aspect_ratio=decrease`,
    `thumbnail=${CANDIDATE_FRAMES}`,
  ].join(',');
  const args = [
    '-hide_banner', '-nostdin', '-v', 'error',
    '-threads', String(Math.max(1, o.threads)),
    ...(seekSeconds > 0 ? ['-ss', seekSeconds.toFixed(3)] : []),
    '-i', path,
    '-map', `0:${streamIndex}`, '-an', '-sn', '-dn',
    '-vf', filter,
    '-frames:v', '1',
    '-f', 'image2pipe', '-c:v', 'png', '-',
  ];
  try {
    // One PNG of at most edge × edge pixels: even stored raw it is 4 bytes a pixel, plus headers.
    const maxStdoutBytes = edge * edge * 4 + 1024 * 1024;
    const { stdout } = await runTool(ffmpeg, args, { signal: o.signal, timeoutMs: o.timeoutMs, maxStdoutBytes });
    return stdout;
  } catch (err) {
    const permanent = err instanceof GeneratorError ? err.permanent : true;
    throw new GeneratorError(`${path}: no frame could be taken from the video: ${message(err)}`, { permanent, path, cause: err });
  }
}

/** Mean luma of an encoded frame; 255 (bright enough) when it cannot be read, so the frame is kept. */
async function meanLuma(png: Buffer): Promise<number> {
  try {
    return (await decodeImage(png, { maxInputPixels: DEFAULT_PIXEL_LIMITS.maxInputPixels }).greyscale().stats()).channels[0]?.mean ?? 255;
  } catch {
    return 255;
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
