/**
 * How many pixels an image may have before it is refused from its header. Most decoders here
 * stream rows (PNG, TIFF) or shrink while decoding (JPEG, WebP), so their memory follows the
 * output size and 100 MP is allowed. A few hold the whole frame at full size before anything can
 * shrink it — GIF (libnsgif, 4 bytes a pixel), HEIC (libheif in WASM, ~10 bytes a pixel with its
 * YCbCr planes and the RGBA copy), AVIF (libheif in sharp) — and are held to a lower limit so one
 * job cannot take half a gigabyte: 50 MP still takes a 48 MP phone photo.
 */
import type { Metadata } from 'sharp';

export interface PixelLimits {
  /** Refuse larger images of any format (decompression bombs). */
  maxInputPixels: number;
  /** Refuse larger images of a format decoded whole (GIF, HEIC, AVIF). */
  maxWholeFramePixels: number;
}

export const DEFAULT_PIXEL_LIMITS: PixelLimits = { maxInputPixels: 100_000_000, maxWholeFramePixels: 50_000_000 };

/** The format's name when its decoder holds whole frames, else undefined. */
export function decodedWhole(meta: Pick<Metadata, 'format' | 'compression'>): string | undefined {
  if (meta.format === 'gif') return 'GIF';
  if (meta.format === 'heif') return meta.compression === 'av1' ? 'AVIF' : 'HEIC';
  return undefined;
}

/** The limit for this image, and what the refusal should call it. */
export function pixelLimitFor(meta: Pick<Metadata, 'format' | 'compression'>, limits: PixelLimits): { limit: number; scope: string } {
  const whole = decodedWhole(meta);
  return whole && limits.maxWholeFramePixels < limits.maxInputPixels
    ? { limit: limits.maxWholeFramePixels, scope: ` for ${whole} (decoded whole)` }
    : { limit: limits.maxInputPixels, scope: '' };
}
