import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderScale } from './page-size.js';

test('a page is scaled so its long edge fits maxEdge', () => {
  const s = renderScale(612, 792, 512, undefined);
  assert.equal(typeof s, 'number');
  assert.equal(Math.round(792 * (s as number)), 512);
});

test('maxDpi caps the scale below what maxEdge allows', () => {
  assert.equal(renderScale(612, 792, 10_000, 300), 300 / 72);
  // A small page at 300 dpi stays small even with a big maxEdge.
  assert.equal(renderScale(100, 50, 4000, 300), 300 / 72);
});

test('the caller cannot ask for more than 10,000 px or 50 MP', () => {
  assert.equal(renderScale(1000, 400, 1e9, undefined), 10);
  // A square page at 10,000 px would be 100 MP: held to 50 MP.
  assert.equal(Math.round(1000 * (renderScale(1000, 1000, 1e9, undefined) as number)), 7071);
  // An elongated page that fits 10,000 px on its long edge is held to the pixel budget.
  const s = renderScale(14_400, 1_000, 10_000, undefined) as number;
  assert.ok(14_400 * 1_000 * s * s <= 50_000_001);
});

test('absurd pages are refused with a reason', () => {
  assert.match(String(renderScale(0, 792, 512, undefined)), /no usable size/);
  assert.match(String(renderScale(Number.NaN, 792, 512, undefined)), /no usable size/);
  assert.match(String(renderScale(-5, 792, 512, undefined)), /no usable size/);
  assert.match(String(renderScale(1e9, 1e9, 512, undefined)), /absurdly large/);
  assert.match(String(renderScale(10_000, 1, 512, undefined)), /absurdly elongated/);
});
