import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { FIXTURES, FIXTURES_SKIP, tempDir } from '../../../test/helpers.js';
import { generatorContext } from '../../../test/generator-context.js';
import { probeMedia } from '../tools/ffmpeg.js';
import { GeneratorError, type GeneratedOutput } from '../types.js';
import { looksLikeMotionPhoto, motionPhotoGenerator } from './motion-photo-generator.js';

const PIXEL = join(FIXTURES, 'livephoto', 'google-pixel', 'PXL_20200710_061629144.MP.jpg');
const NOT_MOTION = join(FIXTURES, 'livephoto', 'ente-pixel_8-NOT-motion.jpg');
const MOVIE = join(FIXTURES, 'video', 'photoprism-christmas-noaudio.mp4');
const work = tempDir('vss-motion-test-');
let still: Buffer;

before(async () => {
  still = await sharp({ create: { width: 32, height: 24, channels: 3, background: { r: 200, g: 80, b: 20 } } }).jpeg().toBuffer();
});
after(() => work.cleanup());

async function extract(path: string, mime = 'image/jpeg'): Promise<GeneratedOutput> {
  const ctx = generatorContext({ path, kind: 'image', mime, variants: ['embedded'] });
  try {
    const outs = await motionPhotoGenerator.generate(ctx);
    assert.equal(outs.length, 1);
    const o = outs[0]!;
    // Read the file before cleanup removes it.
    return 'file' in o ? { ...o, file: readFileSync(o.file).toString('base64') } : o;
  } finally {
    ctx.cleanup();
  }
}

function bytesOf(o: GeneratedOutput): Buffer {
  assert.ok('file' in o, JSON.stringify(o));
  return Buffer.from(o.file, 'base64');
}

function write(name: string, ...parts: Buffer[]): string {
  const path = join(work.path, name);
  writeFileSync(path, Buffer.concat(parts));
  return path;
}

/** A JPEG with an XMP packet (APP1) right after SOI, as cameras write it. */
function withXmp(jpeg: Buffer, rdf: string): Buffer {
  const xmp = Buffer.from(`http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">${rdf}</rdf:RDF></x:xmpmeta>`, 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt16BE(0xffe1, 0);
  head.writeUInt16BE(xmp.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), head, xmp, jpeg.subarray(2)]);
}

function containerXmp(movieLength: number, flag = '1'): string {
  return `<rdf:Description rdf:about="" xmlns:Camera="http://ns.google.com/photos/1.0/camera/" xmlns:Container="http://ns.google.com/photos/1.0/container/" xmlns:Item="http://ns.google.com/photos/1.0/container/item/" Camera:MotionPhoto="${flag}" Camera:MotionPhotoVersion="1">
  <Container:Directory><rdf:Seq>
    <rdf:li rdf:parseType="Resource"><Container:Item Item:Mime="image/jpeg" Item:Semantic="Primary" Item:Length="0" Item:Padding="0"/></rdf:li>
    <rdf:li rdf:parseType="Resource"><Container:Item Item:Mime="video/mp4" Item:Semantic="MotionPhoto" Item:Length="${movieLength}" Item:Padding="0"/></rdf:li>
  </rdf:Seq></Container:Directory></rdf:Description>`;
}

/** A Samsung trailer as the camera writes it and ExifTool reads it: block, SEFH directory, length, "SEFT". */
function samsungTrailer(movie: Buffer): Buffer {
  const name = Buffer.from('MotionPhoto_Data', 'latin1');
  const blockHead = Buffer.alloc(8);
  blockHead.writeUInt16LE(0, 0);
  blockHead.writeUInt16LE(0x0a30, 2);
  blockHead.writeUInt32LE(name.length, 4);
  const block = Buffer.concat([blockHead, name, movie]);
  const dir = Buffer.alloc(24);
  dir.write('SEFH', 0, 'latin1');
  dir.writeUInt32LE(106, 4);
  dir.writeUInt32LE(1, 8);
  dir.writeUInt16LE(0, 12);
  dir.writeUInt16LE(0x0a30, 14);
  dir.writeUInt32LE(block.length, 16); // back from the directory to the block
  dir.writeUInt32LE(block.length, 20);
  const end = Buffer.alloc(8);
  end.writeUInt32LE(dir.length, 0);
  end.write('SEFT', 4, 'latin1');
  return Buffer.concat([block, dir, end]);
}

