/**
 * Decode once, encode many: the source is decoded a single time into an upright, 8-bit sRGB
 * raw bitmap no larger than the largest variant asked for (JPEG and WebP shrink while they
 * decode, so a 24 MP photo is never held at full size for a 1024 px thumbnail), and every
 * variant is resized from that bitmap, largest first.
 */
import { decodeImage, fromPixels, sharpReason } from '../tools/sharp-input.js';

/** sharp's pipeline, named through sharp-input.ts (the generators' one door to sharp). */
type Sharp = ReturnType<typeof fromPixels>;
import { GeneratorError } from '../types.js';
import { THUMB_FORMAT, type ThumbVariantSpec } from './thumb-variants.js';

/** An upright, 8-bit, sRGB bitmap in memory. */
export interface Intermediate {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

export interface ShrinkOptions {
  /** Longest edge of the result; smaller sources keep their size (never enlarged). */
  maxEdge: number;
  /** Refuse inputs with more pixels than this (decompression bombs). */
  maxInputPixels: number;
  /** sharp gives up after this long (it cannot be aborted midway). */
  timeoutMs: number;
  /** Apply EXIF orientation (true for files; bitmaps made by ffmpeg or libheif are upright already). */
  autoOrient: boolean;
  /** An EXIF orientation (1–8) to apply instead of the input's own (a RAW's preview follows the RAW's tag). */
  orientation?: number;
  /** For a raw bitmap input: its layout. */
  raw?: { width: number; height: number; channels: 1 | 2 | 3 | 4 };
  /** The file the input came from, for error messages. */
  path: string;
}

/**
 * INPUT (a file path or encoded bytes, or raw pixels with `raw`) decoded to an Intermediate whose
 * longest edge is at most maxEdge. A file that cannot be decoded fails permanently with sharp's
 * reason; truncated data is an error here (failOn 'error'), mere warnings are not.
 */
export async function shrinkOnce(input: string | Buffer, o: ShrinkOptions): Promise<Intermediate> {
  try {
    let img = typeof input !== 'string' && o.raw ? fromPixels(input, o.raw) : decodeImage(input, { maxInputPixels: o.maxInputPixels, failOn: 'error' });
    if (o.orientation !== undefined) img = orient(img, o.orientation);
    else if (o.autoOrient) img = img.rotate();
    const { data, info } = await img
      .resize({ width: o.maxEdge, height: o.maxEdge, fit: 'inside', withoutEnlargement: true })
      // 16-bit, CMYK, Lab and grey inputs become 8-bit sRGB here (embedded ICC profiles applied).
      .toColourspace('srgb')
      .timeout({ seconds: timeoutSeconds(o.timeoutMs) })
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: info.channels };
  } catch (err) {
    throw new GeneratorError(`${o.path}: the image could not be decoded: ${sharpReason(err)}`, { permanent: true, path: o.path, cause: err });
  }
}

export interface EncodedVariant {
  spec: ThumbVariantSpec;
  data: Buffer;
  width: number;
  height: number;
}

/**
 * Every variant from the one bitmap, largest first, one after the other (a job uses one core;
 * the job runner decides how many run at once). WebP without metadata (sharp writes none unless
 * asked), aspect ratio kept, longest edge = the variant's size or the bitmap's if smaller.
 */
export async function encodeVariants(
  src: Intermediate, specs: readonly ThumbVariantSpec[], o: { timeoutMs: number; signal: AbortSignal; path: string },
): Promise<EncodedVariant[]> {
  const out: EncodedVariant[] = [];
  const longest = Math.max(src.width, src.height);
  // A source smaller than several variants gives them the same pixels: encode those once.
  const made = new Map<string, EncodedVariant>();
  for (const spec of specs) {
    if (o.signal.aborted) throw new GeneratorError(`${o.path}: thumbnails stopped`, { permanent: true, path: o.path });
    const edge = Math.min(spec.size, longest);
    const same = made.get(`${edge}:${spec.quality}`);
    if (same) {
      out.push({ ...same, spec });
      continue;
    }
    try {
      let img = fromPixels(src.data, { width: src.width, height: src.height, channels: src.channels });
      if (edge < longest) img = img.resize({ width: edge, height: edge, fit: 'inside' });
      const { data, info } = await img
        .webp({ quality: spec.quality })
        .timeout({ seconds: timeoutSeconds(o.timeoutMs) })
        .toBuffer({ resolveWithObject: true });
      const encoded = { spec, data, width: info.width, height: info.height };
      made.set(`${edge}:${spec.quality}`, encoded);
      out.push(encoded);
    } catch (err) {
      throw new GeneratorError(`${o.path}: the ${spec.variant} ${THUMB_FORMAT} could not be made: ${sharpReason(err)}`, { permanent: true, path: o.path, cause: err });
    }
  }
  return out;
}

/**
 * IMG turned upright as EXIF orientation ORIENTATION says. sharp mirrors before it rotates,
 * whatever order they are asked in, so 5 and 7 read backwards; `intermediate.test.ts` holds every
 * orientation to sharp's own auto-orientation.
 */
export function orient(img: Sharp, orientation: number): Sharp {
  switch (orientation) {
    case 2: return img.flop();
    case 3: return img.rotate(180);
    case 4: return img.rotate(180).flop();
    case 5: return img.rotate(90).flip();
    case 6: return img.rotate(90);
    case 7: return img.rotate(270).flip();
    case 8: return img.rotate(270);
    default: return img;
  }
}

function timeoutSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
