import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { FIXTURES, FIXTURES_SKIP, tempDir } from '../../../test/helpers.js';
import { ALL_VARIANTS, assertThumb, bytesOf, makeThumbs, watchDecodes } from '../../../test/thumb-support.js';

const tmp = tempDir('vss-thumb-img-');
after(() => tmp.cleanup());

/** Photo fixtures with their upright size (ExifTool's ImageWidth/Height with Orientation applied). */
const JPEGS: Array<[string, number, number]> = [
  ['exif/Canon_40D.jpg', 100, 68],
  ['exif/gps/DSCN0010.jpg', 640, 480],
  ['exif/orientation/landscape_1.jpg', 600, 450],
  ['exif/orientation/landscape_6.jpg', 600, 450], // stored 450×600, Orientation 6
  ['exif/orientation/portrait_6.jpg', 450, 600], // stored 600×450, Orientation 6
  ['ocr/tesseract.js/simple-90.jpg', 320, 180], // stored 180×320, Orientation 6
  ['livephoto/apple-iphone6s/train.jpg', 4032, 3024],
  ['livephoto/ente-pixel_8-NOT-motion.jpg', 3072, 4080],
  ['livephoto/google-pixel/PXL_20200710_061629144.MP.jpg', 4032, 3024],
];

for (const [file, w, h] of JPEGS) {
  test(`${file}: every variant, upright, right size, never enlarged, from one decode`, { skip: FIXTURES_SKIP }, async () => {
    const path = join(FIXTURES, file);
    const { value: out, seen } = await watchDecodes(path, () => makeThumbs(path, 'image', 'image/jpeg', ALL_VARIANTS));
    assert.equal(seen.sharpReads, 1, 'the source was not decoded exactly once');
    for (const v of ALL_VARIANTS) await assertThumb(bytesOf(out, v), v, w, h, file);
  });
}

/** Grey thumbnail pixels at a fixed small size, for comparing pictures. */
async function grey(data: Buffer): Promise<Buffer> {
  return sharp(data).resize(60, 45, { fit: 'fill' }).greyscale().raw().toBuffer();
}
function meanAbsDiff(a: Buffer, b: Buffer): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

test('landscape_6 (EXIF-rotated) comes out as the same upright picture as landscape_1', { skip: FIXTURES_SKIP }, async () => {
  const dir = join(FIXTURES, 'exif/orientation');
  const one = bytesOf(await makeThumbs(join(dir, 'landscape_1.jpg'), 'image', 'image/jpeg', ['grid@1x']), 'grid@1x');
  const six = bytesOf(await makeThumbs(join(dir, 'landscape_6.jpg'), 'image', 'image/jpeg', ['grid@1x']), 'grid@1x');
  const d = meanAbsDiff(await grey(one.data), await grey(six.data));
  // The same picture differs by ~2 grey levels (JPEG noise); rotated wrongly by 60 or more.
  assert.ok(d < 10, `landscape_6 differs from landscape_1 by ${d.toFixed(1)} grey levels on average`);
});

test('EXIF orientation 6: red top / blue bottom picture stored rotated comes out red on top', async () => {
  // The upright picture: 300×200, top half red, bottom half blue.
  const upright = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#0000ff' } })
    .composite([{ input: { create: { width: 300, height: 100, channels: 3, background: '#ff0000' } }, top: 0, left: 0 }])
    .png().toBuffer();
  // Stored turned 90° anticlockwise with Orientation 6 ("rotate 90° clockwise to view").
  const stored = await sharp(upright).rotate(-90).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer();
  const path = join(tmp.path, 'rotated.jpg');
  writeFileSync(path, stored);
  const made = bytesOf(await makeThumbs(path, 'image', 'image/jpeg', ['grid@1x']), 'grid@1x');
  await assertThumb(made, 'grid@1x', 300, 200);
  const { data, info } = await sharp(made.data).raw().toBuffer({ resolveWithObject: true });
  const px = (x: number, y: number) => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)];
  const [tr, , tb] = px(Math.floor(info.width / 2), 10) as [number, number, number];
  const [br, , bb] = px(Math.floor(info.width / 2), info.height - 10) as [number, number, number];
  assert.ok(tr > 200 && tb < 60, `top should be red, is rgb(${tr},·,${tb})`);
  assert.ok(bb > 200 && br < 60, `bottom should be blue, is rgb(${br},·,${bb})`);
});

