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
import { FIXTURES } from '../test/helpers.js';
import { crc32 } from '../test/hostile-files.js';

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

/** Every start-of-frame marker's height and width. */
function lieJpeg(b: Buffer, side: number): Buffer {
  for (let i = 2; i + 9 < b.length; i++) {
    if (b[i] !== 0xff) continue;
    const m = b[i + 1]!;
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      b.writeUInt16BE(side, i + 5);
      b.writeUInt16BE(side, i + 7);
    }
  }
  return b;
}

/** IHDR width and height, with a correct CRC so only the size lies. */
function liePng(b: Buffer, side: number): Buffer {
  b.writeUInt32BE(side, 16);
  b.writeUInt32BE(side, 20);
  b.writeUInt32BE(crc32(b.subarray(12, 29)), 29);
  return b;
}

/** The logical screen and the first image descriptor. */
function lieGif(b: Buffer, side: number): Buffer {
  b.writeUInt16LE(side, 6);
  b.writeUInt16LE(side, 8);
  const desc = b.indexOf(0x2c, 13);
  if (desc > 0 && desc + 9 < b.length) {
    b.writeUInt16LE(side, desc + 5);
    b.writeUInt16LE(side, desc + 7);
  }
  return b;
}

/** The VP8 key frame's size (simple format) or the VP8X canvas. */
function lieWebp(b: Buffer, side: number): Buffer {
  const chunk = b.toString('latin1', 12, 16);
  if (chunk === 'VP8 ') {
    b.writeUInt16LE(side & 0x3fff, 26);
    b.writeUInt16LE(side & 0x3fff, 28);
  } else if (chunk === 'VP8X') {
    b.writeUIntLE(side - 1, 24, 3);
    b.writeUIntLE(side - 1, 27, 3);
  }
  return b;
}

/** ImageWidth (256) and ImageLength (257) of every directory. */
function lieTiff(b: Buffer, side: number): Buffer {
  const le = b.toString('latin1', 0, 2) === 'II';
  const u16 = (o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  let ifd = u32(4);
  for (let guard = 0; ifd > 0 && ifd + 2 <= b.length && guard < 1000; guard++) {
    const n = u16(ifd);
    for (let e = 0; e < n; e++) {
      const at = ifd + 2 + e * 12;
      if (at + 12 > b.length) break;
      const tag = u16(at);
      if (tag !== 256 && tag !== 257) continue;
      const type = u16(at + 2);
      if (type === 3) le ? b.writeUInt16LE(Math.min(side, 0xffff), at + 8) : b.writeUInt16BE(Math.min(side, 0xffff), at + 8);
      else le ? b.writeUInt32LE(side, at + 8) : b.writeUInt32BE(side, at + 8);
    }
    const next = ifd + 2 + n * 12;
    ifd = next + 4 <= b.length ? u32(next) : 0;
  }
  return b;
}

/** Every image-size property (ispe) box. */
function lieHeic(b: Buffer, side: number): Buffer {
  for (let i = b.indexOf('ispe'); i >= 0; i = b.indexOf('ispe', i + 4)) {
    if (i + 16 > b.length) break;
    b.writeUInt32BE(side, i + 8);
    b.writeUInt32BE(side, i + 12);
  }
  return b;
}

/** Image XObjects claim 9999² (big) or pages claim to be 65000 points wide (huge), same length. */
function liePdf(b: Buffer, how: 'huge' | 'big'): Buffer {
  let text = b.toString('latin1');
  if (how === 'big') {
    text = text.replace(/\/Width (\d+)/g, (whole, n: string) => sameLength(whole, `/Width ${'9'.repeat(n.length)}`))
      .replace(/\/Height (\d+)/g, (whole, n: string) => sameLength(whole, `/Height ${'9'.repeat(n.length)}`));
  }
  text = text.replace(/\/MediaBox\s*\[([^\]]*)\]/g, (whole, inner: string) => {
    const nums = inner.trim().split(/\s+/);
    if (how === 'big' || nums.length !== 4) return whole;
    const w = `${nums[0]} ${nums[1]} 65000 65000`;
    return w.length <= inner.length ? `/MediaBox[${w.padEnd(inner.length)}]` : whole;
  });
  return Buffer.from(text, 'latin1');
}

function sameLength(whole: string, replacement: string): string {
  return replacement.length === whole.length ? replacement : whole;
}

/** huge: every track header and visual sample entry claims 65535²; big: durations ×1000. */
function lieMp4(b: Buffer, how: 'huge' | 'big'): Buffer {
  if (how === 'huge') {
    for (let i = b.indexOf('tkhd'); i >= 0; i = b.indexOf('tkhd', i + 4)) {
      const size = b.readUInt32BE(i - 4);
      if (i - 4 + size > b.length || size < 84) continue;
      b.writeUInt32BE(0xffff0000, i - 4 + size - 8);
      b.writeUInt32BE(0xffff0000, i - 4 + size - 4);
    }
    for (const codec of ['avc1', 'hvc1', 'mp4v']) {
      for (let i = b.indexOf(codec); i >= 0; i = b.indexOf(codec, i + 4)) {
        if (i + 32 > b.length) break;
        b.writeUInt16BE(0xffff, i + 28);
        b.writeUInt16BE(0xffff, i + 30);
      }
    }
  } else {
    for (const box of ['mvhd', 'mdhd']) {
      for (let i = b.indexOf(box); i >= 0; i = b.indexOf(box, i + 4)) {
        if (i + 28 > b.length || b[i + 4] !== 0) continue;
        const at = i + 20;
        b.writeUInt32BE(Math.min(0xffffffff, b.readUInt32BE(at) * 1000), at);
      }
    }
  }
  return b;
}

/** huge: the RIFF and data chunks claim 4 GiB; big: 64 channels at 4 MHz. */
function lieWav(b: Buffer, how: 'huge' | 'big'): Buffer {
  if (how === 'huge') {
    b.writeUInt32LE(0xfffffff0, 4);
    const data = b.indexOf('data', 12);
    if (data > 0) b.writeUInt32LE(0xffffffe0, data + 4);
  } else {
    const fmt = b.indexOf('fmt ', 12);
    if (fmt > 0) {
      b.writeUInt16LE(64, fmt + 10);
      b.writeUInt32LE(4_000_000, fmt + 12);
    }
  }
  return b;
}

/** huge: an ID3v2 tag claiming 256 MiB; big: every frame header claims the top bitrate. */
function lieMp3(b: Buffer, how: 'huge' | 'big'): Buffer {
  if (how === 'huge') {
    if (b.toString('latin1', 0, 3) === 'ID3') b.set([0x7f, 0x7f, 0x7f, 0x7f], 6);
    return b;
  }
  for (let i = 0; i + 4 < b.length; i++) {
    if (b[i] === 0xff && (b[i + 1]! & 0xe0) === 0xe0) b[i + 2] = (b[i + 2]! & 0x0f) | 0xe0;
  }
  return b;
}

/** A small, fast, seeded PRNG (mulberry32): the same seed gives the same mutations everywhere. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
