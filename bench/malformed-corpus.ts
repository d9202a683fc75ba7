/**
 * A deterministic corpus of malformed media made from the shared fixtures: every fixture photo,
 * scan, PDF, video and recording (plus a WebP and a GIF converted from fixtures with sharp) in
 * nine damaged copies each, and the fixtures themselves unharmed as the anchor set.
 *
 *   trunc-10 / trunc-50 / trunc-90   cut at 10, 50, 90% of the length
 *   flip-sparse / flip-dense         16 bytes, or one byte in 500, flipped past the first 64
 *   zero-middle                      the middle quarter zeroed
 *   mislabel                         another fixture's bytes under this one's extension
 *   lie-huge                         the header claims a size far over any limit (65000² px, 4 GiB of audio)
 *   lie-big                          the header claims a size just under the 100 MP limit, on data made for far less
 *
 * The same seed writes the same bytes on every run (sharp's encoders are deterministic too), so
 * two runs of a benchmark compare like with like. Fixtures are read, never copied into the repo.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import sharp from 'sharp';
import { mulberry32 } from './mulberry32.js';
import { FIXTURES } from '../test/helpers.js';
import { lieGif, lieHeic, lieJpeg, lieMp3, lieMp4, liePdf, liePng, lieTiff, lieWav, lieWebp } from '../test/hostile-files.js';

export type Format = 'jpeg' | 'png' | 'gif' | 'webp' | 'tiff' | 'heic' | 'pdf' | 'mp4' | 'wav' | 'mp3';

interface Source {
  name: string;
  format: Format;
  bytes: Buffer;
}

/** Fixture media by format (paths under ../shared/fixtures). */
const FIXTURE_MEDIA: Array<[string, Format]> = [
  ['exif/Canon_40D.jpg', 'jpeg'],
  ['exif/gps/DSCN0010.jpg', 'jpeg'],
  ['exif/orientation/landscape_1.jpg', 'jpeg'],
  ['exif/orientation/landscape_6.jpg', 'jpeg'],
  ['exif/orientation/portrait_6.jpg', 'jpeg'],
  ['livephoto/apple-iphone6s/train.jpg', 'jpeg'],
  ['livephoto/ente-pixel_8-NOT-motion.jpg', 'jpeg'],
  ['livephoto/google-pixel/PXL_20200710_061629144.MP.jpg', 'jpeg'],
  ['ocr/tesseract.js/simple-90.jpg', 'jpeg'],
  ['exif/heic/IMG_5195.HEIC', 'heic'],
  ['exif/heic/immich-IMG_2682.heic', 'heic'],
  ['livephoto/orphan-still/IMG_1309.HEIC', 'heic'],
  ['ocr/tesseract-test/phototest-rotated-R.png', 'png'],
  ['ocr/tesseract.js/simple.png', 'png'],
  ['ocr/tesseract.js/testocr.png', 'png'],
  ['ocr/tesseract-test/eurotext.tif', 'tiff'],
  ['ocr/tesseract-test/phototest.tif', 'tiff'],
  ['pdf/scanned/ocrmypdf-cardinal.pdf', 'pdf'],
  ['pdf/scanned/ocrmypdf-linn.pdf', 'pdf'],
  ['pdf/text-layer/lychee-pdf.pdf', 'pdf'],
  ['pdf/text-layer/springai-pdftex-sample.pdf', 'pdf'],
  ['video/photoprism-blue-go-video.mp4', 'mp4'],
  ['video/photoprism-christmas-noaudio.mp4', 'mp4'],
  ['livephoto/apple-iphone6s/train.mov', 'mp4'],
  ['audio/jfk.wav', 'wav'],
  ['audio/jfk.mp3', 'mp3'],
];

export const MUTATIONS = ['trunc-10', 'trunc-50', 'trunc-90', 'flip-sparse', 'flip-dense', 'zero-middle', 'mislabel', 'lie-huge', 'lie-big'] as const;
export type Mutation = (typeof MUTATIONS)[number];

export interface CorpusFile {
  path: string;
  source: string;
  format: Format;
  mutation: Mutation | 'none';
  bytes: number;
}

