/**
 * How many pixels an image may have before it is refused from its header. Most decoders here
 * stream rows (PNG, TIFF) or shrink while decoding (JPEG, WebP), so their memory follows the
 * output size and 100 MP is allowed. A few hold the whole frame at full size before anything can
 * shrink it — GIF (libnsgif, 4 bytes a pixel), HEIC (libheif in WASM, ~10 bytes a pixel with its
 * YCbCr planes and the RGBA copy), AVIF (libheif in sharp) — and are held to a lower limit so one
 * job cannot take half a gigabyte: 50 MP still takes a 48 MP phone photo.
 */
import { GeneratorError } from './types.js';

/** What the limits read of an image's header (sharp's Metadata has these). */
export interface ImageFormat {
  format?: string;
  compression?: string;
}

export interface PixelLimits {
  /** Refuse larger images of any format (decompression bombs). */
  maxInputPixels: number;
  /** Refuse larger images of a format decoded whole (GIF, HEIC, AVIF). */
  maxWholeFramePixels: number;
}

export const DEFAULT_PIXEL_LIMITS: PixelLimits = { maxInputPixels: 100_000_000, maxWholeFramePixels: 50_000_000 };

/** The format's name when its decoder holds whole frames, else undefined. */
export function decodedWhole(meta: ImageFormat): string | undefined {
  if (meta.format === 'gif') return 'GIF';
  if (meta.format === 'heif') return meta.compression === 'av1' ? 'AVIF' : 'HEIC';
  return undefined;
}

/** The limit for this image, and what the refusal should call it. */
export function pixelLimitFor(meta: ImageFormat, limits: PixelLimits): { limit: number; scope: string } {
  const whole = decodedWhole(meta);
  return whole && limits.maxWholeFramePixels < limits.maxInputPixels
    ? { limit: limits.maxWholeFramePixels, scope: ` for ${whole} (decoded whole)` }
    : { limit: limits.maxInputPixels, scope: '' };
}

/**
 * The refusal of an image with more pixels than LIMIT, in the one wording every decoder uses
 * (sharp's formats, libheif's thread): "image is 50000×50000 (2500 MP), more than the 100 MP limit".
 * SCOPE names a lower limit's reason (" for HEIC (decoded whole)"); PATH leads when known.
 */
export function tooManyPixels(width: number, height: number, limit: number, o: { scope?: string; path?: string } = {}): GeneratorError {
  const lead = o.path === undefined ? '' : `${o.path}: `;
  return new GeneratorError(`${lead}image is ${width}×${height} (${megapixels(width * height)} MP), more than the ${megapixels(limit)} MP limit${o.scope ?? ''}`, { permanent: true, path: o.path });
}

/** 2500, 81, 1.0, 0.25: whole megapixels from 10 up, two figures below. */
export function megapixels(pixels: number): string {
  const mp = pixels / 1e6;
  return mp >= 10 ? mp.toFixed(0) : mp.toPrecision(2);
}
