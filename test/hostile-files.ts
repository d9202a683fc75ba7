import { constants, deflateRawSync, deflateSync } from 'node:zlib';
import { buildPdf, pdfStream } from './build-pdf.js';

/** Hostile inputs built on the fly for tests (never shipped as files). */

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

// zlib.crc32 arrived in Node 20.15; vss supports every Node 20.
export function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/**
 * A decompression bomb: a valid PNG header (signature + IHDR with its CRC) claiming WIDTH × HEIGHT
 * 8-bit RGB pixels, with a token IDAT — a few hundred bytes that would decode to gigabytes.
 */
export function pngClaiming(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(1024))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/*
 * Lying headers: a real file (Buffer B, changed in place and returned) whose header claims a size
 * its data was not made for. Used by the malformed-media tests and bench/malformed-corpus.ts.
 */

/** Every start-of-frame marker's height and width. */
export function lieJpeg(b: Buffer, side: number): Buffer {
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
export function liePng(b: Buffer, side: number): Buffer {
  b.writeUInt32BE(side, 16);
  b.writeUInt32BE(side, 20);
  b.writeUInt32BE(crc32(b.subarray(12, 29)), 29);
  return b;
}

/** The logical screen and the first image descriptor. */
export function lieGif(b: Buffer, side: number): Buffer {
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
export function lieWebp(b: Buffer, side: number): Buffer {
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
export function lieTiff(b: Buffer, side: number): Buffer {
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
export function lieHeic(b: Buffer, side: number): Buffer {
  for (let i = b.indexOf('ispe'); i >= 0; i = b.indexOf('ispe', i + 4)) {
    if (i + 16 > b.length) break;
    b.writeUInt32BE(side, i + 8);
    b.writeUInt32BE(side, i + 12);
  }
  return b;
}

/** Image XObjects claim 9999² (big) or pages claim to be 65000 points wide (huge), same length. */
export function liePdf(b: Buffer, how: 'huge' | 'big'): Buffer {
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
export function lieMp4(b: Buffer, how: 'huge' | 'big'): Buffer {
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
export function lieWav(b: Buffer, how: 'huge' | 'big'): Buffer {
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
export function lieMp3(b: Buffer, how: 'huge' | 'big'): Buffer {
  if (how === 'huge') {
    if (b.toString('latin1', 0, 3) === 'ID3') b.set([0x7f, 0x7f, 0x7f, 0x7f], 6);
    return b;
  }
  for (let i = 0; i + 4 < b.length; i++) {
    if (b[i] === 0xff && (b[i + 1]! & 0xe0) === 0xe0) b[i + 2] = (b[i + 2]! & 0x0f) | 0xe0;
  }
  return b;
}

/**
 * A zlib stream of N zero bytes, made at once for any N: one megabyte of zeros deflated and fully
 * flushed (byte-aligned, no back-references across it) repeated, then a final empty block and the
 * checksum. 3 GiB come to ~3 MB; deflated once more, ~7 KB.
 */
export function zerosDeflated(n: number): Buffer {
  const CHUNK = 1 << 20;
  const block = (bytes: number) => deflateRawSync(Buffer.alloc(bytes), { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const whole = block(CHUNK);
  const parts: Buffer[] = [Buffer.from([0x78, 0xda])];
  for (let i = 0; i < Math.floor(n / CHUNK); i++) parts.push(whole);
  if (n % CHUNK) parts.push(block(n % CHUNK));
  parts.push(deflateRawSync(Buffer.alloc(0)));
  // Adler-32 of zeros: the byte sum stays 1, the sum of sums is n.
  const adler = Buffer.alloc(4);
  adler.writeUInt16BE(n % 65521, 0);
  adler.writeUInt16BE(1, 2);
  parts.push(adler);
  return Buffer.concat(parts);
}

/**
 * The PDF decompression bomb of issue 18 (~400 KB): one page whose content is two streams, 3 GiB
 * of zeros deflated twice and 384 MiB deflated once. Zeros are whitespace to a PDF lexer, so a
 * reader that decodes without bound holds gigabytes and then reads nothing.
 */
export function pdfDecompressionBomb(): Buffer {
  return buildPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents [4 0 R 5 0 R] /Resources << >> >>',
    pdfStream(deflateSync(zerosDeflated(3 * 1024 ** 3), { level: 9 }), '/Filter [/FlateDecode /FlateDecode] '),
    pdfStream(zerosDeflated(384 * 1024 ** 2), '/Filter /FlateDecode '),
  ]);
}

/**
 * A PDF whose page draws form XObject /X1 (object 5), whose own content draws /X1 again. 'stack':
 * the form only draws itself, and a reader that follows it recurses until the stack overflows;
 * 'fonts': each level first shows text, so a reader waits for the font at every level and the
 * recursion never overflows: it never ends.
 */
export function pdfFormDrawingItself(how: 'stack' | 'fonts'): Buffer {
  const font = '/Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >>';
  const form = how === 'stack' ? '/X1 Do' : 'BT /F1 12 Tf 10 10 Td (loop) Tj ET q /X1 Do Q';
  return buildPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /XObject << /X1 5 0 R >> >> >>',
    pdfStream(Buffer.from('q /X1 Do Q', 'latin1')),
    pdfStream(Buffer.from(form, 'latin1'), `/Type /XObject /Subtype /Form /BBox [0 0 100 100] /Resources << /XObject << /X1 5 0 R >> ${font} >> `),
  ]);
}

/** A PCM WAV file: a 44-byte header saying what the caller claims, then DATA as it is. */
export function wavFile(claims: { sampleRate: number; channels?: number; bitsPerSample?: number }, data: Buffer): Buffer {
  const channels = claims.channels ?? 1;
  const bits = claims.bitsPerSample ?? 16;
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(claims.sampleRate, 24);
  h.writeUInt32LE(Math.min(0xffffffff, (claims.sampleRate * channels * bits) / 8), 28);
  h.writeUInt16LE((channels * bits) / 8, 32);
  h.writeUInt16LE(bits, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

/** N bytes of 16-bit samples of a loud 440 Hz tone at 16 kHz: sound, and no speech. */
export function toneSamples(n: number): Buffer {
  const b = Buffer.alloc(n - (n % 2));
  for (let i = 0; i < b.length / 2; i++) b.writeInt16LE(Math.round(12_000 * Math.sin((2 * Math.PI * 440 * i) / 16_000)), 2 * i);
  return b;
}
