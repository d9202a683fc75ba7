/**
 * Small videos made by the real ffmpeg for tests: a brightness ramp (each frame's luma tells its
 * frame number), a sideways recording with a display matrix, a file with sound only.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { ffmpegTools } from '../../src/generators/tools/ffmpeg.js';
import { runTool } from '../../src/generators/tools/run-tool.js';

const signal = new AbortController().signal;

async function ffmpeg(args: string[]): Promise<void> {
  await runTool(ffmpegTools().ffmpeg, ['-hide_banner', '-v', 'error', '-y', ...args], { signal, timeoutMs: 120_000 });
}

/** Frame n has luma ≈ n × STEP (x264 keeps flat grey close); `gop` keyframes every that many frames. */
export async function lumaRamp(path: string, o: { seconds: number; fps: number; width?: number; height?: number; step?: number; gop?: number }): Promise<void> {
  const size = `${o.width ?? 64}x${o.height ?? 36}`;
  const step = o.step ?? 2;
  await ffmpeg([
    '-f', 'lavfi', '-i', `color=c=black:s=${size}:r=${o.fps}:d=${o.seconds}`,
    '-vf', `geq=lum='min(255,N*${step})':cb=128:cr=128`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-pix_fmt', 'yuv420p', '-g', String(o.gop ?? o.fps), '-movflags', '+faststart', path,
  ]);
}

/** A moving test pattern (testsrc2), W × H, for SECONDS. */
export async function testPattern(path: string, o: { seconds: number; width: number; height: number; fps?: number }): Promise<void> {
  await ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=${o.width}x${o.height}:rate=${o.fps ?? 25}:duration=${o.seconds}`, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', path]);
}

/** An AAC track alone in an MP4. */
export async function soundOnly(path: string): Promise<void> {
  await ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'aac', path]);
}

/**
 * Give the first track of an MP4 the display matrix of a phone held upright (turn 90°), patched
 * into the track header by hand: not every ffmpeg can write one.
 */
export function rotateQuarterTurn(path: string): void {
  const bytes = readFileSync(path);
  const tkhd = bytes.indexOf('tkhd');
  if (tkhd < 0 || bytes[tkhd + 4] !== 0) throw new Error(`${path}: no version-0 track header`);
  // tkhd v0: 4 flags, 4+4 times, 4 track id, 4 reserved, 4 duration, 8 reserved, 2+2+2+2, then the 3×3 matrix.
  const matrix = tkhd + 4 + 4 + 8 + 4 + 4 + 4 + 8 + 8;
  [0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000].forEach((x, i) => bytes.writeInt32BE(x, matrix + 4 * i));
  writeFileSync(path, bytes);
}
