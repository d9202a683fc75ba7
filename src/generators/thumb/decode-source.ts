/**
 * The source of a thumbnail, decoded once into an upright bitmap no larger than the largest
 * variant: images with sharp (by their content, whatever their name or MIME says), HEIC with
 * libheif in a worker, videos as one representative frame from ffmpeg, PDFs as their first page,
 * camera RAW files as the largest JPEG preview they embed.
 */
import { decoderBudget } from '../tools/run-in-worker.js';
import { renderPdfPage } from '../pdf/render-page.js';
import type { GeneratorContext } from '../types.js';
import { inputByteLimit } from '../input-limits.js';
import { pixelLimitFor, type PixelLimits } from '../pixel-limits.js';
import { readImageHeader } from '../tools/sharp-input.js';
import { decodeHeic } from '../tools/heic-decode.js';
import { shrinkOnce, type Intermediate } from './intermediate.js';
import { extractVideoFrame } from './video-frame.js';
import { decodeRawPreview } from './raw-preview.js';
import { isRawMime, RAW_MIMES } from '../../content/raw-formats.js';

/**
 * Image types decodeSource reads: sharp's (AVIF via its libheif+aom), HEIC/HEIF via heic-decode,
 * and camera RAW files by their embedded preview.
 */
export const DECODED_IMAGE_MIMES: ReadonlySet<string> = new Set([
  'image/jpeg', 'image/png', 'image/apng', 'image/webp', 'image/tiff', 'image/gif', 'image/avif',
  'image/heic', 'image/heif', 'image/heic-sequence', 'image/heif-sequence',
  ...RAW_MIMES,
]);

/** maxInputPixels also bounds a video frame and a rendered page. */
export type DecodeLimits = PixelLimits;

export type DecodedSource = Intermediate | { nothing: string };

export async function decodeSource(ctx: GeneratorContext, maxEdge: number, limits: DecodeLimits): Promise<DecodedSource> {
  const { path, mime, kind } = ctx.source;
  const lower = mime.toLowerCase();
  if (kind === 'video' || lower.startsWith('video/')) return decodeVideo(ctx, maxEdge, limits);
  if (lower === 'application/pdf') return decodePdf(ctx, maxEdge, limits);
  if (isRawMime(lower)) {
    return decodeRawPreview(path, ctx.source.metadata, { maxEdge, maxInputPixels: limits.maxInputPixels, timeoutMs: decoderBudget(ctx), path });
  }

  // The header only: what it is by content, and a decompression bomb refused before any pixel.
  const meta = await readImageHeader(path, limits);
  const { limit } = pixelLimitFor(meta, limits);
  const shrink = { maxEdge, maxInputPixels: limit, timeoutMs: decoderBudget(ctx), path };
  if (meta.format === 'heif' && meta.compression === 'hevc') {
    const heic = await decodeHeic(ctx.source.path, {
      maxPixels: limit, maxBytes: inputByteLimit(ctx.settings, 'heicMaxBytes'), signal: ctx.signal, timeoutMs: decoderBudget(ctx),
      pixels: (meta.width ?? 0) * (meta.height ?? 0),
    });
    return shrinkOnce(heic.data, { ...shrink, autoOrient: false, raw: { width: heic.width, height: heic.height, channels: heic.channels } });
  }
  return shrinkOnce(path, { ...shrink, autoOrient: true });
}

async function decodeVideo(ctx: GeneratorContext, maxEdge: number, limits: DecodeLimits): Promise<DecodedSource> {
  const { path } = ctx.source;
  const frame = await extractVideoFrame(path, { maxEdge, signal: ctx.signal, timeoutMs: ctx.timeoutMs, threads: ctx.settings.threads });
  if ('nothing' in frame) return frame;
  return shrinkOnce(frame.png, { maxEdge, maxInputPixels: limits.maxInputPixels, timeoutMs: decoderBudget(ctx), autoOrient: false, path });
}

async function decodePdf(ctx: GeneratorContext, maxEdge: number, limits: DecodeLimits): Promise<Intermediate> {
  const { path } = ctx.source;
  // A page is drawn at the size asked for: vector content has no "original size" to exceed.
  const page = await renderPdfPage(path, 0, { maxEdge, signal: ctx.signal, timeoutMs: decoderBudget(ctx), maxBytes: inputByteLimit(ctx.settings, 'pdfMaxBytes') });
  return shrinkOnce(page.png, { maxEdge, maxInputPixels: limits.maxInputPixels, timeoutMs: decoderBudget(ctx), autoOrient: false, path });
}
