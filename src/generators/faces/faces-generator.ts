/**
 * The `faces` generator (issue 31): the faces of a picture, or of a video's poster frame, found by
 * face-api's detector, placed by its 68 landmarks and described by its 128-d recogniser, each
 * with the verdict of the quality floor; and a crop of each. The picture is decoded here once,
 * upright and no larger than 1920 px (as the thumbnails decode it: any format sharp, libheif or
 * ffmpeg read, 16-bit, CMYK and grey made 8-bit sRGB, bombs refused from the header), and only its
 * pixels go to the model's process, twice: as it is, and inside a margin (face-margin.ts).
 */
import type { FaceJson, FacesJson } from '../../wire/sidecar-json.js';
import { DECODED_IMAGE_MIMES, decodeSource } from '../thumb/decode-source.js';
import { DEFAULT_PIXEL_LIMITS } from '../pixel-limits.js';
import { abortReason } from '../tools/run-tool.js';
import { configureSharp, fromPixels } from '../tools/sharp-input.js';
import { GeneratorError, type GeneratedOutput, type Generator, type GeneratorContext } from '../types.js';
import { cropStrip, sharpnessOf, type RgbPicture } from './face-crops.js';
import { detectWithMargin } from './face-margin.js';
import { faceModelFiles } from './face-model.js';
import { faceQuality } from './face-quality.js';

/** The longest edge the model is given: the detector works at 512 px; more only finds smaller faces. */
export const FACES_MAX_EDGE = 1920;
/** Each crop's edge in `face@1x`. */
export const FACE_CROP_EDGE = 96;
const DEFAULT = 'default';
const CROPS = 'face@1x';

const round = (v: number, places: number) => Math.round(v * 10 ** places) / 10 ** places;
const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

export const facesGenerator: Generator<'faces'> = {
  kind: 'faces',
  name: 'vss-faces',
  // Bumped when the output changes; a new model re-makes faces only when the user asks (`vss faces remake`).
  // 1.1.0: a second look inside a margin (face-margin.ts) finds the faces of tight portraits.
  version: '1.1.0',

  accepts(content, variant) {
    if (variant !== DEFAULT && variant !== CROPS) return false;
    const mime = content.mime.toLowerCase();
    if (content.kind === 'video') return mime.startsWith('video/');
    return content.kind === 'image' && DECODED_IMAGE_MIMES.has(mime);
  },

  availability() {
    const files = faceModelFiles();
    return 'problem' in files ? { ok: false, reason: files.problem } : { ok: true };
  },

  async generate(ctx: GeneratorContext): Promise<GeneratedOutput[]> {
    const path = ctx.source.path;
    if (ctx.signal.aborted) throw new GeneratorError(`${path}: faces not started: ${abortReason(ctx.signal)}`, { permanent: true, path });
    const files = faceModelFiles();
    if ('problem' in files) throw new GeneratorError(files.problem, { permanent: true, path });
    configureSharp(ctx.settings.threads);
    const src = await decodeSource(ctx, FACES_MAX_EDGE, DEFAULT_PIXEL_LIMITS);
    if ('nothing' in src) return ctx.variants.map((variant) => ({ variant, skip: src.nothing }));
    const pic = await toRgb(src);
    const answer = await detectWithMargin(pic, FACES_MAX_EDGE, ctx.signal);
    // Left to right, then top to bottom: the order of the crops, and of the faces' ids.
    const raw = answer.faces
      .filter((f) => f.box.w > 0 && f.box.h > 0 && f.descriptor.length === 128 && f.descriptor.every(Number.isFinite))
      .sort((a, b) => a.box.x - b.box.x || a.box.y - b.box.y);
    const faces: FaceJson[] = [];
    for (const f of raw) {
      const sharpness = await sharpnessOf(pic, f.box);
      const q = faceQuality({ score: f.score, edgePx: Math.min(f.box.w, f.box.h), sharpness });
      const x = clamp01(f.box.x / pic.width);
      const y = clamp01(f.box.y / pic.height);
      faces.push({
        box: { x: round(x, 5), y: round(y, 5), w: round(clamp01((f.box.x + f.box.w) / pic.width) - x, 5), h: round(clamp01((f.box.y + f.box.h) / pic.height) - y, 5) },
        score: round(f.score, 4),
        landmarks: f.landmarks.map((v, i) => round(clamp01(v / (i % 2 === 0 ? pic.width : pic.height)), 5)),
        embedding: Array.from(f.descriptor, (v) => round(v, 6)),
        quality: { ok: q.ok, sharpness: Math.round(sharpness), ...(q.reason ? { reason: q.reason } : {}) },
      });
    }
    const out: GeneratedOutput[] = [];
    for (const variant of ctx.variants) {
      if (variant === DEFAULT) {
        const json: FacesJson = { version: 1, model: `face-api@${files.version} ssd_mobilenetv1+landmark68+recognition`, width: pic.width, height: pic.height, crop: FACE_CROP_EDGE, faces };
        out.push({ variant, format: 'json', data: Buffer.from(JSON.stringify(json)) });
      } else if (variant === CROPS) {
        if (raw.length === 0) out.push({ variant, skip: 'no faces in this picture' });
        else out.push({ variant, format: 'webp', data: await cropStrip(pic, raw.map((f) => f.box), FACE_CROP_EDGE) });
      } else {
        out.push({ variant, skip: `faces has no variant "${variant}"` });
      }
    }
    return out;
  },
};

/** The decoded picture as 3 bytes a pixel (grey, grey with alpha and RGBA come in too). */
async function toRgb(src: { data: Buffer; width: number; height: number; channels: 1 | 2 | 3 | 4 }): Promise<RgbPicture> {
  if (src.channels === 3) return { data: src.data, width: src.width, height: src.height };
  const data = await fromPixels(src.data, src).removeAlpha().toColourspace('srgb').raw().toBuffer();
  return { data, width: src.width, height: src.height };
}
