/**
 * The source of a thumbnail, decoded once into an upright bitmap no larger than the largest
 * variant: images with sharp (by their content, whatever their name or MIME says), HEIC with
 * libheif in a worker, videos as one representative frame from ffmpeg, PDFs as their first page.
 */
import { decoderBudget } from '../tools/run-in-worker.js';
import sharp, { type Metadata } from 'sharp';
import { renderPdfPage } from '../pdf/render-page.js';
import { GeneratorError, type GeneratorContext } from '../types.js';
import { inputByteLimit } from '../input-limits.js';
import { pixelLimitFor, type PixelLimits } from '../pixel-limits.js';
import { decodeHeic } from '../tools/heic-decode.js';
import { shrinkOnce, sharpReason, type Intermediate } from './intermediate.js';
import { extractVideoFrame } from './video-frame.js';

/** maxInputPixels also bounds a video frame and a rendered page. */
export type DecodeLimits = PixelLimits;

export type DecodedSource = Intermediate | { noVideo: string };

export async function decodeSource(ctx: GeneratorContext, maxEdge: number, limits: DecodeLimits): Promise<DecodedSource> {
  const { path, mime, kind } = ctx.source;
  const lower = mime.toLowerCase();
  if (kind === 'video' || lower.startsWith('video/')) return decodeVideo(ctx, maxEdge, limits);
  if (lower === 'application/pdf') return decodePdf(ctx, maxEdge, limits);

  const meta = await checkedHeader(path, limits);
  const { limit } = pixelLimitFor(meta, limits);
  const shrink = { maxEdge, maxInputPixels: limit, timeoutMs: decoderBudget(ctx.timeoutMs), path };
  if (meta.format === 'heif' && meta.compression === 'hevc') {
    const heic = await decodeHeic(ctx.source.path, {
      maxPixels: limit, maxBytes: inputByteLimit(ctx.settings, 'heicMaxBytes'), signal: ctx.signal, timeoutMs: decoderBudget(ctx.timeoutMs),
      pixels: (meta.width ?? 0) * (meta.height ?? 0),
    });
    return shrinkOnce(heic.data, { ...shrink, autoOrient: false, raw: { width: heic.width, height: heic.height, channels: heic.channels } });
  }
  return shrinkOnce(path, { ...shrink, autoOrient: true });
}

/**
 * The image's header only (no pixels): what it is by content, and its size checked against the
 * limit so a decompression bomb is refused with a clear reason before anything is decoded.
 */
async function checkedHeader(path: string, limits: DecodeLimits): Promise<Metadata> {
  let meta: Metadata;
  try {
    meta = await sharp(path, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new GeneratorError(`${path}: not a readable image: ${sharpReason(err)}`, { permanent: true, path, cause: err });
  }
  const { width, height } = meta;
  if (!width || !height) throw new GeneratorError(`${path}: the image has no size`, { permanent: true, path });
  const { limit, scope } = pixelLimitFor(meta, limits);
  if (width * height > limit) {
    throw new GeneratorError(
      `${path}: image is ${width}×${height} (${megapixels(width * height)} MP), more than the ${megapixels(limit)} MP limit${scope}`,
      { permanent: true, path },
    );
  }
  return meta;
}

async function decodeVideo(ctx: GeneratorContext, maxEdge: number, limits: DecodeLimits): Promise<DecodedSource> {
  const { path } = ctx.source;
  const frame = await extractVideoFrame(path, { maxEdge, signal: ctx.signal, timeoutMs: ctx.timeoutMs, threads: ctx.settings.threads });
  if ('noVideo' in frame) return frame;
  return shrinkOnce(frame.png, { maxEdge, maxInputPixels: limits.maxInputPixels, timeoutMs: decoderBudget(ctx.timeoutMs), autoOrient: false, path });
}

async function decodePdf(ctx: GeneratorContext, maxEdge: number, limits: DecodeLimits): Promise<Intermediate> {
  const { path } = ctx.source;
  // A page is drawn at the size asked for: vector content has no "original size" to exceed.
  const page = await renderPdfPage(path, 0, { maxEdge, signal: ctx.signal, timeoutMs: decoderBudget(ctx.timeoutMs), maxBytes: inputByteLimit(ctx.settings, 'pdfMaxBytes') });
  return shrinkOnce(page.png, { maxEdge, maxInputPixels: limits.maxInputPixels, timeoutMs: decoderBudget(ctx.timeoutMs), autoOrient: false, path });
}

function megapixels(pixels: number): string {
  const mp = pixels / 1e6;
  return mp >= 10 ? mp.toFixed(0) : mp.toPrecision(2);
}
