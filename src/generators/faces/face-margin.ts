/**
 * A second look at a picture with a margin round it (issue 45): the detector (ssd_mobilenetv1)
 * misses a face that fills the frame to its edges (an ID photo, a head cropped without margin).
 * The picture is shown to it again inside a plain grey border, and the faces it finds there are
 * put back in the picture's own pixels, clipped to it. A face of the second look that overlaps
 * one of the first is the same head: the first look's face stays as it was, so a photo whose
 * faces were all found keeps exactly its faces.
 *
 * Measured on the 22 faces of face-api's six sample photos, each cropped to its own box: 9 found
 * plainly, 20 inside a grey border half the crop's longer edge wide on each side; mirrored edges
 * make ghost faces (a head seen twice), copied edges and a black border find fewer, so does a
 * border a quarter wide, and a whole edge finds no more (docs/decisions.md).
 */
import type { RawFace } from './face-protocol.js';
import type { PixelBox, RgbPicture } from './face-crops.js';
import { fromPixels } from '../tools/sharp-input.js';
import { detectFaces } from './face-engine.js';

/** The border's width on each side, as a fraction of the picture's longer edge. */
export const MARGIN = 0.5;
/** The border's grey (mid-grey: no edge for the detector to take for a face's). */
const GREY = 128;
/** Two boxes are one head when their overlap is this much of the smaller one. */
const SAME_HEAD = 0.5;

/** Where the picture sits inside the bordered one: scaled by SCALE, then offset by PAD px. */
export interface MarginFrame {
  scale: number;
  pad: number;
}

/**
 * PIC inside a grey border of MARGIN × its longer edge on each side, the whole no longer than
 * MAX_EDGE (scaled down when it would be: the detector looks at 512 px anyway, and a face that
 * fills the frame stays large), with where the picture sits in it.
 */
export async function withMargin(pic: RgbPicture, maxEdge: number): Promise<{ pic: RgbPicture; frame: MarginFrame }> {
  const long = Math.max(pic.width, pic.height);
  const scale = Math.min(1, maxEdge / (long * (1 + 2 * MARGIN)));
  const width = Math.max(1, Math.round(pic.width * scale));
  const height = Math.max(1, Math.round(pic.height * scale));
  const pad = Math.round(Math.max(width, height) * MARGIN);
  let img = fromPixels(pic.data, { width: pic.width, height: pic.height, channels: 3 });
  if (scale < 1) img = img.resize(width, height, { fit: 'fill' });
  const data = await img
    .extend({ top: pad, bottom: pad, left: pad, right: pad, background: { r: GREY, g: GREY, b: GREY } })
    .raw()
    .toBuffer();
  return { pic: { data, width: width + 2 * pad, height: height + 2 * pad }, frame: { scale, pad } };
}

/** FACE found in the bordered picture, in the original's pixels: its box clipped to WIDTH × HEIGHT. */
export function fromMargin(face: RawFace, frame: MarginFrame, width: number, height: number): RawFace {
  const back = (v: number) => (v - frame.pad) / frame.scale;
  const left = Math.max(0, back(face.box.x));
  const top = Math.max(0, back(face.box.y));
  const right = Math.min(width, back(face.box.x + face.box.w));
  const bottom = Math.min(height, back(face.box.y + face.box.h));
  return {
    ...face,
    box: { x: left, y: top, w: Math.max(0, right - left), h: Math.max(0, bottom - top) },
    // Landmarks past the edge stay where the model put them; the sidecar clamps them to the picture.
    landmarks: face.landmarks.map(back),
  };
}

/** How much of the smaller of A and B their overlap covers, 0 … 1. */
export function overlapOfSmaller(a: PixelBox, b: PixelBox): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const smaller = Math.min(a.w * a.h, b.w * b.h);
  return smaller > 0 ? (w * h) / smaller : 0;
}

/**
 * The faces of both looks, one per head: every face of FIRST as it is, then each face of SECOND
 * (already in the picture's pixels) that is no head already kept, strongest first.
 */
export function mergeLooks(first: readonly RawFace[], second: readonly RawFace[]): RawFace[] {
  const kept = [...first];
  for (const f of [...second].sort((a, b) => b.score - a.score)) {
    if (f.box.w <= 0 || f.box.h <= 0) continue;
    if (kept.some((k) => overlapOfSmaller(k.box, f.box) >= SAME_HEAD)) continue;
    kept.push(f);
  }
  return kept;
}

/** A face this close to an edge (a fraction of that side) may have a neighbour the frame cut. */
const NEAR_EDGE = 0.02;

/**
 * The widest a picture a head fills with no margin can be (width over height): a head is taller
 * than wide, so a wider frame holding only a head has room at its sides, where the first look
 * finds it. A landscape photo with no face gets no second look.
 */
const PORTRAIT_MAX_ASPECT = 4 / 3;

/**
 * Whether a picture is worth a second look: the first found no face and the frame is no wider
 * than a head's (PORTRAIT_MAX_ASPECT: a tight portrait, or a picture with no face at all), or one
 * of its faces reaches an edge (a tight frame, where another head may be cut). A photo with its
 * faces well inside the frame, and a landscape photo with none, get one detector pass; the second
 * costs as much as the first (about 210 ms a picture here, whatever its size).
 */
export function needsSecondLook(faces: readonly RawFace[], width: number, height: number): boolean {
  if (faces.length === 0) return width <= height * PORTRAIT_MAX_ASPECT;
  const mx = width * NEAR_EDGE;
  const my = height * NEAR_EDGE;
  return faces.some((f) => f.box.x <= mx || f.box.y <= my || f.box.x + f.box.w >= width - mx || f.box.y + f.box.h >= height - my);
}

/**
 * The faces in PIC: the model's first look, and when it is needed (`needsSecondLook`) a second inside the border (`withMargin`),
 * merged one per head (`mergeLooks`). The second look costs one more detector pass (the
 * detector sees 512 px whatever the size) and the descriptors of the faces it finds.
 */
export async function detectWithMargin(pic: RgbPicture, maxEdge: number, signal: AbortSignal): Promise<{ faces: RawFace[]; ms: number }> {
  const first = await detectFaces(pic.data, pic.width, pic.height, signal);
  if (!needsSecondLook(first.faces, pic.width, pic.height)) return first;
  const bordered = await withMargin(pic, maxEdge);
  const second = await detectFaces(bordered.pic.data, bordered.pic.width, bordered.pic.height, signal);
  const back = second.faces.map((f) => fromMargin(f, bordered.frame, pic.width, pic.height));
  return { faces: mergeLooks(first.faces, back), ms: first.ms + second.ms };
}
