/**
 * Reading a page that may lie on its side or upside down (scans fed the wrong way, photos of
 * documents): tesseract's own orientation detection (OSD, the osd.traineddata of
 * @tesseract.js-data/osd) says which way up the page is, and the page is read once, turned
 * upright. Where OSD cannot tell (a few words, a photo), the page is read as it is.
 *
 * OSD replaced an ink-profile heuristic with probe reads (bench/orientation-bench.ts, the fixture
 * scans turned 0/90/180/270 and cardinal.pdf's four turned pages): OSD turned 22 of 28 pages
 * right, the heuristic 19 (it missed eurotext turned by 90, 180 and 270°), mean CER 0.17 vs 0.24,
 * time 1.22× vs 1.88× reading every page upright; the heuristic as a fallback where OSD cannot
 * tell added no page (those are one-word images neither reads).
 */
import { fromPixels, type Sharp } from '../tools/sharp-input.js';
import type { Rotation } from '../../wire/sidecar-json.js';
import { detectOrientation, recognize, type GrayImage, type OcrPageResult, type RecognizeOptions } from './engine.js';

export type { Rotation };

export interface UprightResult {
  result: OcrPageResult;
  rotation: Rotation;
  /** The image as read (rotated), for the caller's coordinates. */
  width: number;
  height: number;
}

/**
 * OSD's orientation confidence from which its answer is taken. Text pages scored 9.3–34 (right
 * every time); photos without text 0.3–2.9, with wrong answers among them (train.jpg: "90°").
 */
export const OSD_MIN_CONFIDENCE = 5;
/**
 * OSD looks at a copy no longer than this: on a 12 MP photo it took 1.4–2.1 s at 4,032 px and
 * 0.3 s at 2,000; 300-dpi pages (3,300 px) kept confidences of 18–30 at 2,000 px.
 */
export const OSD_MAX_EDGE = 2000;

export async function recognizeUpright(image: GrayImage, options: RecognizeOptions): Promise<UprightResult> {
  const guess = await detectOrientation(await fitWithin(image, OSD_MAX_EDGE), options.signal);
  const rot: Rotation = guess && guess.confidence >= OSD_MIN_CONFIDENCE ? guess.rotation : 0;
  const turned = await rotate(image, rot);
  return { result: await recognize(turned, options), rotation: rot, width: turned.width, height: turned.height };
}

/** The image turned clockwise by ROT (sharp, off the event loop). */
export async function rotate(image: GrayImage, rot: Rotation): Promise<GrayImage> {
  if (rot === 0) return image;
  return await gray(fromPixels(image.gray, { width: image.width, height: image.height, channels: 1 }).rotate(rot));
}

/** The image scaled down to fit EDGE × EDGE (itself when it fits). */
export async function fitWithin(image: GrayImage, edge: number): Promise<GrayImage> {
  if (Math.max(image.width, image.height) <= edge) return image;
  return await gray(fromPixels(image.gray, { width: image.width, height: image.height, channels: 1 }).resize(edge, edge, { fit: 'inside' }));
}

async function gray(pipeline: Sharp): Promise<GrayImage> {
  const { data, info } = await pipeline.extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  return { gray: data, width: info.width, height: info.height };
}
