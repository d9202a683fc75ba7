import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { randomBytes } from 'node:crypto';
import { FileTypeParser } from 'file-type';
import fc from 'fast-check';
import { detectType, detectTypeNow, looksLikeText, mediaByMagic } from './detect-type.js';
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
