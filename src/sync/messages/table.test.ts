import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encode } from '@msgpack/msgpack';
import { PeerMessageError } from './fields.js';
import { decodeFrame, messageOf, readMessage, UnknownPeerMessage } from './channel.js';
import { PEER_MESSAGES, PROTOCOLS, protocolIds, protocolVersion, type MessageName, type ProtocolName } from './table.js';

const LIB = '6f1c2a8e-51f0-4d7e-9c4b-0a3e5f7d9b21';

describe('the peer-message table', () => {
  it('names each message once: a known protocol, its tag field, a bound within the protocol\'s', () => {
    const tags = new Set<string>();
    for (const [name, row] of Object.entries(PEER_MESSAGES) as Array<[MessageName, (typeof PEER_MESSAGES)[MessageName]]>) {
      const p = PROTOCOLS[row.protocol as ProtocolName];
      assert.ok(p, `${name}: protocol ${row.protocol}`);
      assert.ok(name.startsWith(`${row.protocol}.`), `${name} is named after its protocol`);
      assert.ok(row.maxBytes <= p.maxMessageBytes, `${name}: ${row.maxBytes} within ${p.maxMessageBytes}`);
      assert.ok(row.since >= 1 && row.since <= p.version, `${name}: since ${row.since}`);
      const keys = Object.keys(row.tag);
      assert.ok(keys.length === 0 || (keys.length === 1 && keys[0] === p.tagKey), `${name}: tagged by ${p.tagKey}`);
      const tag = `${row.protocol} ${JSON.stringify(row.tag)}`;
      assert.ok(!tags.has(tag), `${name}: its tag is its own`);
      tags.add(tag);
    }
  });

  it('reads a newer peer\'s message as far as it can: unknown fields left out, an unknown kind said as such', () => {
    const pull = { ...messageOf('feed.pull', { library_id: LIB, feed: 'availability', epoch: null, seq: 3 }), since_ms: 5, filter: ['thumb'] };
    const got = readMessage('feed', decodeFrame('feed', encode(pull)), ['feed.pull']);
    assert.deepEqual(got, { name: 'feed.pull', body: { t: 'pull', library_id: LIB, feed: 'availability', epoch: null, seq: 3 } });
    // An older peer's pull without the optional fields is still a pull.
    assert.deepEqual(readMessage('feed', { t: 'pull', library_id: LIB, feed: 'shared' }, ['feed.pull']).body, { t: 'pull', library_id: LIB, feed: 'shared' });
    assert.throws(() => readMessage('feed', { t: 'subscribe', library_id: LIB }, ['feed.pull']),
      (err: unknown) => err instanceof UnknownPeerMessage && err.kind === 'subscribe' && /unknown kind "subscribe".*version 1/.test(err.message));
    assert.throws(() => readMessage('feed', { t: 'ack' }, ['feed.pull', 'feed.error']),
      (err: unknown) => err instanceof PeerMessageError && !(err instanceof UnknownPeerMessage) && /expected a pull message, got "ack"/.test(err.message));
    assert.throws(() => readMessage('feed', { t: 'changed', library_id: LIB, feed: 'library', seq: -1 }, ['feed.changed']), /changed\.seq: expected a whole number/);
    // A feed this device does not know (a newer peer's) is refused by name, not taken for another.
    assert.throws(() => readMessage('feed', { t: 'pull', library_id: LIB, feed: 'comments' }, ['feed.pull']), /pull\.feed/);
    // A bad value deep in a list is named by its place.
    const folder = { location: 1, path: '', id: 1, seq: 1, whole: true, entries: [['a', 'file', 1, null, null], ['b', 'file', -2, null, null]] };
    assert.throws(() => readMessage('feed', { t: 'library.page', folders: [folder], contents: [] }, ['feed.library.page']), /library.page\.folders\[0\]\.entries\[1\]\[2\]: expected a whole number/);
    // Untagged: the fetch request is whatever its step receives; its answers are told apart by `ok`.
    const item = { c: LIB, k: 'thumb', v: 'grid@1x', f: 'webp', s: 10, x: 'a'.repeat(64), o: 0 };
    assert.deepEqual(readMessage('fetch', { lib: LIB, items: [{ ...item, priority: 'high' }] }, ['fetch.request']).body, { lib: LIB, items: [item] });
    assert.equal(readMessage('fetch', { ok: false, reason: 'gone' }, ['fetch.item', 'fetch.refused']).name, 'fetch.refused');
  });

  it('bounds a message at the decoder and by its row', () => {
    // An array header claiming ten million items in a frame of five bytes: refused before anything is allocated for it.
    const claim = Uint8Array.from([0x81, 0xa1, 0x61, 0xdd, 0x00, 0x98, 0x96, 0x80]);
    assert.throws(() => decodeFrame('fetch', claim), (err: unknown) => err instanceof PeerMessageError && /does not decode.*array length/.test(err.message));
    const tooMany = Array.from({ length: PROTOCOLS.availability.decoder.maxArrayLength + 1 }, () => [LIB, 'thumb', 'grid@1x']);
    assert.throws(() => decodeFrame('availability', encode({ t: 'who-has', library_id: LIB, addresses: tooMany })), /does not decode/);
    // Each row has its own bound within the protocol's: an ack is a few bytes, not a megabyte.
    assert.throws(() => readMessage('feed', { t: 'ack' }, ['feed.ack'], 4096), /ack message of 4096 bytes is above its bound of 64/);
    assert.equal(readMessage('feed', { t: 'ack' }, ['feed.ack'], 6).name, 'feed.ack');
  });

  it('a protocol with older ids is opened and served under each, newest first, and a stream speaks the version of the id it was negotiated under', () => {
    assert.deepEqual(protocolIds('drop'), ['/vss/drop/3.0.0', '/vss/drop/2.0.0', '/vss/drop/1.0.0']);
    assert.deepEqual(protocolIds('feed'), ['/vss/feed/1.0.0']);
    assert.equal(protocolVersion('drop', '/vss/drop/1.0.0'), 1);
    assert.equal(protocolVersion('drop', '/vss/drop/2.0.0'), 2);
    assert.equal(protocolVersion('drop', '/vss/drop/3.0.0'), 3);
    // A stream made by hand (no negotiated id) speaks the newest.
    assert.equal(protocolVersion('drop', undefined), PROTOCOLS.drop.version);
    // No two protocols share an id, older ones included.
    const all = (Object.keys(PROTOCOLS) as ProtocolName[]).flatMap(protocolIds);
    assert.equal(new Set(all).size, all.length);
  });
});
