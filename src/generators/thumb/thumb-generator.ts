/**
 * The `thumb` generator: WebP thumbnails of images, videos and PDFs (DESIGN §2 variants, longest
 * edge in pixels). One run makes all its variants from one decode of the source, upright, never
 * larger than the source, without metadata.
 */
import { abortReason } from '../tools/run-tool.js';
import { GeneratorError, type Availability, type GeneratedOutput, type Generator, type GeneratorContext } from '../types.js';
import { DEFAULT_PIXEL_LIMITS } from '../pixel-limits.js';
import { configureSharp } from '../tools/sharp-input.js';
import { DECODED_IMAGE_MIMES, decodeSource, type DecodeLimits } from './decode-source.js';
import { encodeVariants } from './intermediate.js';
import { THUMB_FORMAT, largestFirst, thumbVariant } from './thumb-variants.js';

const PDF_MIME = 'application/pdf';

export type ThumbOptions = DecodeLimits;

/** 100 MP (50 MP for formats decoded whole): larger than any camera's photo, far below a bomb. */
export const DEFAULT_THUMB_OPTIONS: ThumbOptions = DEFAULT_PIXEL_LIMITS;

export function createThumbGenerator(options: Partial<ThumbOptions> = {}): Generator<'thumb'> {
  const limits: ThumbOptions = { ...DEFAULT_THUMB_OPTIONS, ...options };
  return {
    kind: 'thumb',
    name: 'vss-thumb',
    version: '1.0.0',

    accepts(content, variant) {
      if (!thumbVariant(variant)) return false;
      const mime = content.mime.toLowerCase();
      if (content.kind === 'video' || mime.startsWith('video/')) return mime.startsWith('video/');
      if (mime === PDF_MIME) return true;
      return content.kind === 'image' && DECODED_IMAGE_MIMES.has(mime);
    },

    availability(): Availability {
      // sharp, heic-decode and ffmpeg are npm dependencies; pdfjs-dist too.
      return { ok: true };
    },

    async generate(ctx: GeneratorContext): Promise<GeneratedOutput[]> {
      const specs = largestFirst(ctx.variants);
      const unknown = ctx.variants.filter((v) => !thumbVariant(v));
      const skips: GeneratedOutput[] = unknown.map((variant) => ({ variant, skip: `thumb has no variant "${variant}"` }));
      const largest = specs[0];
      if (!largest) return skips;

      if (ctx.signal.aborted) throw new GeneratorError(`${ctx.source.path}: thumbnails not started: ${abortReason(ctx.signal)}`, { permanent: true, path: ctx.source.path });
      configureSharp(ctx.settings.threads);
      const src = await decodeSource(ctx, largest.size, limits);
      if ('nothing' in src) return [...skips, ...specs.map((s) => ({ variant: s.variant, skip: src.nothing }))];
      const encoded = await encodeVariants(src, specs, { timeoutMs: ctx.timeoutMs, signal: ctx.signal, path: ctx.source.path });
      return [...skips, ...encoded.map((e) => ({ variant: e.spec.variant, format: THUMB_FORMAT, data: e.data }))];
    },
  };
}

export const thumbGenerator: Generator<'thumb'> = createThumbGenerator();
