/**
 * What a thumbstrip is: GRID × GRID frames of a video at evenly spaced times, tiled row by row
 * into one picture a UI scrubber shows one tile of at a time. Pure functions, so the rules are
 * tested without ffmpeg.
 *
 * Tile size: the frame fits in 160 × 160 px (its long edge is 160, the aspect kept; never
 * enlarged). 160 px is what a hover-scrub preview shows (YouTube's storyboards are 160×90), and
 * bounding the long edge rather than the width keeps a portrait phone video's strip as small as
 * a landscape one's: at most 800 × 800 px (0.64 MP, some 30–90 KB of WebP), so a browser decodes
 * it in a few ms and a grid of videos can load theirs eagerly.
 *
 * Times: tile k is the frame shown at k/25 of the duration (the start of its twenty-fifth), so
 * a scrubber at position x (0–1) shows tile floor(25·x). A video with fewer than 25 frames
 * repeats frames (each tile is the frame on screen at its time) rather than padding with black:
 * every position of the scrubber then shows what the video shows there.
 */
import { SIDECAR_KINDS } from '../../sidecars/kinds.js';
import type { VideoGeometry } from '../proxy/proxy-plan.js';

/** Tiles per row and per column (the kinds table's number for `preview`). */
export const GRID = SIDECAR_KINDS.thumbstrip.variants.preview;
export const FRAMES = GRID * GRID;
/** Longest edge of one tile, px. */
export const TILE_EDGE = 160;
export const STRIP_FORMAT = 'webp';
export const STRIP_QUALITY = 75;

/**
 * Up to this duration the frames come from one ffmpeg run that decodes the whole video; above it
 * from 25 seeks, each decoding from the keyframe before its time. One run costs decode time per
 * second of video; the seeks cost 25 × (a tool start + up to one keyframe interval of decoding),
 * whatever the length. Measured with bench/thumbstrip-bench.ts on 2 cores, 1080p30 H.264, the
 * generator's own time: 20 s clip, one run 1.7 s vs seeks 2.0 s (keyframe every second, as phones
 * write) and 14.3 s (every 250 frames, x264's default); 120 s clip, one run 18.0 s vs seeks 2.3 s
 * (every second) and 23.8 vs 23.6 s (every 250 frames). The crossing is near 25 s for the first
 * kind of file and near 120 s for the second.
 */
export const ONE_RUN_MAX_SECONDS = 60;

export type StripMethod = 'one-run' | 'seeks';

export interface TileSize {
  width: number;
  height: number;
}

export function isStripVariant(v: string): v is keyof typeof SIDECAR_KINDS.thumbstrip.variants {
  return Object.prototype.hasOwnProperty.call(SIDECAR_KINDS.thumbstrip.variants, v);
}

/** The tile for a picture shown at W × H: long edge TILE_EDGE (or the picture's own, if smaller). */
export function tileSize(shown: { width: number; height: number }, edge = TILE_EDGE): TileSize {
  const w = Math.max(1, shown.width);
  const h = Math.max(1, shown.height);
  const long = Math.min(edge, Math.max(w, h));
  // Two pixels at least: a 1-pixel-high sliver would not survive chroma subsampling.
  const short = Math.max(2, Math.round((long * Math.min(w, h)) / Math.max(w, h)));
  return w >= h ? { width: long, height: short } : { width: short, height: long };
}

/** When tile K (0-based) is taken, in seconds from the start. */
export function frameTimes(duration: number, frames = FRAMES): number[] {
  return Array.from({ length: frames }, (_, k) => (k * duration) / frames);
}

export function methodFor(duration: number): StripMethod {
  return duration <= ONE_RUN_MAX_SECONDS ? 'one-run' : 'seeks';
}

/** The filters from the decoded picture to one tile: deinterlace if needed, exact tile size, square pixels. */
function tileFilters(geometry: VideoGeometry, tile: TileSize): string {
  return `${geometry.interlaced ? 'yadif,' : ''}scale=${tile.width}:${tile.height}:flags=bicubic,setsar=1`;
}

const COMMON_IN = ['-hide_banner', '-nostdin', '-v', 'error'];
const RAW_OUT = ['-an', '-sn', '-dn', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'];

/**
 * One run: the `fps` filter keeps the frame on screen at each k/25 of the duration (`round=up`:
 * the last frame that starts at or before that time; a video shorter than 25 frames repeats its
 * frames), scaled to the tile; the 25 tiles come out raw RGB. ffmpeg turns the picture upright
 * itself (autorotate) before these filters.
 */
export function oneRunArgs(p: { source: string; geometry: VideoGeometry; duration: number; tile: TileSize; threads: number }): string[] {
  const rate = `${FRAMES}/${p.duration.toFixed(6)}`;
  return [
    ...COMMON_IN, '-threads', String(Math.max(1, Math.floor(p.threads))), '-i', `file:${p.source}`,
    '-map', `0:${p.geometry.streamIndex}`,
    '-vf', `fps=fps=${rate}:round=up,${tileFilters(p.geometry, p.tile)}`,
    '-frames:v', String(FRAMES), ...RAW_OUT,
  ];
}

/**
 * One seek: the first frame at or after AT seconds (decoded from the keyframe before it: exact,
 * where the keyframe alone could be seconds away), scaled to the tile. Where a time falls between
 * two frames this is the next one, the one-run method the one before: one frame apart at most.
 */
export function seekArgs(p: { source: string; geometry: VideoGeometry; at: number; tile: TileSize; threads: number }): string[] {
  return [
    ...COMMON_IN, '-threads', String(Math.max(1, Math.floor(p.threads))),
    ...(p.at > 0 ? ['-ss', p.at.toFixed(3)] : []), '-i', `file:${p.source}`,
    '-map', `0:${p.geometry.streamIndex}`,
    '-vf', tileFilters(p.geometry, p.tile),
    '-frames:v', '1', ...RAW_OUT,
  ];
}

/**
 * The tiles as one RGB picture, row by row. Frames missing at the end (the last one or two, where
 * the duration and the frame times round differently) repeat the last frame there is.
 */
export function assembleGrid(frames: readonly Buffer[], tile: TileSize): { rgb: Buffer; width: number; height: number } {
  const width = tile.width * GRID;
  const height = tile.height * GRID;
  const rowBytes = tile.width * 3;
  const rgb = Buffer.alloc(width * height * 3);
  for (let k = 0; k < FRAMES; k++) {
    const frame = frames[Math.min(k, frames.length - 1)]!;
    const x0 = (k % GRID) * tile.width;
    const y0 = Math.floor(k / GRID) * tile.height;
    for (let y = 0; y < tile.height; y++) frame.copy(rgb, ((y0 + y) * width + x0) * 3, y * rowBytes, (y + 1) * rowBytes);
  }
  return { rgb, width, height };
}
