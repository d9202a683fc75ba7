import assert from 'node:assert/strict';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ExifTool } from 'exiftool-vendored';
import sharp from 'sharp';
import { FIXTURES, FIXTURES_SKIP, tempDir } from '../../../test/helpers.js';
import { ALL_VARIANTS, assertThumb, bytesOf, makeThumbs } from '../../../test/thumb-support.js';
import { crwHolding, tiffRawHolding } from '../../../test/support/raw-files.js';
import { detectType, mediaByMagic } from '../../content/detect-type.js';
import { isRawMime } from '../../content/raw-formats.js';
import { PREVIEW_TAGS } from '../../media/exiftool-reader.js';
import { closeSharedExifTool, withExifTool } from '../../media/shared-exiftool.js';
import { NO_RAW_PREVIEW } from './raw-preview.js';

const tmp = tempDir('vss-thumb-raw-');
after(async () => {
  await closeSharedExifTool();
  tmp.cleanup();
});

/**
 * The largest preview each RAW fixture embeds (the README of fixtures/raw, read with ExifTool
 * and djpeg there); null: none. A file added to the folder later is held to what ExifTool
 * extracts from it (`largestPreviewSize`).
 */
const TRUTH: Record<string, [number, number] | null> = {
  'nikon-d7100.NEF': [6000, 4000], // JpgFromRaw, not the 570 px PreviewImage
  'canon-eos-r6.cr3': [1620, 1080],
  'canon-eos-6d.dng': [1024, 683],
  'gopro-hero6-black.gpr': null,
};
const RAW_DIR = join(FIXTURES, 'raw');
const rawFixtures = FIXTURES_SKIP ? [] : readdirSync(RAW_DIR).filter((f) => !f.toLowerCase().endsWith('.md')).sort();

/** The pixels of the largest preview ExifTool itself extracts from PATH (any of the four tags), or null. */
async function largestPreviewSize(path: string): Promise<[number, number] | null> {
  const et = new ExifTool({ maxProcs: 1 });
  try {
    let best: [number, number] | null = null;
    for (const tag of PREVIEW_TAGS) {
      const jpeg = await et.extractBinaryTagToBuffer(tag as 'PreviewImage', path).catch(() => undefined);
      const m = jpeg ? await sharp(jpeg).metadata().catch(() => undefined) : undefined;
      if (m?.width && m.height && (!best || m.width * m.height > best[0] * best[1])) best = [m.width, m.height];
    }
    return best;
  } finally {
    await et.end();
  }
}

test('every RAW in the fixtures folder is a RAW, and its thumbnails are its largest preview (or it says it has none)', { skip: FIXTURES_SKIP }, async (t) => {
  assert.ok(rawFixtures.length >= 4, `${RAW_DIR} holds ${rawFixtures.length} RAW files`);
  for (const file of rawFixtures) {
    await t.test(file, async () => {
      const path = join(RAW_DIR, file);
      const type = await detectType(file, readFileSync(path).subarray(0, 4100));
      assert.equal(type.kind, 'image', `${file}: ${type.mime}`);
      assert.ok(isRawMime(type.mime), `${file} is not known as a RAW (${type.mime})`);
      const size = Object.hasOwn(TRUTH, file) ? TRUTH[file]! : await largestPreviewSize(path);
      const out = await makeThumbs(path, 'image', type.mime, ALL_VARIANTS);
      if (!size) {
        for (const v of ALL_VARIANTS) assert.deepEqual(out.get(v), { variant: v, skip: NO_RAW_PREVIEW }, `${file} ${v}`);
        return;
      }
      for (const v of ALL_VARIANTS) await assertThumb(bytesOf(out, v), v, size[0], size[1], file);
    });
  }
});

