import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import sharp from 'sharp';
import { orient } from './intermediate.js';

/** A small picture with no symmetry: every orientation of it differs from every other. */
async function asymmetric(width: number, height: number): Promise<Buffer> {
  const px = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      px[i] = Math.round((x / (width - 1)) * 255);
      px[i + 1] = Math.round((y / (height - 1)) * 255);
      px[i + 2] = x < width / 3 && y < height / 4 ? 255 : 0;
    }
  }
  return px;
}

test('orient turns a picture as sharp turns one tagged with that EXIF orientation (a RAW preview follows its RAW)', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 3, max: 12 }), fc.integer({ min: 3, max: 12 }), async (o, w, h) => {
      const raw = { width: w, height: h, channels: 3 as const };
      const px = await asymmetric(w, h);
      // Lossless PNG tagged with the orientation: sharp's own auto-orientation is the reference.
      const tagged = await sharp(px, { raw }).png().withMetadata({ orientation: o }).toBuffer();
      const want = await sharp(tagged).rotate().raw().toBuffer({ resolveWithObject: true });
      const got = await orient(sharp(px, { raw }), o).raw().toBuffer({ resolveWithObject: true });
      assert.deepEqual([got.info.width, got.info.height], [want.info.width, want.info.height], `orientation ${o}: size`);
      assert.ok(got.data.equals(want.data), `orientation ${o}: pixels differ from sharp's auto-orientation`);
    }),
    { numRuns: 60 },
  );
});
