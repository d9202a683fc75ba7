import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { GeneratorError } from '../types.js';
import { runTool } from './run-tool.js';

const require = createRequire(import.meta.url);

/** Find NAME on PATH (a system ffmpeg is preferred: usually newer and with hardware support). */
function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch { /* not here */ }
  }
  return undefined;
}

function fromNpm(pkg: string): string | undefined {
  try {
    return (require(pkg) as { path: string }).path;
  } catch {
    return undefined;
  }
}

let cached: { ffmpeg: string; ffprobe: string } | undefined;

/**
 * The ffmpeg and ffprobe to use: VSS_FFMPEG / VSS_FFPROBE, else the system's on PATH, else the
 * binaries shipped in npm (@ffmpeg-installer, @ffprobe-installer).
 */
export function ffmpegTools(): { ffmpeg: string; ffprobe: string } {
  if (cached) return cached;
  const ffmpeg = process.env.VSS_FFMPEG || onPath('ffmpeg') || fromNpm('@ffmpeg-installer/ffmpeg');
  const ffprobe = process.env.VSS_FFPROBE || onPath('ffprobe') || fromNpm('@ffprobe-installer/ffprobe');
  if (!ffmpeg || !ffprobe) throw new GeneratorError('ffmpeg/ffprobe not found: install ffmpeg or reinstall vss (npm ci)', { permanent: false });
  cached = { ffmpeg, ffprobe };
  return cached;
}

/** Whether ffmpeg and ffprobe can be found: the availability of every generator that runs them. */
export function ffmpegAvailability(): { ok: true } | { ok: false; reason: string } {
  try {
    ffmpegTools();
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

export interface ProbeStream {
  index: number;
  codec_type: 'video' | 'audio' | 'subtitle' | 'data' | string;
  codec_name?: string;
  width?: number;
  height?: number;
  /** Audio: samples per second and channels, as the header says. */
  sample_rate?: string;
  channels?: number;
  duration?: string;
  tags?: Record<string, string>;
  side_data_list?: Array<Record<string, unknown>>;
}

export interface ProbeResult {
  streams: ProbeStream[];
  format: { duration?: string; format_name?: string; size?: string };
}

/** ffprobe a media file (bounded time); a file ffprobe cannot read fails permanently. */
export async function probeMedia(path: string, signal: AbortSignal, timeoutMs = 30_000): Promise<ProbeResult> {
  const { ffprobe } = ffmpegTools();
  const { stdout } = await runTool(ffprobe, ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', '--', path], {
    signal, timeoutMs, maxStdoutBytes: 4 * 1024 * 1024,
  });
  try {
    const parsed = JSON.parse(stdout.toString('utf8')) as Partial<ProbeResult>;
    return { streams: parsed.streams ?? [], format: parsed.format ?? {} };
  } catch (err) {
    throw new GeneratorError(`ffprobe gave unreadable output for ${path}`, { permanent: true, path, cause: err });
  }
}

/** Duration in seconds from a probe, or undefined. */
export function probeDuration(p: ProbeResult): number | undefined {
  const d = Number(p.format.duration ?? p.streams.find((s) => s.codec_type === 'video')?.duration);
  return Number.isFinite(d) && d > 0 ? d : undefined;
}
