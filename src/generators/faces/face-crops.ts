/**
 * What the generator makes of the model's boxes in pixels: each face's sharpness (for the quality
 * floor) and a square crop of it, all crops side by side in one WebP (`face@1x`).
 */
import { fromPixels } from '../tools/sharp-input.js';
import { laplacianVariance } from './face-quality.js';

export interface RgbPicture {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface PixelBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The edge of the grey patch sharpness is measured on. */
const SHARPNESS_EDGE = 64;
/** A crop shows a little around the face (hair, chin): its side is the box's longer edge times this. */
const CROP_MARGIN = 1.5;

/** BOX clamped to the picture, whole pixels, at least 1 × 1. */
function clampBox(pic: RgbPicture, box: PixelBox): { left: number; top: number; width: number; height: number } {
  const left = Math.min(pic.width - 1, Math.max(0, Math.floor(box.x)));
  const top = Math.min(pic.height - 1, Math.max(0, Math.floor(box.y)));
  const right = Math.max(left + 1, Math.min(pic.width, Math.ceil(box.x + box.w)));
  const bottom = Math.max(top + 1, Math.min(pic.height, Math.ceil(box.y + box.h)));
  return { left, top, width: right - left, height: bottom - top };
}

const rgb = (pic: RgbPicture) => fromPixels(pic.data, { width: pic.width, height: pic.height, channels: 3 });

/** How sharp the face in BOX is: the Laplacian's variance over it at 64 × 64 grey. */
export async function sharpnessOf(pic: RgbPicture, box: PixelBox): Promise<number> {
  const grey = await rgb(pic).extract(clampBox(pic, box)).greyscale().resize(SHARPNESS_EDGE, SHARPNESS_EDGE, { fit: 'fill' }).raw().toBuffer();
  return laplacianVariance(grey, SHARPNESS_EDGE, SHARPNESS_EDGE);
}

/** Every face's square crop, EDGE px, side by side in one WebP, in the order of BOXES. */
export async function cropStrip(pic: RgbPicture, boxes: readonly PixelBox[], edge: number): Promise<Buffer> {
  const tiles: Array<{ input: Buffer; left: number; top: number; raw: { width: number; height: number; channels: 3 } }> = [];
  for (const [i, b] of boxes.entries()) {
    const side = Math.max(b.w, b.h) * CROP_MARGIN;
    const square = { x: b.x + b.w / 2 - side / 2, y: b.y + b.h / 2 - side / 2, w: side, h: side };
    const tile = await rgb(pic).extract(clampBox(pic, square)).resize(edge, edge, { fit: 'cover' }).removeAlpha().raw().toBuffer();
    tiles.push({ input: tile, left: i * edge, top: 0, raw: { width: edge, height: edge, channels: 3 } });
  }
  const strip = fromPixels(Buffer.alloc(Math.max(1, boxes.length) * edge * edge * 3), { width: Math.max(1, boxes.length) * edge, height: edge, channels: 3 });
  return strip.composite(tiles).webp({ quality: 80 }).toBuffer();
}
