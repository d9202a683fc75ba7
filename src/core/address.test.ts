import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../../test/helpers.js';
import { asTypedPlace, asTypedTarget, destinationOf, placeKind, targetOf } from './address.js';

/** The one address module (issue 43): every form a user types, told apart in one place. */
describe('addresses', () => {
  it('a target where a volume may be named by itself: a path, a device\'s folder, a bucket\'s, or a volume\'s name', () => {
    assert.deepEqual(targetOf('/mnt/backup/vss'), { kind: 'here', path: '/mnt/backup/vss' });
    assert.deepEqual(targetOf('Desk:/Photos/in'), { kind: 'device', address: 'Desk:/Photos/in' });
    assert.deepEqual(targetOf('s3://vss-test/home'), { kind: 'bucket', url: 's3://vss-test/home' });
    assert.deepEqual(targetOf('Backup'), { kind: 'volume', name: 'Backup' });
    assert.deepEqual(targetOf('3'), { kind: 'volume', name: '3' });
    assert.throws(() => targetOf('backup/vss', '--to'), /--to backup\/vss: a folder is named by an absolute path/);
  });

  it('an adapter hands over a target as typed: a path made absolute, a bare name and an address kept', () => {
    assert.equal(asTypedTarget('./x', '/home/me'), '/home/me/x');
    assert.equal(asTypedTarget('x/y', '/home/me'), '/home/me/x/y');
    assert.equal(asTypedTarget('Backup', '/home/me'), 'Backup');
    assert.equal(asTypedTarget('Desk:/Photos', '/home/me'), 'Desk:/Photos');
    assert.equal(asTypedTarget('s3://b/p', '/home/me'), 's3://b/p');
  });

  it('whatever is typed, what an adapter hands over is told apart by the core as the same kind of place (a name only where a volume may be one)', () => {
    const typed = fc.oneof(
      fc.stringMatching(/^[A-Za-z][A-Za-z0-9 _-]{0,12}$/),
      fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,8}:\/[A-Za-z0-9/]{0,12}$/),
      fc.stringMatching(/^s3:\/\/[a-z0-9]{3,10}(\/[a-z0-9]{1,6}){0,2}$/),
      fc.stringMatching(/^\.{0,2}\/?[A-Za-z0-9]{1,6}(\/[A-Za-z0-9]{1,6}){0,2}$/),
    );
    fc.assert(fc.property(typed, (p) => {
      const target = targetOf(asTypedTarget(p, '/home/me'));
      const place = destinationOf(asTypedPlace(p, '/home/me'));
      if (target.kind === 'volume') assert.equal(place.kind, 'here', `${p}: a bare name is a path where no volume is meant`);
      else assert.equal(target.kind, place.kind, p);
    }), { numRuns: 500 });
  });

  it('what is typed names a kind of place as the core will take it (a form, a command line): a bucket\'s, a device\'s folder, else a path here', () => {
    // `s3:/x` is the folder x of a device named s3: a bucket's form has two slashes.
    assert.deepEqual(['s3://b/p', 'Desk:/Photos', '/home/me', './a:b', '', 's3:/x'].map(placeKind), ['bucket', 'device', 'here', 'here', 'here', 'device']);
    const typed = fc.oneof(fc.stringMatching(/^s3:\/\/[a-z0-9]{3,10}(\/[a-z0-9]{1,6}){0,2}$/), fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,8}:\/[A-Za-z0-9/]{0,12}$/), fc.stringMatching(/^\/[A-Za-z0-9:/]{0,12}$/));
    fc.assert(fc.property(typed, (p) => assert.equal(placeKind(p), destinationOf(p).kind, p)), { numRuns: 300 });
  });

  it('loads no module of Node: the web app bundles it to read what is typed', () => {
    const source = readFileSync(join(REPO, 'src', 'core', 'address.ts'), 'utf8');
    assert.deepEqual([...source.matchAll(/^import\b[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1]), ['./errors.js']);
  });
});
