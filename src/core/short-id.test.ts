import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { byIdOrName, byShortId, mayBeShortId, shortId } from './short-id.js';

describe('short ids', () => {
  const ids = ['3f2a9c1b-0000-4000-8000-000000000001', '3f2a9c1b-1111-4000-8000-000000000002', '7e01d2aa-0000-4000-8000-000000000003'];

  it('are a uuid\'s first 8 characters, and name the one id they start', () => {
    assert.equal(shortId(ids[2]!), '7e01d2aa');
    assert.equal(byShortId('7E01D2AA', ids, 'person'), ids[2]);
    assert.equal(byShortId(ids[0]!, ids, 'person'), ids[0]);
    assert.equal(byShortId('0123abcd', ids, 'person'), undefined);
  });

  it('two ids of one start: a usage error asking for more of it', () => {
    assert.throws(() => byShortId('3f2a9c1b', ids, 'stack'), (e: Error & { code?: string }) => e.code === 'USAGE' && /2 stacks have an id starting 3f2a9c1b/.test(e.message));
    assert.equal(byShortId('3f2a9c1b-1', ids, 'stack'), ids[1]);
  });

  it('are told from names: hex and dashes, 4 characters at least', () => {
    for (const yes of ['3f2a', '3f2a9c1b', '3f2a9c1b-1111']) assert.equal(mayBeShortId(yes), true, yes);
    for (const no of ['Ana', '3f2', 'cafe au lait', 'IMG_0001.JPG']) assert.equal(mayBeShortId(no), false, no);
  });

  it('or a name, any case, where no id starts so (a device named "cafe" too); two of one name ask for an id', () => {
    const devices = [{ id: ids[0]!, name: 'Desktop' }, { id: ids[2]!, name: 'cafe' }, { id: '9c000000-0000-4000-8000-000000000004', name: 'NAS' }, { id: 'ab000000-0000-4000-8000-000000000005', name: 'NAS' }];
    const find = (ref: string) => byIdOrName(ref, devices, (d) => d.id, (d) => d.name, 'paired device')?.id;
    assert.equal(find('desktop'), ids[0]);
    assert.equal(find('7e01'), ids[2]);
    assert.equal(find('CAFE'), ids[2]);
    assert.equal(find('Laptop'), undefined);
    assert.throws(() => find('nas'), (e: Error & { code?: string }) => e.code === 'USAGE' && /2 paired devices are named "nas": give one's id \(9c000000, ab000000\)/.test(e.message));
  });
});
