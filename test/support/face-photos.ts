/**
 * Photos with known faces for the faces tests, made from the group photos @vladmandic/face-api
 * ships (MIT; `demo/sample1.jpg` … taken by its author): crops, rescales, a brightened close-up and
 * a grey one, so two people of sample1 appear in four photos each. Nothing is copied into the repo;
 * the photos are made in the test's own folder.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { pngClaiming } from '../hostile-files.js';

const require = createRequire(import.meta.url);

/** Where face-api's sample photos are, or undefined (the package is not installed). */
export function faceSamplesDir(): string | undefined {
  try {
    const dir = join(dirname(dirname(require.resolve('@vladmandic/face-api'))), 'demo');
    return existsSync(join(dir, 'sample1.jpg')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

export const FACE_SAMPLES_SKIP = faceSamplesDir() ? false : "@vladmandic/face-api's sample photos are absent (npm ci installs them)";

/** sample1's three faces (fractions of the 1920 × 1280 photo, left to right), as the model finds them. */
const F1 = { x: 0.2157, y: 0.2772, w: 0.0923, h: 0.1873 };
const F2 = { x: 0.4365, y: 0.3287, w: 0.0971, h: 0.178 };

export interface FacePhotos {
  /** Photos F1 (the left face of sample1) is in. */
  first: string[];
  /** Photos F2 (the middle face) is in. */
  second: string[];
  /** Photos with both. */
  both: string[];
  /** A picture with no face. */
  noFace: string;
  all: string[];
}

/** Write the set into DIR (made if absent); their paths. */
export async function makeFacePhotos(dir: string): Promise<FacePhotos> {
  const src = faceSamplesDir();
  if (!src) throw new Error('face-api samples are absent');
  mkdirSync(dir, { recursive: true });
  const s1 = join(src, 'sample1.jpg');
  const { width: W = 1920, height: H = 1280 } = await sharp(s1).metadata();
  const around = (f: typeof F1, scale: number) => {
    const side = f.h * H * scale;
    const cx = (f.x + f.w / 2) * W;
    const cy = (f.y + f.h / 2) * H;
    const left = Math.max(0, Math.round(cx - side / 2));
    const top = Math.max(0, Math.round(cy - side / 2));
    return { left, top, width: Math.min(W - left, Math.round(side)), height: Math.min(H - top, Math.round(side)) };
  };
  const p = (name: string) => join(dir, name);
  const party = { left: Math.round(0.15 * W), top: Math.round(0.15 * H), width: Math.round(0.45 * W), height: Math.round(0.6 * H) };
  await sharp(s1).toFile(p('party.jpg'));
  await sharp(s1).extract(party).jpeg({ quality: 90 }).toFile(p('party-crop.jpg'));
  await sharp(s1).extract(party).resize({ width: Math.round(party.width * 0.8) }).jpeg({ quality: 75 }).toFile(p('party-small.jpg'));
  await sharp(s1).extract(around(F1, 3)).resize({ width: 600 }).modulate({ brightness: 1.15 }).jpeg({ quality: 85 }).toFile(p('first-close.jpg'));
  await sharp(s1).extract(around(F2, 3)).greyscale().jpeg({ quality: 85 }).toFile(p('second-grey.jpg'));
  await sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 90, g: 140, b: 210 } } }).png().toFile(p('sky.png'));
  const first = [p('party.jpg'), p('party-crop.jpg'), p('party-small.jpg'), p('first-close.jpg')];
  const second = [p('party.jpg'), p('party-crop.jpg'), p('party-small.jpg'), p('second-grey.jpg')];
  return { first, second, both: first.filter((f) => second.includes(f)), noFace: p('sky.png'), all: [...new Set([...first, ...second, p('sky.png')])] };
}

/** Pictures that must be refused with a reason or handled without harm (issue 31 item 6), in DIR. */
export async function makeHostilePictures(dir: string): Promise<Record<'truncated' | 'deep16' | 'cmyk' | 'tiny' | 'bomb' | 'crowd' | 'animated', string>> {
  const src = faceSamplesDir()!;
  mkdirSync(dir, { recursive: true });
  const p = (name: string) => join(dir, name);
  const s1 = join(src, 'sample1.jpg');
  const s2 = join(src, 'sample2.jpg');
  const { readFileSync } = await import('node:fs');
  const whole = readFileSync(s2);
  writeFileSync(p('cut-off.jpg'), whole.subarray(0, Math.floor(whole.length * 0.4)));
  await sharp(s1).extract({ left: 300, top: 250, width: 600, height: 500 }).toColourspace('rgb16').png().toFile(p('deep-16bit.png'));
  await sharp(s1).extract({ left: 1350, top: 100, width: 500, height: 450 }).toColourspace('cmyk').jpeg().toFile(p('print-cmyk.jpg'));
  await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).png().toFile(p('tiny.png'));
  writeFileSync(p('bomb.png'), pngClaiming(60_000, 60_000));
  // An animation whose first frame has a face (sample1's right-hand one) and whose second has none.
  const frame1 = await sharp(s1).extract({ left: 1350, top: 100, width: 500, height: 450 }).resize(400, 360).png().toBuffer();
  const frame2 = await sharp({ create: { width: 400, height: 360, channels: 3, background: '#3060a0' } }).png().toBuffer();
  await sharp([frame1, frame2], { join: { animated: true } }).gif().toFile(p('moving.gif'));
  // A crowd: the six sample photos' faces cut out and tiled 10 × 6.
  const tiles: Buffer[] = [];
  for (const f of [s1, s2]) {
    const meta = await sharp(f).metadata();
    for (const x of [0.15, 0.4, 0.7]) tiles.push(await sharp(f).extract({ left: Math.round(x * meta.width!), top: Math.round(0.1 * meta.height!), width: 360, height: 400 }).resize(180, 200).toBuffer());
  }
  const composite = Array.from({ length: 60 }, (_, i) => ({ input: tiles[i % tiles.length]!, left: (i % 10) * 180, top: Math.floor(i / 10) * 200 }));
  await sharp({ create: { width: 1800, height: 1200, channels: 3, background: '#ffffff' } }).composite(composite).jpeg({ quality: 85 }).toFile(p('crowd.jpg'));
  return { truncated: p('cut-off.jpg'), deep16: p('deep-16bit.png'), cmyk: p('print-cmyk.jpg'), tiny: p('tiny.png'), bomb: p('bomb.png'), crowd: p('crowd.jpg'), animated: p('moving.gif') };
}
