/**
 * What a proxy of a video looks like: the size rule, the encoder settings per variant and the one
 * ffmpeg command that makes every requested variant from a single decode. Pure functions over an
 * ffprobe result, so the rules can be tested without running ffmpeg.
 */
import type { ProbeResult, ProbeStream } from '../tools/ffmpeg.js';
import { SIDECAR_KINDS } from '../../sidecars/kinds.js';

export type ProxyVariant = keyof typeof SIDECAR_KINDS.proxy.variants;

export interface ProxyEncoding {
  /** Short edge in px (the table's 180 / 480 / 720), capped at the source's short edge. */
  shortEdge: number;
  /** libx264 constant rate factor: smaller proxies tolerate more loss (they are seen small). */
  crf: number;
  audioKbps: number;
  /** A keyframe at least this often, so seeking (scrubbing above all) lands close to the point asked for. */
  keyframeSeconds: number;
}

export const PROXY_ENCODINGS: Readonly<Record<ProxyVariant, ProxyEncoding>> = {
  scrub: { shortEdge: SIDECAR_KINDS.proxy.variants.scrub, crf: 28, audioKbps: 64, keyframeSeconds: 1 },
  quick: { shortEdge: SIDECAR_KINDS.proxy.variants.quick, crf: 26, audioKbps: 96, keyframeSeconds: 2 },
  edit: { shortEdge: SIDECAR_KINDS.proxy.variants.edit, crf: 23, audioKbps: 128, keyframeSeconds: 2 },
};

/** Proxies never run faster than this: more frames cost encode time and bytes, and a proxy is for looking, not grading. */
export const PROXY_MAX_FPS = 30;
export const X264_PRESET = 'veryfast';

export function isProxyVariant(v: string): v is ProxyVariant {
  return Object.prototype.hasOwnProperty.call(PROXY_ENCODINGS, v);
}

/** The picture as shown: pixel size corrected for non-square pixels and rotation. */
export interface VideoGeometry {
  streamIndex: number;
  /** Displayed width and height (after rotation and sample aspect ratio). */
  width: number;
  height: number;
  /** Average frame rate, when the file says one. */
  fps: number | undefined;
  /** Interlaced fields (DV, broadcast captures): deinterlaced first, or every proxy frame combs. */
  interlaced?: boolean;
}

/** The extra ffprobe fields this module reads (ffprobe prints them; the shared type leaves them out). */
type ProbeStreamMore = ProbeStream & {
  sample_aspect_ratio?: string;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  field_order?: string;
  channels?: number;
  disposition?: { attached_pic?: number };
};

/** The main video stream: the first one that is a real moving picture, not cover art. */
export function videoStream(p: ProbeResult): ProbeStreamMore | undefined {
  return (p.streams as ProbeStreamMore[]).find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1 && (s.width ?? 0) > 0 && (s.height ?? 0) > 0);
}

export function audioStream(p: ProbeResult): ProbeStreamMore | undefined {
  return (p.streams as ProbeStreamMore[]).find((s) => s.codec_type === 'audio');
}

function ratio(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const m = /^(\d+(?:\.\d+)?)[:/](\d+(?:\.\d+)?)$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  const d = Number(m[2]);
  return n > 0 && d > 0 ? n / d : undefined;
}

/** Rotation in degrees from the display matrix (ffprobe's side data) or the legacy `rotate` tag. */
export function rotationOf(s: ProbeStream): number {
  for (const sd of s.side_data_list ?? []) {
    const r = sd.rotation;
    if (typeof r === 'number' && Number.isFinite(r)) return r;
    if (typeof r === 'string' && Number.isFinite(Number(r))) return Number(r);
  }
  const tag = Number(s.tags?.rotate);
  return Number.isFinite(tag) ? tag : 0;
}

export function geometryOf(s: ProbeStreamMore): VideoGeometry {
  let width = s.width ?? 0;
  let height = s.height ?? 0;
  // Anamorphic video (DV, some broadcast captures): widen to square pixels, as players show it.
  const sar = ratio(s.sample_aspect_ratio);
  if (sar && Math.abs(sar - 1) > 0.01) width = Math.round(width * sar);
  // ffmpeg turns the picture upright before our filters run (autorotate), so size the upright picture.
  if (Math.abs(Math.round(rotationOf(s) / 90)) % 2 === 1) [width, height] = [height, width];
  const fps = ratio(s.avg_frame_rate) ?? ratio(s.r_frame_rate);
  const interlaced = ['tt', 'bb', 'tb', 'bt'].includes(s.field_order ?? '');
  return { streamIndex: s.index, width, height, fps: fps && fps < 1000 ? fps : undefined, ...(interlaced ? { interlaced } : {}) };
}

