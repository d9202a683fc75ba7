import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { randomBytes } from 'node:crypto';
import { FileTypeParser } from 'file-type';
import fc from 'fast-check';
import { detectType, detectTypeNow, detectTypeSoon, looksLikeText, mediaByMagic, parsedType } from './detect-type.js';
import { minimalPdf } from '../cli/demo/sample-set.js';

describe('detectType', () => {
  it('believes magic bytes over a wrong extension', async () => {
    const jpeg = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#f00' } }).jpeg().toBuffer();
    assert.deepEqual(await detectType('photo.png', jpeg), { mime: 'image/jpeg', kind: 'image' });
  });

  it('does not believe an extension whose signature is missing', async () => {
    assert.deepEqual(await detectType('fake.jpg', Buffer.from('just some words\n')), { mime: 'text/plain', kind: 'text' });
    assert.deepEqual(await detectType('fake.mp4', Buffer.from([0xde, 0xad, 0xbe, 0xef, 0, 1, 2])), { mime: 'application/octet-stream', kind: 'unknown' });
  });

  it('uses the extension for formats without a signature', async () => {
    assert.equal((await detectType('notes.md', Buffer.from('# hi\n'))).kind, 'text');
    assert.equal((await detectType('data.csv', Buffer.from('a,b\n1,2\n'))).mime, 'text/csv');
    assert.equal((await detectType('icon.svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).mime, 'image/svg+xml');
  });

  it('reads TypeScript as code, not as an MPEG transport stream', async () => {
    assert.deepEqual(await detectType('main.ts', Buffer.from('export const x = 1;\n')), { mime: 'text/x-typescript', kind: 'code' });
  });

  it('calls a PDF a document and an empty file unknown', async () => {
    assert.deepEqual(await detectType('r.pdf', minimalPdf('hello')), { mime: 'application/pdf', kind: 'document' });
    assert.deepEqual(await detectType('empty.jpg', Buffer.alloc(0)), { mime: 'inode/x-empty', kind: 'unknown' });
  });

  it('tells text from binary', () => {
    assert.equal(looksLikeText(Buffer.from('héllo wörld ☕')), true);
    assert.equal(looksLikeText(Buffer.from([0x68, 0x00, 0x69])), false);
    assert.equal(looksLikeText(Buffer.from([0xff, 0xfe, 0xfd])), false);
    // A multi-byte character cut by the end of the head is still text.
    assert.equal(looksLikeText(Buffer.from('abc☕').subarray(0, 5)), true);
  });
});

it('a TIFF whose directory lies beyond the head read is still a TIFF', async () => {
  const head = Buffer.alloc(4100);
  head.write('II*\0', 0, 'latin1');
  head.writeUInt32LE(90_000, 4); // the first directory, far past these bytes
  assert.deepEqual(await detectType('scan.tif', head), { mime: 'image/tiff', kind: 'image' });
  assert.deepEqual(await detectType('scan', head), { mime: 'image/tiff', kind: 'image' });
});

it('answers at once only where file-type would answer the same', async () => {
  const parser = new FileTypeParser();
  const jpeg = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#0f0' } }).jpeg().toBuffer();
  const heads = [
    jpeg, jpeg.subarray(0, 3), jpeg.subarray(0, 4), Buffer.from([0xff, 0xd8, 0xff, 0xf7, 1, 2, 3]),
    // JPEG's first bytes before what other formats look for further on (an ISO box type, a tar header).
    Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('ftypheic'), randomBytes(600)]),
    (() => { const b = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(1000)]); b.write('ustar\0', 257, 'latin1'); return b; })(),
    ...Array.from({ length: 200 }, () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), randomBytes(1 + Math.floor(Math.random() * 4000))])),
  ];
  for (const head of heads) {
    const now = detectTypeNow(head);
    assert.ok(now, 'a JPEG head is answered at once');
    assert.equal(now.mime, (await parser.fromBuffer(head))?.mime, head.subarray(0, 16).toString('hex'));
    assert.deepEqual(now, await detectType('x.png', head));
  }
  assert.deepEqual(detectTypeNow(Buffer.alloc(0)), { mime: 'inode/x-empty', kind: 'unknown' });
  for (const other of [Buffer.from('text'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from([0xff, 0xd8])]) assert.equal(detectTypeNow(other), undefined);
});