test('a Google Pixel motion photo: exactly the declared byte range, a playable movie', { skip: FIXTURES_SKIP }, async () => {
  const o = await extract(PIXEL);
  assert.ok('format' in o && o.format === 'mp4');
  const got = bytesOf(o);
  const whole = readFileSync(PIXEL);
  assert.equal(got.length, 1_317_283);
  assert.ok(got.equals(whole.subarray(2_728_123)), 'the bytes from 2,728,123 to the end');
  const file = write('pixel-movie.mp4', got);
  const p = await probeMedia(file, new AbortController().signal);
  assert.equal(p.streams.find((s) => s.codec_type === 'video')?.codec_name, 'h264');
});

test('a plain photo (even with an Ultra HDR container directory) is skipped', { skip: FIXTURES_SKIP }, async () => {
  assert.deepEqual(await extract(NOT_MOTION), { variant: 'embedded', skip: 'not a motion photo' });
  assert.deepEqual(await extract(write('plain.jpg', still)), { variant: 'embedded', skip: 'not a motion photo' });
});

test('a Samsung motion photo (SEFT trailer) as ExifTool reads it', { skip: FIXTURES_SKIP }, async () => {
  const movie = readFileSync(MOVIE);
  const samsungStill = await sharp(still).withExif({ IFD0: { Make: 'samsung', Model: 'SM-G991B' } }).jpeg().toBuffer();
  const path = write('samsung.jpg', samsungStill, samsungTrailer(movie));
  const got = bytesOf(await extract(path));
  assert.ok(got.equals(movie));
  // ExifTool sees the crafted trailer as a Samsung one (when it reads trailers), and the
  // queueing guess agrees; with -fast (exiftool-vendored's default) it cannot tell.
  const { ExifTool } = await import('exiftool-vendored');
  const full = new ExifTool({ maxProcs: 1, readArgs: [] });
  const fast = new ExifTool({ maxProcs: 1 });
  const tagsOf = async (et: InstanceType<typeof ExifTool>, p: string) => (await et.read(p)) as unknown as Record<string, unknown>;
  try {
    const tags = await tagsOf(full, path);
    assert.equal(tags.EmbeddedVideoType, 'MotionPhoto_Data');
    assert.equal(looksLikeMotionPhoto(tags), true);
    const fastTags = await tagsOf(fast, path);
    assert.equal(fastTags.EmbeddedVideoType, undefined);
    assert.equal(looksLikeMotionPhoto(fastTags), undefined, 'a Samsung still read with -fast: queue and look');
    assert.equal(looksLikeMotionPhoto(await tagsOf(fast, NOT_MOTION)), false);
    assert.equal(looksLikeMotionPhoto(await tagsOf(fast, PIXEL)), true);
  } finally {
    await Promise.all([full.end(), fast.end()]);
  }
  // Newer phones end with a QDIO block after the SEFT one: [20 bytes][u32 20]["QDIO"]["BS"].
  const qdio = Buffer.concat([Buffer.alloc(20), Buffer.from([20, 0, 0, 0]), Buffer.from('QDIOBS', 'latin1')]);
  assert.ok(bytesOf(await extract(write('samsung-qdio.jpg', still, samsungTrailer(movie), qdio))).equals(movie));
});

test('the XMP container directory and the older MicroVideoOffset of a crafted photo', { skip: FIXTURES_SKIP }, async () => {
  const movie = readFileSync(MOVIE);
  assert.ok(bytesOf(await extract(write('container.jpg', withXmp(still, containerXmp(movie.length)), movie))).equals(movie));
  const micro = `<rdf:Description rdf:about="" xmlns:GCamera="http://ns.google.com/photos/1.0/camera/" GCamera:MicroVideo="1" GCamera:MicroVideoVersion="1" GCamera:MicroVideoOffset="${movie.length}"/>`;
  assert.ok(bytesOf(await extract(write('micro.jpg', withXmp(still, micro), movie))).equals(movie));
  assert.deepEqual(await extract(write('off.jpg', withXmp(still, containerXmp(movie.length, '0')), movie)), { variant: 'embedded', skip: 'motion turned off in this photo (MotionPhoto=0)' });
});

test('a Samsung HEIF motion photo (mpvd box)', { skip: FIXTURES_SKIP }, async () => {
  const movie = readFileSync(MOVIE);
  const box = (type: string, body: Buffer) => {
    const h = Buffer.alloc(8);
    h.writeUInt32BE(body.length + 8, 0);
    h.write(type, 4, 'latin1');
    return Buffer.concat([h, body]);
  };
  const path = write('samsung.heic', box('ftyp', Buffer.from('heic\0\0\0\0mif1heic', 'latin1')), box('meta', Buffer.alloc(32)), box('mdat', Buffer.alloc(64)), box('mpvd', movie));
  assert.ok(bytesOf(await extract(path, 'image/heic')).equals(movie));
});

