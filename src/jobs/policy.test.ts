import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_POLICY_SPECS, effectivePolicy, formatPolicy, parsePolicy } from './policy.js';

test('the default desktop policy is DESIGN §8\'s', () => {
  const p = parsePolicy(DEFAULT_POLICY_SPECS.desktop);
  assert.deepEqual(p.thumb, ['grid@1x', 'grid@2x', 'detail@1x']);
  assert.deepEqual(p.thumbstrip, ['preview']);
  assert.deepEqual(p.ocr, ['default']);
  assert.deepEqual(p.transcript, ['default']);
  assert.deepEqual(p.embeddings, ['*']);
  assert.deepEqual(p.proxy, ['quick']);
  // Issue 45: the fingerprint near-duplicates are found by, on every device (a few ms each, from a thumbnail).
  assert.deepEqual(p.phash, ['default']);
  assert.deepEqual(parsePolicy(DEFAULT_POLICY_SPECS.mobile), { thumb: ['icon@2x', 'grid@2x'], phash: ['default'] });
});

test('policy specs parse, merge repeated kinds and print back', () => {
  const p = parsePolicy(' thumb=grid@2x , ocr, thumb=icon@1x ');
  assert.deepEqual(p, { thumb: ['grid@2x', 'icon@1x'], ocr: ['default'] });
  assert.deepEqual(parsePolicy(formatPolicy(p)), p);
  assert.deepEqual(parsePolicy('none'), {});
  assert.deepEqual(parsePolicy('thumb = grid@2x + icon@1x'), { thumb: ['grid@2x', 'icon@1x'] });
  assert.throws(() => parsePolicy(''), /say "none"/);
  assert.throws(() => parsePolicy('thumb='), /no variants after "thumb="/);
});

test('unknown kinds, variants and the never-made original are refused', () => {
  assert.throws(() => parsePolicy('thumbs'), /unknown sidecar kind "thumbs"/);
  assert.throws(() => parsePolicy('thumb=huge'), /thumb has no variant "huge"/);
  assert.throws(() => parsePolicy('proxy=../../etc'), /invalid sidecar variant/);
  assert.throws(() => parsePolicy('live_photo_video=original'), /tracked, never made/);
});

test('a location\'s policy wins over the library\'s, which wins over the default', () => {
  assert.deepEqual(effectivePolicy({ location: 'ocr', library: { desktop: 'thumb' }, deviceType: 'desktop' }), { ocr: ['default'] });
  assert.deepEqual(effectivePolicy({ location: null, library: { desktop: 'thumb=icon@1x' }, deviceType: 'desktop' }), { thumb: ['icon@1x'] });
  assert.deepEqual(effectivePolicy({ location: null, library: { desktop: 'ocr' }, deviceType: 'mobile' }), { thumb: ['icon@2x', 'grid@2x'], phash: ['default'] });
});
