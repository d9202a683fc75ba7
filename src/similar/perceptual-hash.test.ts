import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import sharp from 'sharp';
import {
  decodeFingerprint, encodeFingerprint, fingerprintFromGrid, fingerprintImage, matchFingerprints,
  ENCODED_BYTES, FORMAT_VERSION, SIDE, type Fingerprint,
} from './perceptual-hash.js';
import { groupSimilar } from './group-similar.js';

const FIXTURES = join(process.cwd(), '..', 'shared', 'fixtures');
const fx = (p: string) => join(FIXTURES, p);
const haveFixtures = existsSync(join(FIXTURES, 'exif', 'gps', 'DSCN0010.jpg'));
const noFixtures = haveFixtures ? false : `no fixtures at ${FIXTURES}`;

/** A smooth random picture of SIDE×SIDE (a few waves), deterministic per SEED. */
function picture(seed: number): Uint8Array {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const waves = Array.from({ length: 6 }, () => ({ fx: (rnd() - 0.5) * 2, fy: (rnd() - 0.5) * 2, ph: rnd() * 6.3, a: 10 + rnd() * 25 }));
  const g = new Uint8Array(SIDE * SIDE);
  for (let y = 0; y < SIDE; y++) for (let x = 0; x < SIDE; x++) {
    let v = 128;
    for (const w of waves) v += w.a * Math.cos(w.fx * x + w.fy * y + w.ph);
    g[y * SIDE + x] = Math.max(0, Math.min(255, Math.round(v)));
  }
  return g;
}

const arbFingerprint = fc.record({
  grid: fc.uint8Array({ minLength: SIDE * SIDE, maxLength: SIDE * SIDE }),
  aspect: fc.double({ min: 0.1, max: 10, noNaN: true }),
}).map(({ grid, aspect }) => fingerprintFromGrid(grid, aspect));

describe('perceptual hash: the stored form', () => {
  it('round trips, is ENCODED_BYTES long and starts with its version', () => {
    fc.assert(fc.property(arbFingerprint, (fp) => {
      const bytes = encodeFingerprint(fp);
      assert.equal(bytes.length, ENCODED_BYTES);
      assert.equal(bytes[0], FORMAT_VERSION);
      assert.deepEqual(decodeFingerprint(bytes), fp);
    }), { numRuns: 100 });
  });

  it('refuses another version or a wrong length', () => {
    const bytes = encodeFingerprint(fingerprintFromGrid(picture(1), 1.5));
    assert.throws(() => decodeFingerprint(Uint8Array.of(FORMAT_VERSION + 1, ...bytes.subarray(1))), /version/);
    assert.throws(() => decodeFingerprint(bytes.subarray(0, 100)), /bytes/);
  });
});

describe('perceptual hash: matching', () => {
  it('a fingerprint matches itself at distance 0, and matching is symmetric', () => {
    fc.assert(fc.property(arbFingerprint, arbFingerprint, (a, b) => {
      assert.deepEqual(matchFingerprints(a, a), { similar: true, distance: 0, hamming: 0 });
      assert.deepEqual(matchFingerprints(a, b), matchFingerprints(b, a));
    }), { numRuns: 60 });
  });

  it('distinct pictures do not match, the same picture with noise does', () => {
    const a = fingerprintFromGrid(picture(1), 1.5);
    const b = fingerprintFromGrid(picture(2), 1.5);
    assert.equal(matchFingerprints(a, b).similar, false);
    const noisy = picture(1).map((v, i) => Math.max(0, Math.min(255, v + ((i * 7919) % 5) - 2)));
    assert.equal(matchFingerprints(a, fingerprintFromGrid(noisy, 1.5)).similar, true);
  });

  it('two uniform pictures match when their brightness is close, never a uniform one and a picture', () => {
    const flat = (v: number) => fingerprintFromGrid(new Uint8Array(SIDE * SIDE).fill(v), 1.5);
    assert.equal(matchFingerprints(flat(10), flat(12)).similar, true);
    assert.equal(matchFingerprints(flat(10), flat(60)).similar, false);
    assert.equal(matchFingerprints(flat(128), fingerprintFromGrid(picture(3), 1.5)).similar, false);
  });
});

