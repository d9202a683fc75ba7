import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SIDECAR_KINDS } from '../../sidecars/kinds.js';
import { thumbGenerator } from './thumb-generator.js';
import { largestFirst, thumbVariant } from './thumb-variants.js';

test('every thumb variant of the kinds table has a size and a quality; nothing else does', () => {
  for (const [variant, size] of Object.entries(SIDECAR_KINDS.thumb.variants)) {
    const spec = thumbVariant(variant);
    assert.ok(spec, variant);
    assert.equal(spec.size, size);
    assert.ok(spec.quality >= 50 && spec.quality <= 95, `${variant}: quality ${spec.quality}`);
  }
  assert.equal(thumbVariant('poster@1x'), undefined);
  assert.equal(thumbVariant('toString'), undefined);
  assert.equal(thumbVariant('detail@2x')?.quality, 80);
  assert.equal(thumbVariant('icon@1x')?.quality, 75);
});

test('variants are made largest first, each once, unknown ones left out', () => {
  assert.deepEqual(largestFirst(['grid@1x', 'detail@1x', 'nope', 'grid@2x', 'grid@1x']).map((s) => s.variant), ['detail@1x', 'grid@2x', 'grid@1x']);
});

test('accepts images sharp or libheif decode, camera RAW files (by their embedded preview), videos and PDFs; nothing else', () => {
  const yes: Array<[string, string]> = [
    ['image', 'image/jpeg'], ['image', 'image/png'], ['image', 'image/webp'], ['image', 'image/tiff'], ['image', 'image/gif'],
    ['image', 'image/avif'], ['image', 'image/heic'], ['image', 'image/heif'], ['video', 'video/mp4'], ['video', 'video/quicktime'],
    ['document', 'application/pdf'], ['image', 'image/x-canon-cr2'], ['image', 'image/x-nikon-nef'], ['image', 'image/x-adobe-dng'],
  ];
  const no: Array<[string, string]> = [
    ['image', 'image/bmp'], ['image', 'image/svg+xml'], ['audio', 'audio/mpeg'], ['text', 'text/plain'],
    ['document', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'], ['video', 'application/octet-stream'],
  ];
  for (const [kind, mime] of yes) assert.equal(thumbGenerator.accepts({ kind: kind as 'image', mime }, 'grid@1x'), true, mime);
  for (const [kind, mime] of no) assert.equal(thumbGenerator.accepts({ kind: kind as 'image', mime }, 'grid@1x'), false, mime);
  assert.equal(thumbGenerator.accepts({ kind: 'image', mime: 'image/jpeg' }, 'poster@1x'), false);
  assert.equal(thumbGenerator.kind, 'thumb');
  assert.deepEqual(thumbGenerator.availability({ ocrLanguages: [], models: {}, threads: 1 }), { ok: true });
});
