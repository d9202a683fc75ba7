/**
 * Reading a page that may lie on its side or upside down (scans fed the wrong way, photos of
 * documents). tesseract's own orientation detection needs osd.traineddata and the legacy engine,
 * which are not installed, so we guess and check:
 *  1. text lines make the ink profile across them jagged and along them smooth: that tells
 *     horizontal from vertical lines for free (a few ms on a downscaled copy);
 *  2. lines up and down: a small window is read turned by 90° and by 270°, the better one wins;
 *  3. the page is read in that orientation; a confident result is kept as it is, and so is any
 *     result where step 1 found no clear lines (photos: no time spent turning them);
 *  4. otherwise the window is read turned by 180° (and, if that does not help either, by ±90°)
 *     and the whole page is read again where the window read clearly better.
 * Upright pages cost nothing extra, sideways ones two windows; a page upside down costs one
 * wasted read plus a few windows.
 */
import sharp from 'sharp';
import { detectOrientation, osdDataDir, recognize, type GrayImage, type OcrPageResult, type RecognizeOptions } from './engine.js';

/** Clockwise degrees applied to the image before reading. */
export type Rotation = 0 | 90 | 180 | 270;

export interface UprightResult {
  result: OcrPageResult;
  rotation: Rotation;
  /** The image as read (rotated), for the caller's coordinates. */
  width: number;
  height: number;
}

/** A first read at least this confident is taken as upright. */
const CONFIDENT = 0.6;
/** Fewer words than this is not a document page: nothing to turn. */
const MIN_WORDS = 8;
/** The probe window, in pixels of the image read (about 3.3 × 2 in at 300 dpi). */
const PROBE_W = 1000;
const PROBE_H = 600;

export async function recognizeByProbing(image: GrayImage, options: RecognizeOptions): Promise<UprightResult> {
  const direction = await lineDirection(image);
  // Reads of a small window at the centre of the page, by orientation (each made once).
  const probes = new Map<Rotation, OcrPageResult>();
  const probe = async (rot: Rotation): Promise<OcrPageResult> => {
    const known = probes.get(rot);
    if (known) return known;
    const r = await recognize(centerWindow(await rotate(image, rot), PROBE_W, PROBE_H), options);
    probes.set(rot, r);
    return r;
  };
  // Lines running up and down: the page lies on one side or the other, and two windows tell
  // which far cheaper than a whole page read the wrong way round.
  let first: Rotation = 0;
  if (direction === 'vertical') first = score(await probe(270)) > score(await probe(90)) ? 270 : 90;

  const firstImage = await rotate(image, first);
  const firstResult = await recognize(firstImage, options);
  let best: UprightResult = { result: firstResult, rotation: first, width: firstImage.width, height: firstImage.height };
  // No clear lines of text (a photo): a poor reading is what the picture gives, not a sign of a turned page.
  if (firstResult.confidence >= CONFIDENT || direction === 'unknown') return best;
  if (firstResult.words < MIN_WORDS) {
    if (first === 0) return best;
    // The ink profile said "sideways" (a few big letters can) and little was read: try the image as it is.
    const plain = await recognize(image, options);
    return plain.confidence > firstResult.confidence ? { result: plain, rotation: 0, width: image.width, height: image.height } : best;
  }

  // Probe the same window in other orientations; the flip first (the likelier mistake).
  const base = await probe(first);
  const flipped = await probe(add(first, 180));
  if (Math.max(base.confidence, flipped.confidence) < CONFIDENT) {
    await probe(add(first, 90));
    await probe(add(first, 270));
  }
  let bestRot: Rotation = first;
  for (const [rot, r] of probes) if (score(r) > score(probes.get(bestRot)!)) bestRot = rot;
  if (bestRot === first || score(probes.get(bestRot)!) < score(base) * 1.5 + 2) return best;

  const turned = await rotate(image, bestRot);
  const again = await recognize(turned, options);
  if (again.confidence > best.result.confidence) best = { result: again, rotation: bestRot, width: turned.width, height: turned.height };
  return best;
}

/** How a page's orientation is found: tesseract's OSD, the probing below, or OSD and probing where OSD cannot tell. */
export type OrientationMethod = 'osd' | 'probe' | 'osd-then-probe';
export const DEFAULT_ORIENTATION_METHOD: OrientationMethod = 'osd-then-probe';
/** OSD's orientation confidence below which its answer is not taken. */
export const OSD_MIN_CONFIDENCE = 2;