/** The fixture media plus a WebP and a GIF made from fixtures, in a fixed order. */
export async function corpusSources(fixtures = FIXTURES): Promise<Source[]> {
  const out: Source[] = FIXTURE_MEDIA.map(([rel, format]) => ({ name: rel.replace(/[/]/g, '_'), format, bytes: readFileSync(join(fixtures, rel)) }));
  const photo = readFileSync(join(fixtures, 'exif/gps/DSCN0010.jpg'));
  out.push({ name: 'DSCN0010-converted.webp', format: 'webp', bytes: await sharp(photo).webp({ quality: 80 }).toBuffer() });
  const scan = readFileSync(join(fixtures, 'ocr/tesseract.js/testocr.png'));
  out.push({ name: 'testocr-converted.gif', format: 'gif', bytes: await sharp(scan).gif().toBuffer() });
  return out;
}

/** The unharmed sources in DIR (the anchor set). */
export async function writeAnchorCorpus(dir: string, fixtures = FIXTURES): Promise<CorpusFile[]> {
  mkdirSync(dir, { recursive: true });
  return (await corpusSources(fixtures)).map((s) => {
    const path = join(dir, s.name);
    writeFileSync(path, s.bytes);
    return { path, source: s.name, format: s.format, mutation: 'none', bytes: s.bytes.length };
  });
}

/** Every source in every mutation, one file each, in DIR. */
export async function writeMalformedCorpus(dir: string, seed = 8, fixtures = FIXTURES): Promise<CorpusFile[]> {
  mkdirSync(dir, { recursive: true });
  const sources = await corpusSources(fixtures);
  const files: CorpusFile[] = [];
  sources.forEach((s, i) => {
    for (const m of MUTATIONS) {
      const rand = mulberry32(seed * 7919 + i * 131 + MUTATIONS.indexOf(m));
      const other = sources.slice(i + 1).concat(sources.slice(0, i)).find((o) => o.format !== s.format)!;
      const bytes = mutate(s, m, rand, other);
      const ext = extname(s.name) || '.bin';
      const path = join(dir, `${s.name.slice(0, s.name.length - ext.length)}.${m}${ext}`);
      writeFileSync(path, bytes);
      files.push({ path, source: s.name, format: s.format, mutation: m, bytes: bytes.length });
    }
  });
  return files;
}

export function mutate(s: Source, m: Mutation, rand: () => number, other: Source): Buffer {
  const b = Buffer.from(s.bytes);
  switch (m) {
    case 'trunc-10': return b.subarray(0, Math.floor(b.length * 0.1));
    case 'trunc-50': return b.subarray(0, Math.floor(b.length * 0.5));
    case 'trunc-90': return b.subarray(0, Math.floor(b.length * 0.9));
    case 'flip-sparse': return flip(b, 16, rand);
    case 'flip-dense': return flip(b, Math.ceil(b.length / 500), rand);
    case 'zero-middle': return b.fill(0, Math.floor(b.length * 0.375), Math.floor(b.length * 0.625));
    case 'mislabel': return Buffer.from(other.bytes);
    case 'lie-huge': return lie(s.format, b, 'huge');
    case 'lie-big': return lie(s.format, b, 'big');
  }
}

function flip(b: Buffer, count: number, rand: () => number): Buffer {
  if (b.length <= 64) return b;
  for (let k = 0; k < count; k++) {
    const at = 64 + Math.floor(rand() * (b.length - 64));
    b[at] = b[at]! ^ (1 + Math.floor(rand() * 255));
  }
  return b;
}

/** Pixel sizes the lying headers claim: far over the 100 MP limit, and just under it. */
const HUGE = 65_000;
const BIG = 9_999;

function lie(format: Format, b: Buffer, how: 'huge' | 'big'): Buffer {
  const side = how === 'huge' ? HUGE : BIG;
  switch (format) {
    case 'jpeg': return lieJpeg(b, side);
    case 'png': return liePng(b, side);
    case 'gif': return lieGif(b, Math.min(side, 0xffff));
    case 'webp': return lieWebp(b, Math.min(side, 16_383));
    case 'tiff': return lieTiff(b, side);
    case 'heic': return lieHeic(b, how === 'huge' ? side : 9_000);
    case 'pdf': return liePdf(b, how);
    case 'mp4': return lieMp4(b, how);
    case 'wav': return lieWav(b, how);
    case 'mp3': return lieMp3(b, how);
  }
}

