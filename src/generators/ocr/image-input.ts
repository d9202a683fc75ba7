/**
 * Image files → upright 8-bit grayscale pages for OCR: EXIF orientation applied, transparency
 * flattened onto white, bounded in pixels. sharp decodes JPEG, PNG, WebP, TIFF (every page),
 * GIF (first frame) and AVIF; HEIC/HEIF (whose HEVC codec sharp's build lacks) goes through
 * heic-decode in a killable thread.
 */
import { GeneratorError } from '../types.js';
import type { GrayImage } from './engine.js';
import { INPUT_BYTE_LIMITS } from '../input-limits.js';
import { DEFAULT_PIXEL_LIMITS, type PixelLimits } from '../pixel-limits.js';
import { decodeHeic } from '../tools/heic-decode.js';
import { decodeImage, fromPixels, readImageHeader, sharpReason, type Metadata, type Sharp } from '../tools/sharp-input.js';

export interface OcrImagePage extends GrayImage {
  /** Pixels per inch of the pixels read, when the file says (and says more than a software default). */
  dpi: number | undefined;
  /** Size of the oriented image in the file (larger than width × height where it was downscaled). */
  sourceWidth: number;
  sourceHeight: number;
}

export interface ImageLimits extends PixelLimits {
  /** Downscale larger images to this many pixels before OCR (time grows with pixels). */
  maxOcrPixels: number;
  /** Read at most this many pages of a multi-page TIFF. */
  maxPages: number;
  /** Refuse a HEIC file larger than this before reading it (libheif holds it whole). */
  heicMaxBytes: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = {
  ...DEFAULT_PIXEL_LIMITS,
  maxOcrPixels: 25_000_000,
  maxPages: 50,
  heicMaxBytes: INPUT_BYTE_LIMITS.heicMaxBytes.defaultBytes,
};

const HEIC_MIMES = new Set(['image/heic', 'image/heif', 'image/heic-sequence', 'image/heif-sequence']);

/** An image file opened for OCR: its header checked, its pages decoded one at a time on demand. */
export interface ImageSource {
  /** Pages in the file (TIFF can hold many; every other format is read as one). */
  pageCount: number;
  /** Pages that will be read: pageCount bounded by the page limit. */
  pagesToRead: number;
  /** Decode page INDEX (0-based, < pagesToRead). One page in memory at a time is the caller's choice. */
  page(index: number): Promise<OcrImagePage>;
}

export async function openImage(
  path: string, mime: string, limits: ImageLimits, call: { signal: AbortSignal; timeoutMs: number },
): Promise<ImageSource> {
  const meta = await readImageHeader(path, limits);
  // 72 and 96 are what software writes when it knows nothing: below 100 tesseract estimates instead.
  const dpi = meta.density !== undefined && meta.density >= 100 ? meta.density : undefined;
  // sharp reads AVIF-coded HEIF itself; HEVC-coded (HEIC, what phones write) needs libheif's decoder.
  if (meta.format === 'heif' && (meta.compression === 'hevc' || (HEIC_MIMES.has(mime) && meta.compression !== 'av1'))) {
    return { pageCount: 1, pagesToRead: 1, page: () => loadHeic(path, (meta.width ?? 0) * (meta.height ?? 0), limits, call) };
  }
  // Every page of a TIFF (scanned faxes, multi-page scans); the first frame of anything else.
  const pageCount = meta.format === 'tiff' ? Math.max(1, meta.pages ?? 1) : 1;
  return {
    pageCount,
    pagesToRead: Math.min(pageCount, limits.maxPages),
    page: async (index) => {
      const pageMeta = index === 0 ? meta : await readImageHeader(path, limits, index);
      const gray = await decodeGray(path, index, pageMeta, limits);
      // Downscaling for OCR lowers the resolution in proportion.
      return { ...gray, dpi: dpi === undefined ? undefined : (dpi * gray.width) / gray.sourceWidth };
    },
  };
}

/** Orient, flatten onto white, downscale to the OCR budget, 1 channel of 8 bits. */
async function decodeGray(path: string, page: number, meta: Metadata, limits: ImageLimits): Promise<GrayImage & { sourceWidth: number; sourceHeight: number }> {
  // sharp sizes a resize after .rotate() in the oriented frame.
  const oriented = meta.autoOrient ?? { width: meta.width, height: meta.height };
  try {
    const input = decodeImage(path, { page, maxInputPixels: limits.maxInputPixels }).rotate().flatten({ background: '#ffffff' });
    const { data, info } = await bound(input, oriented.width, oriented.height, limits)
      .grayscale()
      .extractChannel(0)
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { gray: data, width: info.width, height: info.height, sourceWidth: oriented.width, sourceHeight: oriented.height };
  } catch (err) {
    throw new GeneratorError(`${path}: the image could not be decoded: ${sharpReason(err)}`, { permanent: true, path, cause: err });
  }
}

/** Downscale a WIDTH × HEIGHT image to at most maxOcrPixels (never enlarge). */
function bound(img: Sharp, width: number, height: number, limits: ImageLimits): Sharp {
  const scale = Math.sqrt(limits.maxOcrPixels / (width * height));
  return scale >= 1 ? img : img.resize({ width: Math.max(1, Math.floor(width * scale)) });
}

async function loadHeic(path: string, pixels: number, limits: ImageLimits, call: { signal: AbortSignal; timeoutMs: number }): Promise<OcrImagePage> {
  const decoded = await decodeHeic(path, { maxPixels: limits.maxWholeFramePixels, maxBytes: limits.heicMaxBytes, signal: call.signal, timeoutMs: call.timeoutMs, pixels });
  // libheif has applied the HEIF rotation/mirror already (EXIF orientation does not apply to HEIF).
  const img = fromPixels(decoded.data, { width: decoded.width, height: decoded.height, channels: decoded.channels });
  const { data, info } = await bound(img.flatten({ background: '#ffffff' }), decoded.width, decoded.height, limits).grayscale().extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  return { gray: data, width: info.width, height: info.height, dpi: undefined, sourceWidth: decoded.width, sourceHeight: decoded.height };
}