test('PNG, WebP, TIFF, GIF (first frame), AVIF, 16-bit PNG and PNG with alpha all decode', async () => {
  const base = sharp({ create: { width: 900, height: 600, channels: 3, background: '#3080c0' } });
  const files: Array<[string, Buffer]> = [
    ['a.png', await base.clone().png().toBuffer()],
    ['a.webp', await base.clone().webp().toBuffer()],
    ['a.tiff', await base.clone().tiff().toBuffer()],
    ['a.avif', await base.clone().avif({ effort: 0 }).toBuffer()],
    ['a16.png', await base.clone().toColourspace('rgb16').png().toBuffer()],
    ['alpha.png', await sharp({ create: { width: 900, height: 600, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0.5 } } }).png().toBuffer()],
  ];
  // Two frames, red then green: the thumbnail is the first.
  const frames = Buffer.concat([
    await sharp({ create: { width: 900, height: 600, channels: 3, background: '#ff0000' } }).raw().toBuffer(),
    await sharp({ create: { width: 900, height: 600, channels: 3, background: '#00ff00' } }).raw().toBuffer(),
  ]);
  files.push(['anim.gif', await sharp(frames, { raw: { width: 900, height: 1200, channels: 3, pageHeight: 600 } }).gif({ loop: 0 }).toBuffer()]);
  for (const [name, bytes] of files) {
    const path = join(tmp.path, name);
    writeFileSync(path, bytes);
    const out = await makeThumbs(path, 'image', 'image/png', ['grid@2x', 'detail@1x']);
    await assertThumb(bytesOf(out, 'grid@2x'), 'grid@2x', 900, 600, name);
    await assertThumb(bytesOf(out, 'detail@1x'), 'detail@1x', 900, 600, name);
    const { data } = await sharp(bytesOf(out, 'grid@2x').data).raw().toBuffer({ resolveWithObject: true });
    if (name !== 'anim.gif' && name !== 'alpha.png') {
      // The colour survives (a 16-bit PNG is scaled to 8 bits, not clipped to white).
      const [r, g, b] = [data[0]!, data[1]!, data[2]!];
      assert.ok(Math.abs(r - 0x30) < 12 && Math.abs(g - 0x80) < 12 && Math.abs(b - 0xc0) < 12, `${name}: colour rgb(${r},${g},${b}), want about rgb(48,128,192)`);
    }
    if (name === 'anim.gif') assert.ok(data[0]! > 200 && data[1]! < 60, `the GIF thumbnail is not its first (red) frame: ${data[0]},${data[1]}`);
    if (name === 'alpha.png') assert.equal((await sharp(bytesOf(out, 'grid@2x').data).metadata()).hasAlpha, true, 'transparency was lost');
  }
});

test('a PNG named .jpg and labelled image/jpeg is decoded by its content', async () => {
  const path = join(tmp.path, 'really-a-png.jpg');
  writeFileSync(path, await sharp({ create: { width: 400, height: 300, channels: 3, background: '#808080' } }).png().toBuffer());
  const out = await makeThumbs(path, 'image', 'image/jpeg', ['grid@1x']);
  await assertThumb(bytesOf(out, 'grid@1x'), 'grid@1x', 400, 300);
});

test('one decode for six variants: sharp reads the file once, in a time well under six decodes', { skip: FIXTURES_SKIP }, async () => {
  const file = join(FIXTURES, 'livephoto/apple-iphone6s/train.jpg');
  const t0 = performance.now();
  await makeThumbs(file, 'image', 'image/jpeg', ['detail@2x']);
  const one = performance.now() - t0;
  const t1 = performance.now();
  const { value: out, seen } = await watchDecodes(file, () => makeThumbs(file, 'image', 'image/jpeg', ALL_VARIANTS));
  const six = performance.now() - t1;
  assert.equal(seen.sharpReads, 1);
  assert.equal(out.size, 6);
  // The five smaller variants come from a 2048 px bitmap in memory: far less than five more
  // decodes of a 12 MP JPEG. Generous bound for a busy machine.
  assert.ok(six < one * 2.5, `six variants took ${six.toFixed(0)} ms, one took ${one.toFixed(0)} ms`);
});

test('a variant not in the table is skipped, the others made', { skip: FIXTURES_SKIP }, async () => {
  const out = await makeThumbs(join(FIXTURES, 'exif/Canon_40D.jpg'), 'image', 'image/jpeg', ['grid@1x', 'huge@9x']);
  assert.ok('skip' in out.get('huge@9x')!);
  await assertThumb(bytesOf(out, 'grid@1x'), 'grid@1x', 100, 68);
});
