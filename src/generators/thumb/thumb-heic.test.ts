import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { FIXTURES, FIXTURES_SKIP } from '../../../test/helpers.js';
import { decodeHeicInThread } from '../tools/heic-thread.js';
import { ALL_VARIANTS, assertThumb, bytesOf, makeThumbs, watchDecodes } from '../../../test/thumb-support.js';

/**
 * HEIC fixtures with their upright size. IMG_1309 is stored 4032×3024 (ExifTool ImageWidth ×
 * ImageHeight) with a HEIF rotation (irot) of 270° anticlockwise and EXIF Orientation 6: it is
 * a portrait photo, 3024×4032, and libheif must turn it.
 */
const HEICS: Array<[string, number, number]> = [
  ['exif/heic/IMG_5195.HEIC', 2566, 3313],
  ['exif/heic/immich-IMG_2682.heic', 4032, 3024],
  ['livephoto/orphan-still/IMG_1309.HEIC', 3024, 4032],
];

for (const [file, w, h] of HEICS) {
  test(`${file}: every variant, upright, from one decode`, { skip: FIXTURES_SKIP }, async () => {
    const path = join(FIXTURES, file);
    const { value: out, seen } = await watchDecodes(path, () => makeThumbs(path, 'image', 'image/heic', ALL_VARIANTS));
    // One libheif decode (one thread); sharp only reads the header of the file, never its pixels.
    assert.deepEqual(seen, { threads: 1, decoders: 0, sharpReads: 0, frameGrabs: 0 });
    for (const v of ALL_VARIANTS) await assertThumb(bytesOf(out, v), v, w, h, file);
  });
}

test('the HEIC thread refuses an image over the pixel limit before decoding it', { skip: FIXTURES_SKIP }, async () => {
  await assert.rejects(
    decodeHeicInThread({ path: join(FIXTURES, 'exif/heic/immich-IMG_2682.heic'), maxPixels: 1_000_000, maxBytes: 64 * 1024 * 1024 }),
    (err: Error) => /image is 4032×3024 \(12 MP\), more than the 1\.0 MP limit/.test(err.message),
  );
});