test("a RAW's preview is turned upright by the RAW's own orientation", { skip: FIXTURES_SKIP }, async () => {
  // The same DNG told it was shot rotated (Orientation 6): the picture is the preview turned 90°.
  // (The DNG is the one whole file: ExifTool will not rewrite a truncated one.)
  const src = join(FIXTURES, 'raw/canon-eos-6d.dng');
  const turned = join(tmp.path, 'turned.dng');
  copyFileSync(src, turned);
  const et = new ExifTool({ maxProcs: 1 });
  try {
    await et.write(turned, { Orientation: 6 } as never, { writeArgs: ['-overwrite_original', '-n'] });
  } finally {
    await et.end();
  }
  const upright = bytesOf(await makeThumbs(src, 'image', 'image/x-adobe-dng', ['grid@1x']), 'grid@1x');
  const rotated = bytesOf(await makeThumbs(turned, 'image', 'image/x-adobe-dng', ['grid@1x']), 'grid@1x');
  const a = await sharp(upright.data).rotate(90).raw().toBuffer({ resolveWithObject: true });
  const b = await sharp(rotated.data).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([b.info.width, b.info.height], [a.info.width, a.info.height], 'the turned RAW is not portrait');
  // Both are lossy WebPs of the same picture: close, pixel for pixel.
  let diff = 0;
  for (let i = 0; i < a.data.length; i++) diff += Math.abs(a.data[i]! - b.data[i]!);
  assert.ok(diff / a.data.length < 6, `the turned thumbnail is not the preview turned (mean difference ${(diff / a.data.length).toFixed(1)})`);
});

test('RAW formats are known by magic, and by extension in any case where the magic says only TIFF', async () => {
  const tiffHead = Buffer.from([0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00, ...Buffer.alloc(64)]);
  assert.equal((await detectType('IMGP0001.PEF', tiffHead)).mime, 'image/x-pentax-pef');
  assert.equal((await detectType('SAM_0001.srw', tiffHead)).mime, 'image/x-samsung-srw');
  assert.equal((await detectType('scan.tif', tiffHead)).mime, 'image/tiff');
  assert.equal((await detectType('B0000001.3FR', tiffHead)).mime, 'image/x-hasselblad-3fr');
  assert.equal((await detectType('P1000001.RAW', tiffHead)).mime, 'image/x-panasonic-rw');
  // Minolta's MRW and Sigma's X3F have headers of their own (file-type knows neither): any name.
  const mrw = Buffer.concat([Buffer.from('\0MRM\0\0\x01\x00\0PRD', 'latin1'), Buffer.alloc(64)]);
  const x3f = Buffer.concat([Buffer.from('FOVb\x04\x00\x02\x00', 'latin1'), Buffer.alloc(64)]);
  for (const name of ['PICT0001.MRW', 'untitled']) assert.deepEqual(await detectType(name, mrw), { mime: 'image/x-minolta-mrw', kind: 'image' }, name);
  for (const name of ['SDIM0001.X3F', 'untitled']) assert.deepEqual(await detectType(name, x3f), { mime: 'image/x-sigma-x3f', kind: 'image' }, name);
  // An upload is judged by its bytes alone: these are photos whatever they are called.
  for (const head of [mrw, x3f, crwHolding(Buffer.alloc(64), 3072, 2048)]) assert.equal((await mediaByMagic(head))?.kind, 'image', head.toString('latin1', 0, 14));
  assert.notEqual((await detectType('noise.raw', Buffer.alloc(4100, 7))).kind, 'image', 'a .raw that is not TIFF is no photo (raw audio, a disk image)');
  if (FIXTURES_SKIP) return;
  const nef = readFileSync(join(FIXTURES, 'raw/nikon-d7100.NEF')).subarray(0, 4100);
  assert.equal((await detectType('DSC_0001.NEF', nef)).mime, 'image/x-nikon-nef');
});