/** Read IMAGE upright: turned as OSD says where it can tell, else as METHOD says. */
export async function recognizeUpright(image: GrayImage, options: RecognizeOptions, method: OrientationMethod = DEFAULT_ORIENTATION_METHOD): Promise<UprightResult> {
  if (method !== 'probe' && osdDataDir() !== undefined) {
    const guess = await detectOrientation(image, options.signal);
    if (guess && guess.confidence >= OSD_MIN_CONFIDENCE) return await readTurned(image, guess.rotation, options);
    if (method === 'osd') return await readTurned(image, 0, options);
  }
  return await recognizeByProbing(image, options);
}

async function readTurned(image: GrayImage, rot: Rotation, options: RecognizeOptions): Promise<UprightResult> {
  const turned = await rotate(image, rot);
  return { result: await recognize(turned, options), rotation: rot, width: turned.width, height: turned.height };
}

/** Words read well, with confidence breaking ties. */
function score(r: OcrPageResult): number {
  return r.goodWords + r.confidence;
}

function add(a: Rotation, b: number): Rotation {
  return ((a + b) % 360) as Rotation;
}

/** The image turned clockwise by ROT (sharp, off the event loop). */
export async function rotate(image: GrayImage, rot: Rotation): Promise<GrayImage> {
  if (rot === 0) return image;
  const { data, info } = await sharp(image.gray, { raw: { width: image.width, height: image.height, channels: 1 } })
    .rotate(rot)
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { gray: data, width: info.width, height: info.height };
}

/** The W × H window at the centre of the image (all of it where it is smaller). */
export function centerWindow(image: GrayImage, w: number, h: number): GrayImage {
  const cw = Math.min(w, image.width);
  const ch = Math.min(h, image.height);
  const left = Math.floor((image.width - cw) / 2);
  const top = Math.floor((image.height - ch) / 2);
  const out = Buffer.allocUnsafe(cw * ch);
  for (let y = 0; y < ch; y++) image.gray.copy(out, y * cw, (top + y) * image.width + left, (top + y) * image.width + left + cw);
  return { gray: out, width: cw, height: ch };
}

/**
 * Whether the text lines of the image run across (horizontal) or up and down (vertical): the
 * mean squared step of the ink profile is much larger across lines than along them. 'unknown'
 * unless one direction wins clearly (photos, sparse text).
 */
export async function lineDirection(image: GrayImage): Promise<'horizontal' | 'vertical' | 'unknown'> {
  const { data, info } = await sharp(image.gray, { raw: { width: image.width, height: image.height, channels: 1 } })
    .resize(1000, 1000, { fit: 'inside', withoutEnlargement: true })
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { width: W, height: H } = info;
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += data[i]!;
  const threshold = (sum / data.length) * 0.75;
  const rows = new Float64Array(H);
  const cols = new Float64Array(W);
  let ink = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (data[y * W + x]! < threshold) {
        rows[y]!++;
        cols[x]!++;
        ink++;
      }
    }
  }
  // A page of text has some ink but not much; outside that this test means nothing.
  const inkShare = ink / (W * H);
  if (inkShare < 0.005 || inkShare > 0.3 || W < 50 || H < 50) return 'unknown';
  const across = meanSquaredStep(rows, W);
  const along = meanSquaredStep(cols, H);
  // Lines of text are also separated by blank rows that run the whole width; the gaps between
  // letters do not line up from one line to the next. Both tests must agree (one line of big
  // letters fools the first, one line of small ones the second).
  const rowGaps = gapCount(rows);
  const colGaps = gapCount(cols);
  if (across > along * 2 && rowGaps >= 3 && rowGaps > colGaps) return 'horizontal';
  if (along > across * 2 && colGaps >= 3 && colGaps > rowGaps) return 'vertical';
  return 'unknown';
}

/** Runs of (almost) blank entries between the first and the last inked one of a profile. */
function gapCount(profile: Float64Array): number {
  let first = -1;
  let last = -1;
  let peak = 0;
  for (let i = 0; i < profile.length; i++) {
    if (profile[i]! > 0) {
      if (first < 0) first = i;
      last = i;
    }
    peak = Math.max(peak, profile[i]!);
  }
  // A few specks of noise in a gap still leave it a gap.
  const blank = Math.max(1, peak * 0.01);
  let gaps = 0;
  let inGap = false;
  for (let i = first; i <= last && i >= 0; i++) {
    const isBlank = profile[i]! <= blank;
    if (isBlank && !inGap) gaps++;
    inGap = isBlank;
  }
  return gaps;
}

function meanSquaredStep(profile: Float64Array, norm: number): number {
  let s = 0;
  for (let i = 1; i < profile.length; i++) {
    const d = (profile[i]! - profile[i - 1]!) / norm;
    s += d * d;
  }
  return s / Math.max(1, profile.length - 1);
}
