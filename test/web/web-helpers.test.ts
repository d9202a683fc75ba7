import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BBox, OcrJsonPage } from '../../src/wire/sidecar-json.js';
import { importWebModule } from './web-module.js';

type Route =
  | { view: 'library' } | { view: 'content'; uuid: string; q: string } | { view: 'search'; q: string }
  | { view: 'jobs' } | { view: 'locations' } | { view: 'devices' } | { view: 'missing'; hash: string };
interface RoutesModule { parseRoute(hash: string): Route; href(route: Route): string; parentOf(route: Route): Route | null }
interface TermsModule { queryTerms(q: string): string[]; fold(text: string): string; matchesAny(text: string, terms: readonly string[]): boolean }
interface GeometryModule { toPicture(b: BBox, page: Pick<OcrJsonPage, 'width' | 'height' | 'rotation'>): [number, number, number, number] }

const routes = await importWebModule<RoutesModule>('routes.ts');
const terms = await importWebModule<TermsModule>('query-terms.ts');
const geometry = await importWebModule<GeometryModule>('ocr-geometry.ts');
const UUID = '550e8400-e29b-41d4-a716-446655440000';

describe('the web app’s routes (web/src/routes.ts)', () => {
  it('reads every route of the contract and writes it back the same', () => {
    const cases: Array<[string, Route]> = [
      ['#/', { view: 'library' }],
      ['', { view: 'library' }],
      [`#/content/${UUID}`, { view: 'content', uuid: UUID, q: '' }],
      [`#/content/${UUID}?q=lazy%20fox`, { view: 'content', uuid: UUID, q: 'lazy fox' }],
      ['#/search?q=a%26b%20%23c%3F', { view: 'search', q: 'a&b #c?' }],
      ['#/jobs', { view: 'jobs' }],
      ['#/locations', { view: 'locations' }],
      ['#/devices', { view: 'devices' }],
    ];
    for (const [hash, route] of cases) {
      assert.deepEqual(routes.parseRoute(hash), route, hash);
      assert.deepEqual(routes.parseRoute(routes.href(route)), route, `${hash} written back`);
    }
  });

  it('takes nothing else for a route: a bad uuid or an unknown page is "missing"', () => {
    for (const hash of ['#/content/not-a-uuid', `#/content/${UUID}/x`, '#/admin', '#/jobs/1', '#/content/']) {
      assert.equal(routes.parseRoute(hash).view, 'missing', hash);
    }
  });

  it('goes up from a detail opened from a search to that search', () => {
    assert.deepEqual(routes.parentOf({ view: 'content', uuid: UUID, q: 'fox' }), { view: 'search', q: 'fox' });
    assert.deepEqual(routes.parentOf({ view: 'content', uuid: UUID, q: '' }), { view: 'library' });
    assert.equal(routes.parentOf({ view: 'library' }), null);
  });
});

describe('query words for marking text (web/src/query-terms.ts)', () => {
  it('drops quotes, prefix stars and operators, and folds case and accents', () => {
    assert.deepEqual(terms.queryTerms('"Café crème" AND rec* NOT -x'), ['cafe', 'creme', 'rec', 'x']);
    assert.deepEqual(terms.queryTerms('  '), []);
    assert.equal(terms.matchesAny('Un CAFÉ au lait', terms.queryTerms('cafe')), true);
    assert.equal(terms.matchesAny('Un thé', terms.queryTerms('cafe')), false);
    assert.equal(terms.matchesAny('anything', []), false);
  });
});

describe('OCR boxes on the picture (web/src/ocr-geometry.ts)', () => {
  // A 400×200 picture (W×H) with a box at x 40–120, y 20–60, i.e. fractions [0.1, 0.1, 0.3, 0.3].
  const expected = [0.1, 0.1, 0.3, 0.3];
  const near = (got: number[], want: number[], what: string) => got.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-9, `${what}: ${got} ≠ ${want}`));

  it('places a box read on the unturned page as it is', () => {
    near(geometry.toPicture([40, 20, 120, 60], { width: 400, height: 200, rotation: 0 }), expected, '0°');
  });

  it('turns back a box read on a page turned 90°, 180° or 270° clockwise', () => {
    // Turned 90° clockwise the page is 200×400 and the picture's (px, py) is read at (H - py, px).
    near(geometry.toPicture([200 - 60, 40, 200 - 20, 120], { width: 200, height: 400, rotation: 90 }), expected, '90°');
    // Turned 180°: (W - px, H - py).
    near(geometry.toPicture([400 - 120, 200 - 60, 400 - 40, 200 - 20], { width: 400, height: 200, rotation: 180 }), expected, '180°');
    // Turned 270° clockwise: (py, W - px).
    near(geometry.toPicture([20, 400 - 120, 60, 400 - 40], { width: 200, height: 400, rotation: 270 }), expected, '270°');
  });
});
