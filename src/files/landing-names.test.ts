import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { landingDirProblem, landingNameProblem } from './landing-names.js';

/** A folder name a user may have (no separator, not empty). */
const part = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !s.includes('/'));
/** `.vss-` in any case, then anything: a name the indexer skips as vss's own. */
const bookkeeping = fc.tuple(fc.constantFrom('.vss-', '.VSS-', '.Vss-', '.vsS-'), fc.string({ maxLength: 10 }).filter((s) => !s.includes('/'))).map(([a, b]) => a + b);

test('a place\'s folder with any part in vss\'s bookkeeping is refused; any other is left to the location\'s own check', () => {
  fc.assert(fc.property(fc.array(part, { maxLength: 5 }), fc.array(part, { maxLength: 5 }), bookkeeping, (before, after, own) => {
    assert.ok(landingDirProblem([...before, own, ...after].join('/')) !== undefined);
  }));
  fc.assert(fc.property(fc.array(part.filter((p) => !p.toLowerCase().startsWith('.vss-')), { maxLength: 6 }), (parts) => {
    assert.equal(landingDirProblem(parts.join('/')), undefined);
  }));
  assert.equal(landingDirProblem(''), undefined, 'the location itself');
});

test('a file name in vss\'s bookkeeping is refused whatever its case', () => {
  fc.assert(fc.property(bookkeeping, (name) => assert.ok(landingNameProblem(name) !== undefined)));
  assert.equal(landingNameProblem('vss-drop.txt'), undefined);
});
