import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Installation } from '../library/installation.js';
import { tempDir } from '../../test/helpers.js';
import { bucketKeys, sealedName } from '../storage/bucket/age-object.js';
import { keyIdOf } from '../volumes/bucket-keys.js';
import { phraseOf } from '../volumes/bucket-phrase.js';
import { libraryBucketKey } from './bucket-key.js';
import { fullStateOps } from './shared-log.js';
import { SharedData } from './shared-data.js';

/**
 * The library's bucket key as shared data (issue 60 item 2): made once, taken in by another device
 * of the library from the operations it pulls (or a copy of the whole state), the same key there
 * (the same keyed names, the same phrase); a key whose id is not its secret's, or with more than its
 * secret, is refused.
 */
describe("the library's bucket key, shared", () => {
  const tmp = tempDir('vss-bucket-key-');
  after(() => tmp.cleanup());
  const device = (name: string) => new Installation({ dataDir: join(tmp.path, name, 'data') }).createLibrary('Shared', join(tmp.path, name, 'lib'));

  it('is made once, reaches another device of the library by its log or its whole state, and is the same key there', () => {
    const a = device('a');
    const b = device('b');
    const c = device('c');
    assert.equal(libraryBucketKey(a, false), undefined, 'none before one is asked for');
    const made = libraryBucketKey(a, true)!;
    assert.equal(made.made, true);
    assert.deepEqual(libraryBucketKey(a, true), { key: made.key, made: false }, 'made once');
    const got = new SharedData(b).receive(new SharedData(a).since(0, 1000).ops, a.device.uuid);
    assert.equal(got.refused.length, 0);
    const there = b.store.libraryKeys.first()!;
    assert.deepEqual([there.id, there.secret.toString('hex')], [made.key.id, made.key.secret.toString('hex')]);
    assert.equal(phraseOf(there.secret), phraseOf(made.key.secret));
    assert.equal(sealedName(bucketKeys(there.secret), 'vss-protect/Photos/a.jpg'), sealedName(bucketKeys(made.key.secret), 'vss-protect/Photos/a.jpg'));
    assert.equal(libraryBucketKey(b, true)!.made, false, 'a device that has the key makes none');
    new SharedData(c).receive([...fullStateOps(a)], a.device.uuid);
    assert.equal(c.store.libraryKeys.first()?.id, made.key.id, 'a copy of the whole state carries it');
    for (const l of [a, b, c]) l.close();
  });

  it('refuses a key whose id is not its secret\'s, or that says more than its secret', () => {
    const d = device('d');
    const secret = 'ab'.repeat(32);
    const id = keyIdOf(Buffer.from(secret, 'hex'));
    const hlc = `${Date.now()}-000000-00000000-0000-4000-8000-000000000000`;
    const r = new SharedData(d).receive([
      { hlc, record: 'bucket_key', id: keyIdOf(Buffer.from('cd'.repeat(32), 'hex')), set: { secret } },
      { hlc, record: 'bucket_key', id, set: { secret, extra: 1 } },
      { hlc, record: 'bucket_key', id, set: { secret: 'xyz' } },
    ], 'peer');
    assert.equal(r.refused.length, 3, JSON.stringify(r.refused));
    assert.equal(d.store.libraryKeys.first(), undefined);
    d.close();
  });
});
