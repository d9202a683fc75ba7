import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanIdentifier, liveIdentifiers, MAX_METADATA_JSON, parseMetadata, serializeMetadata, type MediaMetadata } from './media-metadata.js';

describe('media metadata', () => {
  it('compares Live Photo identifiers without regard to case, from either tag', () => {
    const still: MediaMetadata = { v: 1, media_group_uuid: 'e905e6c6-c747-4805-942f-9904a0281f02' };
    const movie: MediaMetadata = { v: 1, content_identifier: 'E905E6C6-C747-4805-942F-9904A0281F02' };
    assert.deepEqual(liveIdentifiers(still), liveIdentifiers(movie));
    assert.deepEqual(liveIdentifiers({ v: 1, content_identifier: 'A', media_group_uuid: 'a' }), ['A']);
    assert.deepEqual(liveIdentifiers(null), []);
  });

  it('refuses identifiers that are empty, oversized or hold control characters', () => {
    assert.equal(cleanIdentifier('  ABC-1 '), 'ABC-1');
    assert.equal(cleanIdentifier(''), undefined);
    assert.equal(cleanIdentifier('x'.repeat(129)), undefined);
    assert.equal(cleanIdentifier('a\nb'), undefined);
    assert.equal(cleanIdentifier(42), undefined);
  });

  it('round-trips through the database column, within its size bound', () => {
    const m: MediaMetadata = { v: 1, captured_at: '2021-04-10T11:44:00.814+01:00', captured_ms: 1618051440814, captured_zone: 'explicit', width: 4032, height: 3024 };
    assert.deepEqual(parseMetadata(serializeMetadata(m)), m);
    const huge = serializeMetadata({ v: 1, error: 'x'.repeat(MAX_METADATA_JSON) });
    assert.ok(huge.length <= MAX_METADATA_JSON);
    assert.match(parseMetadata(huge)!.error!, /size bound/);
    assert.equal(parseMetadata('{"v":99}'), null, 'another version reads as unread');
    assert.equal(parseMetadata('not json'), null);
    assert.equal(parseMetadata(null), null);
  });
});