const even = (x: number) => Math.max(2, 2 * Math.floor(x / 2));

/**
 * The size of a proxy: its SHORT edge is the variant's number (so a portrait 1080×1920 video's
 * "720p" is 720×1280, as for landscape), never more than the source's own short edge — a proxy is
 * never larger than its source. The long edge keeps the aspect ratio; both are even (yuv420p).
 */
export function proxySize(src: { width: number; height: number }, shortEdge: number): { width: number; height: number } {
  const landscape = src.width >= src.height;
  const srcShort = landscape ? src.height : src.width;
  const srcLong = landscape ? src.width : src.height;
  const short = even(Math.min(shortEdge, srcShort));
  const long = Math.min(2 * Math.max(1, Math.round((srcLong * short) / srcShort / 2)), even(srcLong));
  return landscape ? { width: long, height: short } : { width: short, height: long };
}

/** One encode: a size and its settings, written to one or more variants (identical sizes are encoded once). */
export interface ProxyEncode {
  width: number;
  height: number;
  encoding: ProxyEncoding;
  variants: ProxyVariant[];
}

/**
 * Group the variants by output size. A 270p source's quick (480) and edit (720) are both 270p:
 * encoding it twice would make two near-identical files, so it is made once with the better
 * settings of the two and copied.
 */
export function planEncodes(geometry: VideoGeometry, variants: readonly ProxyVariant[]): ProxyEncode[] {
  const bySize = new Map<string, ProxyEncode>();
  for (const v of variants) {
    const enc = PROXY_ENCODINGS[v];
    const size = proxySize(geometry, enc.shortEdge);
    const key = `${size.width}x${size.height}`;
    const had = bySize.get(key);
    if (!had) bySize.set(key, { ...size, encoding: enc, variants: [v] });
    else {
      had.variants.push(v);
      if (enc.crf < had.encoding.crf) had.encoding = enc;
    }
  }
  return [...bySize.values()];
}

export interface FfmpegPlanInput {
  source: string;
  geometry: VideoGeometry;
  /** The audio stream to keep (index and channel count), or none. */
  audio: { index: number; channels: number | undefined } | undefined;
  encodes: ReadonlyArray<ProxyEncode & { output: string }>;
  threads: number;
}

/**
 * One ffmpeg run for all encodes: decode once, `split` the frames, scale each branch, encode each
 * to its own MP4. Metadata (GPS, device names) is not copied: a proxy is for viewing. Paths go
 * through the `file:` protocol so no file name is ever read as another ffmpeg protocol or option.
 */
export function ffmpegArgs(p: FfmpegPlanInput): string[] {
  const threads = Math.max(1, Math.floor(p.threads));
  const n = p.encodes.length;
  const pre = (p.geometry.interlaced ? 'yadif,' : '') + (p.geometry.fps !== undefined && p.geometry.fps > PROXY_MAX_FPS + 0.5 ? `fps=${PROXY_MAX_FPS},` : '');
  const branches = p.encodes.map((_, i) => `[s${i}]`).join('');
  const graph = [`[0:${p.geometry.streamIndex}]${pre}split=${n}${branches}`];
  p.encodes.forEach((e, i) => graph.push(`[s${i}]scale=${e.width}:${e.height}:flags=bicubic,setsar=1,format=yuv420p[v${i}]`));
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-threads', String(threads), '-i', `file:${p.source}`, '-filter_complex', graph.join(';')];
  // Every encoder may use the whole thread budget: the largest size is the bottleneck, and splitting
  // the budget left it one thread while the small ones idled. Measured on 2 cores, 20 s 1080p → 3
  // sizes: 7.1 s (10.6 s with the budget split), against 9.1 s for three separate runs.
  const encThreads = threads;
  p.encodes.forEach((e, i) => {
    args.push('-map', `[v${i}]`);
    if (p.audio) args.push('-map', `0:${p.audio.index}`);
    args.push(
      '-c:v', 'libx264', '-preset', X264_PRESET, '-crf', String(e.encoding.crf), '-profile:v', 'high', '-pix_fmt', 'yuv420p',
      '-threads', String(encThreads),
      '-force_key_frames', `expr:gte(t,n_forced*${e.encoding.keyframeSeconds})`,
    );
    if (p.audio) args.push('-c:a', 'aac', '-b:a', `${e.encoding.audioKbps}k`, '-ac', String(Math.min(2, Math.max(1, p.audio.channels ?? 2))));
    args.push('-map_metadata', '-1', '-map_chapters', '-1', '-max_muxing_queue_size', '4096', '-movflags', '+faststart', '-f', 'mp4', `file:${e.output}`);
  });
  return args;
}
