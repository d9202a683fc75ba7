import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newXmpSidecarName, xmpSidecarsByOriginal, xmpSidecarsOf } from './xmp-sidecar-names.js';

test('both forms, any case of .xmp, full-name form first', () => {
  const folder = ['IMG_1.JPG', 'IMG_1.JPG.xmp', 'IMG_1.XMP', 'IMG_2.jpg', 'IMG_2.jpg.XMP', 'notes.txt'];
  assert.deepEqual(xmpSidecarsOf('IMG_1.JPG', folder), ['IMG_1.JPG.xmp', 'IMG_1.XMP']);
  assert.deepEqual(xmpSidecarsOf('IMG_2.jpg', folder), ['IMG_2.jpg.XMP']);
  assert.deepEqual(xmpSidecarsOf('notes.txt', folder), []);
  // The name part is matched exactly: IMG_1.jpg.xmp is not IMG_1.JPG's.
  assert.deepEqual(xmpSidecarsOf('IMG_1.JPG', ['IMG_1.jpg.xmp']), []);
});

test('RAW+JPEG: NAME.xmp is the raw\'s (Lightroom writes it for raws only); NAME.JPG.xmp the JPEG\'s', () => {
  const folder = ['IMG_1.CR2', 'IMG_1.JPG', 'IMG_1.xmp', 'IMG_1.JPG.xmp', 'IMG_1.CR2.xmp'];
  assert.deepEqual(xmpSidecarsOf('IMG_1.CR2', folder), ['IMG_1.CR2.xmp', 'IMG_1.xmp']);
  assert.deepEqual(xmpSidecarsOf('IMG_1.JPG', folder), ['IMG_1.JPG.xmp']);
});

test('a shared stem without a raw: a still before a video (a Live Photo), a video before anything else', () => {
  assert.deepEqual(xmpSidecarsOf('IMG_1.HEIC', ['IMG_1.HEIC', 'IMG_1.MOV', 'IMG_1.xmp']), ['IMG_1.xmp']);
  assert.deepEqual(xmpSidecarsOf('IMG_1.MOV', ['IMG_1.HEIC', 'IMG_1.MOV', 'IMG_1.xmp']), []);
  assert.deepEqual(xmpSidecarsOf('MVI_1.MOV', ['MVI_1.MOV', 'MVI_1.THM', 'MVI_1.xmp']), ['MVI_1.xmp']);
});

test('a tie at the top rank: nobody\'s', () => {
  const folder = ['IMG_1.CR2', 'IMG_1.NEF', 'IMG_1.xmp', 'P.jpg', 'P.png', 'P.xmp'];
  assert.deepEqual(xmpSidecarsOf('IMG_1.CR2', folder), []);
  assert.deepEqual(xmpSidecarsOf('IMG_1.NEF', folder), []);
  assert.deepEqual(xmpSidecarsOf('P.jpg', folder), []);
  // DNG keeps its metadata inside (Lightroom embeds), so it ranks as a still, below a raw.
  assert.deepEqual(xmpSidecarsOf('IMG_1.CR2', ['IMG_1.CR2', 'IMG_1.DNG', 'IMG_1.xmp']), ['IMG_1.xmp']);
});

test('a lone original of any kind owns its NAME.xmp; FILENAME need not be among SIBLINGS', () => {
  assert.deepEqual(xmpSidecarsOf('scan.pdf', ['scan.xmp']), ['scan.xmp']);
  assert.deepEqual(xmpSidecarsOf('IMG_1.CR2', ['IMG_1.xmp', 'IMG_1.CR2.xmp']), ['IMG_1.CR2.xmp', 'IMG_1.xmp']);
});

test('a full-name sidecar of one file is never the stem sidecar of another; duplicates and sidecars are not originals', () => {
  const folder = ['a.tar', 'a.tar.gz', 'a.tar.xmp'];
  assert.deepEqual(xmpSidecarsOf('a.tar', folder), ['a.tar.xmp']);
  assert.deepEqual(xmpSidecarsOf('a.tar.gz', folder), []);
  // darktable's duplicate (another version, its own rating) is not the original's sidecar.
  assert.deepEqual(xmpSidecarsOf('IMG_1.CR2', ['IMG_1.CR2', 'IMG_1.CR2.xmp', 'IMG_1_01.CR2.xmp']), ['IMG_1.CR2.xmp']);
  assert.deepEqual(xmpSidecarsOf('IMG_1.xmp', ['IMG_1.xmp', 'IMG_1.xmp.xmp']), []);
  assert.deepEqual(xmpSidecarsOf('README', ['README', 'README.xmp']), ['README.xmp']);
  assert.deepEqual(xmpSidecarsOf('.xmp', ['.xmp', '.xmp.xmp']), []);
});

test('the whole folder in one pass', () => {
  const folder = ['IMG_1.CR2', 'IMG_1.JPG', 'IMG_1.xmp', 'IMG_1.JPG.xmp', 'IMG_2.HEIC', 'IMG_2.MOV', 'IMG_2.HEIC.xmp', 'orphan.xmp'];
  assert.deepEqual([...xmpSidecarsByOriginal(folder)].sort(), [
    ['IMG_1.CR2', ['IMG_1.xmp']],
    ['IMG_1.JPG', ['IMG_1.JPG.xmp']],
    ['IMG_2.HEIC', ['IMG_2.HEIC.xmp']],
  ]);
});

test('export creates NAME.EXT.xmp', () => {
  assert.equal(newXmpSidecarName('IMG_1.JPG'), 'IMG_1.JPG.xmp');
});