describe('perceptual hash: grouping', () => {
  it('groups copies, leaves distinct pictures out, is not fooled by a chain', () => {
    const items: Array<{ id: string; fp: Fingerprint }> = [];
    for (let k = 0; k < 50; k++) items.push({ id: `p${k}`, fp: fingerprintFromGrid(picture(100 + k), 1.5) });
    const copy = picture(100 + 7).map((v, i) => Math.max(0, Math.min(255, v + (i % 3) - 1)));
    items.push({ id: 'copy-of-p7', fp: fingerprintFromGrid(copy, 1.5) });
    const groups = groupSimilar(items);
    assert.deepEqual(groups, [['p7', 'copy-of-p7']]);
  });
});

describe('perceptual hash: real photos', { skip: noFixtures }, () => {
  let dir = '';
  before(() => { dir = mkdtempSync(join(tmpdir(), 'vss-phash-test-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a photo matches its re-encode, resize, light crop, PNG and brightened copies', async () => {
    const src = fx('exif/gps/DSCN0010.jpg');
    const a = await fingerprintImage(src);
    const variants: Array<[string, sharp.Sharp]> = [
      ['jpeg q40', sharp(src).jpeg({ quality: 40 })],
      ['webp q60, half size', sharp(src).resize(320).webp({ quality: 60 })],
      ['crop 4 % per edge', sharp(src).extract({ left: 26, top: 19, width: 588, height: 442 }).jpeg()],
      ['png', sharp(src).png()],
      ['brightness ×1.1', sharp(src).modulate({ brightness: 1.1 }).jpeg()],
    ];
    for (const [name, img] of variants) {
      const m = matchFingerprints(a, await fingerprintImage(await img.toBuffer()));
      assert.ok(m.similar, `${name}: ${JSON.stringify(m)}`);
    }
  });

  it('the EXIF orientation is applied: a photo stored on its side matches the upright one', async () => {
    const upright = await sharp(fx('exif/orientation/portrait_6.jpg')).rotate().jpeg({ quality: 90 }).toBuffer();
    const m = matchFingerprints(await fingerprintImage(fx('exif/orientation/portrait_6.jpg')), await fingerprintImage(upright));
    assert.ok(m.similar, JSON.stringify(m));
  });

  it('distinct photos, and two crops of one photo 30 % apart, do not match', async () => {
    const photos = ['exif/gps/DSCN0010.jpg', 'exif/orientation/portrait_6.jpg', 'livephoto/apple-iphone6s/train.jpg', 'ocr/tesseract-test/eurotext.tif', 'ocr/tesseract-test/phototest.tif'];
    const fps = await Promise.all(photos.map((p) => fingerprintImage(fx(p))));
    for (let i = 0; i < fps.length; i++) for (let j = i + 1; j < fps.length; j++) {
      assert.equal(matchFingerprints(fps[i]!, fps[j]!).similar, false, `${photos[i]} ~ ${photos[j]}`);
    }
    const src = fx('exif/gps/DSCN0010.jpg');
    const left = await fingerprintImage(await sharp(src).extract({ left: 0, top: 0, width: 448, height: 336 }).toBuffer());
    const right = await fingerprintImage(await sharp(src).extract({ left: 192, top: 0, width: 448, height: 336 }).toBuffer());
    assert.equal(matchFingerprints(left, right).similar, false);
  });

  it('TIFF and PNG of the same pixels match at distance 0 (phototest.tif, testocr.png)', async () => {
    const m = matchFingerprints(await fingerprintImage(fx('ocr/tesseract-test/phototest.tif')), await fingerprintImage(fx('ocr/tesseract.js/testocr.png')));
    assert.deepEqual([m.similar, m.distance], [true, 0]);
  });
});
