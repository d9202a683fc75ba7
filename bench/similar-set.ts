/**
 * The labelled near-duplicate set of bench/similar-bench.ts, made from the real photos and
 * videos in ../shared/fixtures (read in place) into a work folder, deterministically.
 *
 * A family is one picture: a source and its variants (re-encodes, resizes, light crops,
 * metadata rewrites, format changes, mild brightness changes), or the several images a camera
 * embeds in one RAW. Every pair inside a family is a positive; a pair across families is a
 * negative, a hard one when the two share a scene (frames of one video 0.5 s or more apart, two
 * crops of one photo offset by ≥ 25 %, two text pages), except for the pairs nobody could label
 * (`unlabelled`: a Live Photo's still beside its own video's frames, a photo beside a 65 % crop
 * of it, two copies of a photo that differ by a printed digit).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { ExifTool } from 'exiftool-vendored';
import { ffmpegTools } from '../src/generators/tools/ffmpeg.js';

export interface SetImage {
  path: string;
  family: string;
  /** Families of one scene are hard negatives of each other. */
  scene: string;
  variant: string;
}

export interface LabelledSet {
  images: SetImage[];
  /** Family pairs "a|b" (a < b) left out of the counts. */
  unlabelled: Set<string>;
  notes: string[];
}

export function familyPair(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

type Variant = { name: string; make: (src: string, out: string) => Promise<string | null> };

const jpeg = (q: number): Variant => ({ name: `jpeg q${q}`, make: async (s, o) => save(sharp(s).rotate().jpeg({ quality: q }), `${o}.jpg`) });
const webp = (q: number): Variant => ({ name: `webp q${q}`, make: async (s, o) => save(sharp(s).rotate().webp({ quality: q }), `${o}.webp`) });
const png: Variant = { name: 'png', make: async (s, o) => save(sharp(s).rotate().png({ compressionLevel: 1 }), `${o}.png`) };
const scale = (f: number, q = 85): Variant => ({
  name: `resize ${f * 100}%`,
  make: async (s, o) => {
    const { width, height } = await upright(s);
    if (Math.max(width, height) * f < 64) return null;
    return save(sharp(s).rotate().resize(Math.round(width * f), Math.round(height * f)).jpeg({ quality: q }), `${o}.jpg`);
  },
});
const longEdge = (px: number): Variant => ({
  name: `resize to ${px} px`,
  make: async (s, o) => {
    const { width, height } = await upright(s);
    if (Math.max(width, height) <= px) return null;
    return save(sharp(s).rotate().resize(px, px, { fit: 'inside' }).jpeg({ quality: 85 }), `${o}.jpg`);
  },
});
/** Cut fractions L T R B of the width / height from each edge. */
const crop = (l: number, t: number, r: number, b: number, q = 90): Variant => ({
  name: `crop ${[l, t, r, b].map((x) => `${x * 100}`).join('/')} %`,
  make: async (s, o) => {
    const { width, height } = await upright(s);
    const left = Math.round(width * l);
    const top = Math.round(height * t);
    const w = width - left - Math.round(width * r);
    const h = height - top - Math.round(height * b);
    const buf = await sharp(s).rotate().toBuffer();
    return save(sharp(buf).extract({ left, top, width: w, height: h }).jpeg({ quality: q }), `${o}.jpg`);
  },
});
const bright = (f: number): Variant => ({ name: `brightness ×${f}`, make: async (s, o) => save(sharp(s).rotate().modulate({ brightness: f }).jpeg({ quality: 90 }), `${o}.jpg`) });
const combo: Variant = {
  name: 'crop 4 % left, 50 %, webp q60',
  make: async (s, o) => {
    const { width, height } = await upright(s);
    const buf = await sharp(s).rotate().toBuffer();
    const w = Math.round(width * 0.96);
    return save(sharp(buf).extract({ left: width - w, top: 0, width: w, height }).resize(Math.max(32, Math.round(w / 2))).webp({ quality: 60 }), `${o}.webp`);
  },
};
/** The same bytes of picture, only the metadata rewritten in place (exiftool, no re-encode). */
const metadata = (et: ExifTool): Variant => ({
  name: 'metadata rewritten',
  make: async (s, o) => {
    if (!/\.jpe?g$/i.test(s)) return null;
    const out = `${o}.jpg`;
    copyFileSync(s, out);
    await et.write(out, { Artist: 'someone else', ImageDescription: 'rewritten', DateTimeOriginal: '2001:02:03 04:05:06', Copyright: 'vss bench' }, ['-overwrite_original']);
    return out;
  },
});
const stripped: Variant = {
  name: 'metadata stripped',
  make: async (s, o) => {
    if (!/\.jpe?g$/i.test(s)) return null;
    const out = `${o}.jpg`;
    copyFileSync(s, out);
    // Orientation goes too, so the picture is made upright first as a phone's "save a copy" does.
    const upr = await sharp(s).rotate().jpeg({ quality: 95 }).toBuffer();
    writeFileSync(out, upr);
    return out;
  },
};

async function save(img: sharp.Sharp, out: string): Promise<string> {
  await img.toFile(out);
  return out;
}

async function upright(path: string): Promise<{ width: number; height: number }> {
  const m = await sharp(path).metadata();
  const swap = (m.orientation ?? 1) >= 5;
  return { width: (swap ? m.height : m.width)!, height: (swap ? m.width : m.height)! };
}

export const FIXTURES = join(process.cwd(), '..', 'shared', 'fixtures');

/** The set, made under DIR; null (with the reason) when the fixtures are absent. */
export async function buildSet(dir: string, fixtures = FIXTURES): Promise<LabelledSet | string> {
  if (!existsSync(fixtures)) return `no fixtures at ${fixtures}`;
  const fx = (p: string) => join(fixtures, p);
  const notes: string[] = [];
  const images: SetImage[] = [];
  const unlabelled = new Set<string>();
  const et = new ExifTool({ maxProcs: 1 });
  try {
    const full: Variant[] = [jpeg(90), jpeg(70), jpeg(50), jpeg(30), webp(80), webp(50), png, scale(0.5), scale(0.25), longEdge(1024),
      crop(0.02, 0.02, 0.02, 0.02), crop(0.05, 0.05, 0.05, 0.05), crop(0.05, 0.05, 0, 0), crop(0, 0, 0.05, 0.03), metadata(et), stripped, bright(1.1), bright(0.9), combo];
    const light: Variant[] = [jpeg(60), webp(75), scale(0.5), crop(0.03, 0.03, 0.03, 0.03), bright(1.08)];
    let n = 0;
    const family = async (name: string, scene: string, sources: string[], variants: Variant[]) => {
      const present = sources.filter((s) => existsSync(s));
      if (present.length === 0) {
        notes.push(`${name}: source missing, skipped`);
        return;
      }
      for (const s of present) images.push({ path: s, family: name, scene, variant: s === present[0] ? 'source' : `embedded/other: ${s.split('/').pop()}` });
      for (const v of variants) {
        const out = await v.make(present[0]!, join(dir, `${String(n++).padStart(4, '0')}-${name.replace(/\W+/g, '_')}`));
        if (out) images.push({ path: out, family: name, scene, variant: v.name });
      }
    };

    // RAW previews: the camera's own JPEGs of one exposure, all one picture.
    const raw = async (file: string, tags: string[]): Promise<string[]> => {
      const out: string[] = [];
      if (!existsSync(fx(file))) return out;
      for (const tag of tags) {
        const dest = join(dir, `${file.replace(/\W+/g, '_')}-${tag}.jpg`);
        try {
          await et.extractBinaryTag(tag, fx(file), dest);
          await sharp(dest).metadata();
          out.push(dest);
        } catch (err) {
          notes.push(`${file} ${tag}: not extracted (${(err as Error).message.split('\n')[0]})`);
        }
      }
      return out;
    };
    const nef = await raw('raw/nikon-d7100.NEF', ['JpgFromRaw', 'OtherImage', 'PreviewImage']);
    const cr3 = await raw('raw/canon-eos-r6.cr3', ['PreviewImage']);
    const dng = await raw('raw/canon-eos-6d.dng', ['PreviewImage']);

    const photos: Array<[string, string[]]> = [
      ['dscn0010', [fx('exif/gps/DSCN0010.jpg')]],
      ['canon40d', [fx('exif/Canon_40D.jpg')]],
      ['landscape1', [fx('exif/orientation/landscape_1.jpg')]],
      ['landscape6', [fx('exif/orientation/landscape_6.jpg')]],
      ['portrait6', [fx('exif/orientation/portrait_6.jpg')]],
      ['pixel8-black', [fx('livephoto/ente-pixel_8-NOT-motion.jpg')]],
      ['pixel3-keyboard', [fx('livephoto/google-pixel/PXL_20200710_061629144.MP.jpg')]],
      ['iphone-train', [fx('livephoto/apple-iphone6s/train.jpg')]],
      ['nef', nef],
      ['cr3', cr3],
      // The DNG itself: sharp reads its IFD0 preview, another rendering of the same exposure.
      ['dng', [...dng, fx('raw/canon-eos-6d.dng')]],
      ['eurotext', [fx('ocr/tesseract-test/eurotext.tif')]],
      // testocr.png has phototest.tif's very pixels: one picture in two formats.
      ['phototest', [fx('ocr/tesseract-test/phototest.tif'), fx('ocr/tesseract.js/testocr.png')]],
      ['simple-text', [fx('ocr/tesseract.js/simple.png'), fx('ocr/tesseract.js/simple-90.jpg')]],
    ];
    const textPages = new Set(['eurotext', 'phototest', 'simple-text']);
    for (const [name, sources] of photos) await family(name, textPages.has(name) ? 'text pages' : name, sources, full);
    // The same waterfall photo with "1" or "6" printed on it: neither a duplicate nor another photo.
    unlabelled.add(familyPair('landscape1', 'landscape6'));

    // Two crops of one photo offset by ≥ 25 % of a side: the same scene, different pictures.
    const windows: Array<[number, number]> = [[0, 0], [0.3, 0], [0, 0.3], [0.3, 0.3]];
    for (const [name, sources] of photos.filter(([n]) => ['nef', 'pixel3-keyboard', 'iphone-train', 'cr3', 'dscn0010', 'portrait6'].includes(n))) {
      const src = sources[0];
      if (!src || !existsSync(src)) continue;
      for (const [x, y] of windows) {
        const fam = `${name}@crop${x * 100},${y * 100}`;
        const out = await crop(x, y, 0.3 - x, 0.3 - y, 92).make(src, join(dir, `${String(n++).padStart(4, '0')}-${fam.replace(/\W+/g, '_')}`));
        if (!out) continue;
        await family(fam, `${name} crops`, [out], light);
        // A 70 % crop of a photo beside the photo: a different picture to some, an edit to others.
        unlabelled.add(familyPair(fam, name));
      }
    }

    // Video frames 0.5 s or more apart: a burst's distinct shots of one scene.
    const { ffmpeg } = ffmpegTools();
    const motion = fx('livephoto/google-pixel/PXL_20200710_061629144.MP.jpg');
    const videos: Array<[string, string, number[], string | null]> = [
      ['train-mov', fx('livephoto/apple-iphone6s/train.mov'), [0, 0.5, 1.0], 'iphone-train'],
      ['blue-go', fx('video/photoprism-blue-go-video.mp4'), [0, 0.5, 1.0, 1.5, 2.0], null],
      ['christmas', fx('video/photoprism-christmas-noaudio.mp4'), [0, 0.5], null],
      ['pixel-motion', join(dir, 'pixel-motion.mp4'), [0, 0.5], 'pixel3-keyboard'],
    ];
    if (existsSync(motion)) {
      const { readFileSync } = await import('node:fs');
      // The Motion Photo's MP4 starts at byte 2,728,123 (fixtures README).
      writeFileSync(join(dir, 'pixel-motion.mp4'), readFileSync(motion).subarray(2_728_123));
    }
    for (const [name, video, times, still] of videos) {
      if (!existsSync(video)) {
        notes.push(`${name}: video missing, skipped`);
        continue;
      }
      for (const t of times) {
        const frame = join(dir, `${name}-${t.toFixed(1)}s.png`);
        execFileSync(ffmpeg, ['-v', 'error', '-y', '-ss', String(t), '-i', video, '-frames:v', '1', frame]);
        if (!existsSync(frame)) {
          notes.push(`${name} at ${t} s: ffmpeg made no frame, skipped`);
          continue;
        }
        const fam = `${name}@${t.toFixed(1)}s`;
        await family(fam, `${name} frames`, [frame], light);
        // A Live Photo's still is one of its video's moments: which one is not known.
        if (still) unlabelled.add(familyPair(fam, still));
      }
    }
  } finally {
    await et.end();
  }
  return { images, unlabelled, notes };
}
