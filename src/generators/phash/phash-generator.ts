/**
 * The `phash` generator (issue 45): a picture's perceptual fingerprint (`similar/perceptual-hash.ts`),
 * for near-duplicates. Made from the largest thumbnail this content has ready (upright, a WebP of
 * at most 1024 px: decoding it takes a few ms, so the fingerprint adds almost nothing to a deep
 * index), else from the source decoded small (a RAW's preview, a video's frame, a HEIC).
 */
import { abortReason } from '../tools/run-tool.js';
import { GeneratorError, type GeneratedOutput, type Generator, type GeneratorContext } from '../types.js';
import { DEFAULT_PIXEL_LIMITS } from '../pixel-limits.js';
import { configureSharp, fromPixels, sharpReason } from '../tools/sharp-input.js';
import { DECODED_IMAGE_MIMES, decodeSource } from '../thumb/decode-source.js';
import { encodeFingerprint, fingerprintFromGrid, fingerprintImage, SIDE, type Fingerprint } from '../../similar/perceptual-hash.js';

/** The thumbnails read first, largest that is cheap first: each is the picture upright, never enlarged. */
const FROM_THUMBS = ['detail@1x', 'grid@2x', 'grid@1x', 'icon@2x', 'detail@2x'] as const;
/** Longest edge the source is decoded to when no thumbnail is ready: a 32×32 grid needs little. */
const SOURCE_EDGE = 256;

export const phashGenerator: Generator<'phash'> = {
  kind: 'phash',
  name: 'vss-phash',
  version: '1.0.0',

  accepts(content, variant) {
    if (variant !== 'default') return false;
    const mime = content.mime.toLowerCase();
    if (content.kind === 'video') return mime.startsWith('video/');
    return content.kind === 'image' && DECODED_IMAGE_MIMES.has(mime);
  },

  availability() {
    return { ok: true };
  },

  async generate(ctx: GeneratorContext): Promise<GeneratedOutput[]> {
    const { path } = ctx.source;
    const out: GeneratedOutput[] = ctx.variants.filter((v) => v !== 'default').map((variant) => ({ variant, skip: `phash has no variant "${variant}"` }));
    if (!ctx.variants.includes('default')) return out;
    if (ctx.signal.aborted) throw new GeneratorError(`${path}: fingerprint not started: ${abortReason(ctx.signal)}`, { permanent: true, path });
    // A content with no picture (a RAW with no preview, a video with no video stream) has none to fingerprint.
    const none = ctx.notApplicable('thumb', 'detail@1x');
    if (none !== undefined) return [...out, { variant: 'default', skip: none }];
    configureSharp(ctx.settings.threads);
    const fp = await fromThumb(ctx) ?? await fromSource(ctx);
    if ('nothing' in fp) return [...out, { variant: 'default', skip: fp.nothing }];
    return [...out, { variant: 'default', format: 'bin', data: Buffer.from(encodeFingerprint(fp)) }];
  },
};

async function fromThumb(ctx: GeneratorContext): Promise<Fingerprint | undefined> {
  for (const v of FROM_THUMBS) {
    const webp = ctx.readSidecar('thumb', v);
    if (!webp) continue;
    try {
      return await fingerprintImage(webp);
    } catch {
      // A thumbnail that does not decode (damaged since it was made): the next one, else the source.
    }
  }
  return undefined;
}

async function fromSource(ctx: GeneratorContext): Promise<Fingerprint | { nothing: string }> {
  const src = await decodeSource(ctx, SOURCE_EDGE, DEFAULT_PIXEL_LIMITS);
  if ('nothing' in src) return src;
  try {
    const { data } = await fromPixels(src.data, { width: src.width, height: src.height, channels: src.channels })
      .greyscale().removeAlpha().resize(SIDE, SIDE, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
    return fingerprintFromGrid(new Uint8Array(data.buffer, data.byteOffset, SIDE * SIDE), src.width / src.height);
  } catch (err) {
    throw new GeneratorError(`${ctx.source.path}: the fingerprint could not be made: ${sharpReason(err)}`, { permanent: true, path: ctx.source.path, cause: err });
  }
}