test('a declaration that points at something other than a movie fails permanently with the reason', { skip: FIXTURES_SKIP }, async () => {
  const junk = randomBytes(50_000);
  const lying = write('lying.jpg', withXmp(still, containerXmp(junk.length)), junk);
  const t0 = Date.now();
  for (const path of [lying, write('lying-samsung.jpg', still, samsungTrailer(junk)), write('too-long.jpg', withXmp(still, containerXmp(10_000_000)), junk)]) {
    await assert.rejects(extract(path), (err: unknown) => {
      assert.ok(err instanceof GeneratorError && err.permanent, String(err));
      assert.ok(err.message.startsWith(`${path}: declares an embedded movie that is not there`), err.message);
      return true;
    });
  }
  // ftyp at the declared offset but no movie behind it: ffprobe has the last word.
  const fake = Buffer.concat([Buffer.from([0, 0, 0, 16]), Buffer.from('ftypmp42', 'latin1'), Buffer.alloc(4), randomBytes(4000)]);
  const fakePath = write('fake-ftyp.jpg', withXmp(still, containerXmp(fake.length)), fake);
  await assert.rejects(extract(fakePath), /is unreadable|no playable video stream/);
  assert.ok(Date.now() - t0 < 20_000);
});

test('looksLikeMotionPhoto reads the ExifTool motion tags; vss metadata without them cannot tell', () => {
  assert.equal(looksLikeMotionPhoto(null), undefined);
  assert.equal(looksLikeMotionPhoto({ v: 1, width: 4000, height: 3000 }), undefined);
  assert.equal(looksLikeMotionPhoto({ v: 1, motion_photo: true }), true);
  assert.equal(looksLikeMotionPhoto({ v: 1, motion_photo: false }), false);
  assert.equal(looksLikeMotionPhoto({ SourceFile: '/x.jpg', MotionPhoto: 1, MotionPhotoVersion: 1 }), true);
  assert.equal(looksLikeMotionPhoto({ SourceFile: '/x.jpg', MotionPhoto: 0 }), false);
  assert.equal(looksLikeMotionPhoto({ 'XMP-GCamera:MicroVideo': 1, 'XMP-GCamera:MicroVideoOffset': 12345 }), true);
  assert.equal(looksLikeMotionPhoto({ SourceFile: '/x.jpg', EmbeddedVideoType: 'MotionPhoto_Data' }), true);
  assert.equal(looksLikeMotionPhoto({ SourceFile: '/x.jpg', ContainerDirectory: [{ Item: { Semantic: 'Primary' } }, { Item: { Semantic: 'MotionPhoto', Length: 9 } }] }), true);
  assert.equal(looksLikeMotionPhoto({ SourceFile: '/x.jpg', ContainerDirectory: [{ Item: { Semantic: 'Primary' } }, { Item: { Semantic: 'GainMap' } }] }), false);
});

test('accepts stills that may hold a movie, for the embedded variant only', () => {
  const jpeg = { kind: 'image' as const, mime: 'image/jpeg' };
  assert.equal(motionPhotoGenerator.accepts(jpeg, 'embedded'), true);
  assert.equal(motionPhotoGenerator.accepts({ ...jpeg, metadata: { SourceFile: '/x.jpg', FileType: 'JPEG' } }, 'embedded'), false);
  assert.equal(motionPhotoGenerator.accepts(jpeg, 'original'), false);
  assert.equal(motionPhotoGenerator.accepts({ kind: 'image', mime: 'image/png' }, 'embedded'), false);
  assert.equal(motionPhotoGenerator.accepts({ kind: 'video', mime: 'video/mp4' }, 'embedded'), false);
});

