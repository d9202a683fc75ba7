/**
 * Worse copies of a clean scan, as a phone photo or a cheap scanner gives them, for
 * ocr-noise-threshold.ts: the fixtures' scans are read at 0.74 or more, so they cannot tell what a
 * line-confidence threshold costs on text read less surely. Made with sharp, deterministic (the
 * noise comes from a seeded PRNG), written where the caller says (a temporary folder).
 */
import sharp from 'sharp';
import { mulberry32 } from './mulberry32.js';

export interface Degradation {
  name: string;
  /** What it does, for the report. */
  what: string;
  /** Scale first (1 = as is). */
  scale?: number;
  /** Contrast lowered: out = a·in + b (as a faded print or a dim photo). */
  linear?: [number, number];
  rotate?: number;
  blur?: number;
  /** Standard deviation of added gaussian noise, in grey levels. */
  noise?: number;
  /** Written as JPEG at this quality (else PNG). */
  jpeg?: number;
}

export const DEGRADATIONS: readonly Degradation[] = [
  { name: 'half', what: 'downscaled to 50%', scale: 0.5 },
  { name: 'small', what: 'downscaled to 30%', scale: 0.3 },
  { name: 'blur', what: 'gaussian blur σ 2.5', blur: 2.5 },
  { name: 'jpeg', what: '35%, JPEG quality 15', scale: 0.35, jpeg: 15 },
  { name: 'noise', what: 'gaussian noise σ 60 grey levels', noise: 60 },
  { name: 'grain', what: 'faded (0.5·v + 100), gaussian noise σ 30', linear: [0.5, 100], noise: 30 },
  { name: 'tilt', what: 'turned 1.5°, blur σ 1', rotate: 1.5, blur: 1 },
  { name: 'phone', what: '50%, faded (0.55·v + 90), turned 1°, blur σ 1, noise σ 20, JPEG quality 25', scale: 0.5, linear: [0.55, 90], rotate: 1, blur: 1, noise: 20, jpeg: 25 },
];

/** Writes D applied to the image INPUT (a file, or 8-bit grey pixels) to OUT (.png, or .jpg where D says JPEG); returns OUT. */
export async function degrade(input: string | { gray: Buffer; width: number; height: number }, d: Degradation, out: string): Promise<string> {
  let img = (typeof input === 'string' ? sharp(input) : sharp(input.gray, { raw: { width: input.width, height: input.height, channels: 1 } })).greyscale();
  if (d.scale !== undefined && d.scale !== 1) {
    const { info } = await img.clone().raw().toBuffer({ resolveWithObject: true });
    img = sharp(await img.resize({ width: Math.round(info.width * d.scale) }).png().toBuffer());
  }
  if (d.linear) img = img.linear(d.linear[0], d.linear[1]);
  if (d.rotate) img = img.rotate(d.rotate, { background: { r: 255, g: 255, b: 255 } });
  if (d.blur) img = img.blur(d.blur);
  let { data, info } = await img.greyscale().raw().toBuffer({ resolveWithObject: true });
  if (d.noise) data = addNoise(data, d.noise, info.channels);
  const grey = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } }).greyscale();
  await (d.jpeg !== undefined ? grey.jpeg({ quality: d.jpeg }) : grey.png()).toFile(out);
  return out;
}

/** Gaussian noise (Box–Muller over a seeded PRNG), the same on every run. */
function addNoise(pixels: Buffer, sigma: number, channels: number): Buffer {
  const rnd = mulberry32(11);
  const out = Buffer.from(pixels);
  for (let i = 0; i < out.length; i += channels) {
    const n = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd()) * sigma;
    const v = Math.max(0, Math.min(255, Math.round(out[i]! + n)));
    for (let c = 0; c < channels; c++) out[i + c] = v;
  }
  return out;
}