describe('a PNG head answered at once', () => {
  const SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  /** A chunk as PNG lays it out: its length, its type, DATA (LENGTH bytes unless given) and a CRC. */
  const chunk = (type: string, length: number, data = Buffer.alloc(Math.max(0, Math.min(length, 6000)))): Buffer => {
    const h = Buffer.alloc(8);
    h.writeInt32BE(length, 0);
    h.write(type, 4, 'latin1');
    return Buffer.concat([h, data, Buffer.alloc(4)]);
  };
  const png = (...chunks: Buffer[]): Buffer => Buffer.concat([SIG, ...chunks]);
  const NAMES = ['a.png', 'a', 'a.txt', 'a.svg', 'a.jpg', 'a.apng', 'a.docx'];

  /** Whatever detectTypeSoon answers for HEAD is what file-type's parse leads detectType to (parsedType); a head named .png is answered. */
  async function holds(head: Buffer, parser: FileTypeParser): Promise<void> {
    const magic = (await parser.fromBuffer(head))?.mime;
    for (const name of NAMES) {
      const soon = detectTypeSoon(name, head);
      if (name.endsWith('.png')) assert.ok(soon, `${head.subarray(0, 40).toString('hex')} (${head.length} bytes) is answered at once`);
      if (!soon) continue;
      assert.deepEqual(soon, await parsedType(name, head), `${name}: ${head.subarray(0, 40).toString('hex')} (${head.length} bytes), file-type: ${magic}`);
    }
  }

  it('as file-type would: real PNGs, APNGs, chunks past the head, broken headers', async () => {
    const parser = new FileTypeParser();
    const real = await sharp({ create: { width: 8, height: 8, channels: 4, background: '#00f8' } }).png().toBuffer();
    const ihdr = chunk('IHDR', 13);
    const heads = [
      real, real.subarray(0, 16), real.subarray(0, 20), real.subarray(0, 33), real.subarray(0, 41),
      png(ihdr, chunk('acTL', 8), chunk('IDAT', 10)), png(ihdr, chunk('IDAT', 10), chunk('acTL', 8)),
      png(ihdr, chunk('iCCP', 3000), chunk('IDAT', 10)), png(ihdr, chunk('iCCP', 5000), chunk('IDAT', 10)).subarray(0, 4100),
      png(ihdr, chunk('eXIf', 1_000_000, Buffer.alloc(100))), png(ihdr, chunk('tEXt', 4070, Buffer.alloc(10))).subarray(0, 4100),
      png(chunk('IHDR', 12)), png(chunk('CgBI', 4), ihdr, chunk('IDAT', 1)), png(chunk('IDAT', 5)), png(chunk('acTL', 8)), png(chunk('tEXt', 3), ihdr),
      png(chunk('IHDR', -5, Buffer.alloc(0))), png(ihdr, chunk('tEXt', -1, Buffer.alloc(0))), png(ihdr).subarray(0, 29), png(ihdr, Buffer.from([0, 0, 0, 1, 0x74])),
      png(ihdr, ...Array.from({ length: 600 }, () => chunk('tEXt', 0))), png(ihdr, ...Array.from({ length: 600 }, () => chunk('tEXt', 0))).subarray(0, 4100),
      SIG, png(Buffer.alloc(8)),
      // The bench's heads: the signature, then random bytes.
      ...Array.from({ length: 200 }, () => png(randomBytes(Math.floor(Math.random() * 4100)))),
    ];
    for (const head of heads) await holds(head, parser);
  });

  it('as file-type would, for any run of chunks cut anywhere', async () => {
    const parser = new FileTypeParser();
    const aChunk = fc.tuple(
      fc.constantFrom('IHDR', 'IDAT', 'acTL', 'CgBI', 'tEXt', 'iCCP', 'IEND', 'ihdr'),
      fc.oneof(fc.constant(13), fc.integer({ min: 0, max: 200 }), fc.integer({ min: 3000, max: 5000 }), fc.integer({ min: -3, max: -1 }), fc.constant(2 ** 31 - 1)),
    ).map(([type, length]) => chunk(type, length, Buffer.alloc(Math.max(0, Math.min(length, 300)))));
    await fc.assert(fc.asyncProperty(fc.array(aChunk, { maxLength: 12 }), fc.integer({ min: 8, max: 5000 }), async (chunks, cut) => {
      await holds(png(...chunks).subarray(0, cut), parser);
    }), { numRuns: 400 });
  });
});

it('types each head by its own bytes however many are parsed at once', async () => {
  // file-type's parser keeps the bytes it reads on itself across its awaits: two heads parsed at
  // once by one parser read each other's (a PDF's type given to the file typed beside it).
  const head = fc.oneof(
    fc.constantFrom(Buffer.from('%PDF-1.4\n'), Buffer.from('GIF89a'), Buffer.from('BM'), Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('{\\rtf1 '), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
    fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Buffer.from(b)),
    fc.string({ minLength: 1, maxLength: 40 }).map((t) => Buffer.from(t)),
  );
  const names = fc.constantFrom('a.jpg', 'a.txt', 'a.docx', 'a', 'a.ts');
  await fc.assert(fc.asyncProperty(fc.array(fc.tuple(names, head), { minLength: 2, maxLength: 8 }), async (files) => {
    const alone: unknown[] = [];
    for (const [name, h] of files) alone.push([await detectType(name, h), await mediaByMagic(h)]);
    const together = await Promise.all(files.map(async ([name, h]) => Promise.all([detectType(name, h), mediaByMagic(h)])));
    assert.deepEqual(together, alone);
  }), { numRuns: 200 });
});