test("the scan records a RAW's previews (largest first, none for a file without) and the thumbnail follows them", { skip: FIXTURES_SKIP }, async () => {
  const read = (f: string) => withExifTool((r) => r.read(join(FIXTURES, f), 'image'));
  const nef = await read('raw/nikon-d7100.NEF');
  assert.ok(nef.ok);
  assert.deepEqual(nef.metadata.previews, [{ tag: 'JpgFromRaw', bytes: 2287892 }, { tag: 'OtherImage', bytes: 1004813 }, { tag: 'PreviewImage', bytes: 98230 }]);
  const gpr = await read('raw/gopro-hero6-black.gpr');
  assert.ok(gpr.ok);
  assert.deepEqual(gpr.metadata.previews, [], 'a RAW without previews says so');
  assert.equal(gpr.metadata.orientation, 2);
  const jpeg = await read('exif/Canon_40D.jpg');
  assert.ok(jpeg.ok);
  assert.equal(jpeg.metadata.previews, undefined, 'only RAW files carry the list');
  // Told (by the scan) that the NEF's largest is the 570 px PreviewImage, the generator uses that one.
  const path = join(FIXTURES, 'raw/nikon-d7100.NEF');
  const out = await makeThumbs(path, 'image', 'image/x-nikon-nef', ['detail@2x'], { metadata: { v: 1, orientation: 1, previews: [{ tag: 'PreviewImage', bytes: 98230 }] } });
  await assertThumb(bytesOf(out, 'detail@2x'), 'detail@2x', 570, 375, 'told');
});

test("a Canon CRW (CIFF) is known by its own header and thumbnailed from the JPEG it carries", async () => {
  const preview = await sharp({ create: { width: 1536, height: 1024, channels: 3, background: '#3a6', noise: { type: 'gaussian', mean: 120, sigma: 30 } } }).jpeg().toBuffer();
  const crw = crwHolding(preview, 3072, 2048);
  const path = join(tmp.path, 'CRW_0001.CRW');
  writeFileSync(path, crw);
  for (const name of ['CRW_0001.CRW', 'crw_0001.crw', 'untitled']) {
    assert.deepEqual(await detectType(name, crw.subarray(0, 4100)), { mime: 'image/x-canon-crw', kind: 'image' }, name);
  }
  const read = await withExifTool((r) => r.read(path, 'image'));
  assert.ok(read.ok);
  assert.deepEqual(read.metadata.previews, [{ tag: 'JpgFromRaw', bytes: preview.length }], 'the scan records its preview');
  // The thumbnail follows what the scan recorded, as the generator is handed it.
  const out = await makeThumbs(path, 'image', 'image/x-canon-crw', ALL_VARIANTS, { metadata: { ...read.metadata } });
  for (const v of ALL_VARIANTS) await assertThumb(bytesOf(out, v), v, 1536, 1024, 'crw');
});

test('a TIFF-based RAW of a maker file-type does not name (Hasselblad, Phase One, Leaf, Kodak…) is thumbnailed from its preview, not its TIFF picture', async () => {
  // Its IFD0 is a 160×120 picture (what a TIFF reader shows); the camera's 1536×1024 JPEG is in its SubIFD.
  const preview = await sharp({ create: { width: 1536, height: 1024, channels: 3, background: '#36a' } }).jpeg().toBuffer();
  for (const [name, make, mime] of [
    ['B0000001.3FR', 'Hasselblad', 'image/x-hasselblad-3fr'],
    ['CF000001.IIQ', 'Phase One', 'image/x-phaseone-iiq'],
    ['DCP_0001.kdc', 'Kodak', 'image/x-kodak-kdc'],
  ] as const) {
    const path = join(tmp.path, name);
    writeFileSync(path, tiffRawHolding(preview, make));
    const type = await detectType(name, readFileSync(path).subarray(0, 4100));
    assert.deepEqual(type, { mime, kind: 'image' }, name);
    const read = await withExifTool((r) => r.read(path, 'image'));
    assert.ok(read.ok, name);
    assert.deepEqual(read.metadata.previews, [{ tag: 'JpgFromRaw', bytes: preview.length }], `${name}: the scan records its preview`);
    const out = await makeThumbs(path, 'image', type.mime, ['grid@2x', 'detail@1x'], { metadata: { ...read.metadata } });
    for (const v of ['grid@2x', 'detail@1x']) await assertThumb(bytesOf(out, v), v, 1536, 1024, name);
  }
});