test('the XMP is read as XML: a commented-out directory and entity-encoded values are what XML says they are', { skip: FIXTURES_SKIP }, async () => {
  const movie = readFileSync(MOVIE);
  // An editor left the old directory in a comment (with a length that points at no movie): only the live one counts.
  const stale = `<!-- <Container:Directory><rdf:Seq><rdf:li rdf:parseType="Resource"><Container:Item Item:Semantic="Primary" Item:Length="0"/></rdf:li><rdf:li rdf:parseType="Resource"><Container:Item Item:Semantic="MotionPhoto" Item:Length="${movie.length + 100}"/></rdf:li></rdf:Seq></Container:Directory> -->`;
  const commented = containerXmp(movie.length).replace('<Container:Directory>', `${stale}<Container:Directory>`);
  assert.ok(bytesOf(await extract(write('commented.jpg', withXmp(still, commented), movie))).equals(movie));
  // Character references are text like any other: "Motion&#80;hoto" is "MotionPhoto", "&#49;" is "1".
  const encoded = containerXmp(movie.length).replace('Item:Semantic="MotionPhoto"', 'Item:Semantic="Motion&#80;hoto"').replace('Camera:MotionPhoto="1"', 'Camera:MotionPhoto="&#49;"');
  assert.ok(bytesOf(await extract(write('encoded.jpg', withXmp(still, encoded), movie))).equals(movie));
  // The same names in another namespace are not Google's motion-photo properties.
  const foreign = `<rdf:Description rdf:about="" xmlns:Camera="http://example.com/not-google/" Camera:MotionPhoto="1" Camera:MicroVideoOffset="${movie.length}"/>`;
  assert.deepEqual(await extract(write('foreign.jpg', withXmp(still, foreign), movie)), { variant: 'embedded', skip: 'not a motion photo' });
});

test('hostile XMP: entity declarations, a huge attribute, malformed XML', { skip: FIXTURES_SKIP }, async () => {
  const movie = readFileSync(MOVIE);
  const refused = async (name: string, rdf: string, reason: RegExp) => {
    const path = write(name, withXmp(still, rdf), movie);
    await assert.rejects(extract(path), (err: unknown) => {
      assert.ok(err instanceof GeneratorError && err.permanent, String(err));
      assert.equal(err.path, path);
      assert.match(err.message, reason);
      return true;
    });
  };
  // Billion laughs: ten levels of ten, a gigabyte if expanded. Never expanded: a DOCTYPE is refused.
  const levels = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('');
  const laughs = `<!DOCTYPE x:xmpmeta [<!ENTITY lol0 "lol">${levels}]>`;
  const xmp = (rdf: string) => `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">${rdf}</rdf:RDF></x:xmpmeta>`;
  const t0 = Date.now();
  const bomb = write('laughs.jpg', withRawXmp(still, laughs + xmp(containerXmp(movie.length).replace('Camera:MotionPhotoVersion="1"', 'Camera:MotionPhotoVersion="&lol9;"'))), movie);
  await assert.rejects(extract(bomb), (err: unknown) => {
    assert.ok(err instanceof GeneratorError && err.permanent, String(err));
    assert.equal(err.message, `${bomb}: cannot tell whether it holds a movie: its XMP packet carries a DOCTYPE (entity declarations), which no camera writes; it is not read`);
    return true;
  });
  assert.ok(Date.now() - t0 < 10_000, 'refused at once, nothing expanded');

  // About the largest attribute a JPEG segment can hold (59 KB) beside a valid directory: read as usual.
  const huge = containerXmp(movie.length).replace('Camera:MotionPhotoVersion="1"', `Camera:MotionPhotoVersion="1" Camera:Note="${'<x:Directory '.replace('<', '&lt;').repeat(3_700)}"`);
  assert.ok(Buffer.byteLength(huge) > 59_000, String(Buffer.byteLength(huge)));
  assert.ok(bytesOf(await extract(write('huge.jpg', withXmp(still, huge), movie))).equals(movie));

  // Malformed: a directory never closed, a bare ampersand, an unbound prefix.
  await refused('unclosed.jpg', containerXmp(movie.length).replace('</Container:Directory>', ''), /: cannot tell whether it holds a movie: its XMP packet is not well-formed XML \(\d+:\d+: unexpected close tag\)$/);
  await refused('ampersand.jpg', containerXmp(movie.length).replace('Item:Mime="video/mp4"', 'Item:Mime="video & mp4"'), /: its XMP packet is not well-formed XML \(\d+:\d+: .+\)$/);
  await refused('unbound.jpg', containerXmp(movie.length).replace(' xmlns:Item="http://ns.google.com/photos/1.0/container/item/"', ''), /: its XMP packet is not well-formed XML \(\d+:\d+: unbound namespace prefix: "Item"\)$/);
  // A broken packet does not hide a Samsung trailer that is there.
  const samsung = write('broken-xmp-samsung.jpg', withXmp(still, '<rdf:Description'), samsungTrailer(movie));
  assert.ok(bytesOf(await extract(samsung)).equals(movie));
});

/** A JPEG with exactly PACKET (after the XMP namespace header) as its XMP segment. */
function withRawXmp(jpeg: Buffer, packet: string): Buffer {
  const xmp = Buffer.from(`http://ns.adobe.com/xap/1.0/\0${packet}`, 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt16BE(0xffe1, 0);
  head.writeUInt16BE(xmp.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), head, xmp, jpeg.subarray(2)]);
}
