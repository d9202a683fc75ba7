import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FIXTURES, FIXTURES_SKIP } from '../../../test/helpers.js';
import { bytesOf, makeThumbs } from '../../../test/thumb-support.js';
import { closeSharedExifTool } from '../../media/shared-exiftool.js';
import { decodeFingerprint, matchFingerprints } from '../../similar/perceptual-hash.js';
import { phashGenerator } from './phash-generator.js';

after(() => closeSharedExifTool());

async function fingerprint(path: string, kind: 'image' | 'video', mime: string, more: Parameters<typeof makeThumbs>[4] = {}) {
  const out = await makeThumbs(path, kind, mime, ['default'], { generator: phashGenerator, ...more });
  return out.get('default')!;
}

test('a photo: the fingerprint made from its thumbnail matches the one made from the photo itself', { skip: FIXTURES_SKIP }, async () => {
  const path = join(FIXTURES, 'livephoto/apple-iphone6s/train.jpg');
  const detail = bytesOf(await makeThumbs(path, 'image', 'image/jpeg', ['detail@1x']), 'detail@1x');
  const fromThumb = await fingerprint(path, 'image', 'image/jpeg', { sidecars: { 'thumb/detail@1x': detail.data } });
  const fromSource = await fingerprint(path, 'image', 'image/jpeg');
  assert.ok('data' in fromThumb && 'data' in fromSource);
  assert.equal(fromThumb.format, 'bin');
  const a = decodeFingerprint(fromThumb.data);
  const b = decodeFingerprint(fromSource.data);
  assert.ok(matchFingerprints(a, b).similar, 'the two ways agree');
  // And a different photo does not match it (the check can fail).
  const other = await fingerprint(join(FIXTURES, 'exif/gps/DSCN0010.jpg'), 'image', 'image/jpeg');
  assert.ok('data' in other);
  assert.equal(matchFingerprints(a, decodeFingerprint(other.data)).similar, false);
});

test("a RAW file: made from its embedded preview; one with none has nothing to fingerprint (said, not failed)", { skip: FIXTURES_SKIP }, async () => {
  const nef = await fingerprint(join(FIXTURES, 'raw/nikon-d7100.NEF'), 'image', 'image/x-nikon-nef');
  assert.ok('data' in nef, JSON.stringify(nef));
  const gpr = await fingerprint(join(FIXTURES, 'raw/gopro-hero6-black.gpr'), 'image', 'image/x-adobe-dng');
  assert.ok('skip' in gpr && /no preview in this file/.test(gpr.skip), JSON.stringify(gpr));
  // What the thumbnail's maker said of it is enough: the source is not read again.
  const told = await fingerprint(join(FIXTURES, 'raw/gopro-hero6-black.gpr'), 'image', 'image/x-adobe-dng', { notApplicable: { 'thumb/detail@1x': 'no preview here' } });
  assert.deepEqual(told, { variant: 'default', skip: 'no preview here' });
});

test("a video: made from its poster frame", { skip: FIXTURES_SKIP }, async () => {
  const dir = join(FIXTURES, 'video');
  const clip = readdirSync(dir).find((f) => /\.(mp4|mov)$/i.test(f));
  assert.ok(clip, 'a video fixture');
  const out = await fingerprint(join(dir, clip), 'video', 'video/mp4');
  assert.ok('data' in out, JSON.stringify(out));
});
