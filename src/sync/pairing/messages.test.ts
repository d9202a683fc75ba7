import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { decode, encode } from '@msgpack/msgpack';
import { PAIR_MAX_MESSAGE_BYTES, PairRefusal, checkPairMessage, pairError, pairMessage } from './messages.js';

const roundTrip = (m: unknown): unknown => decode(encode(m));

test('messages round-trip through MessagePack and are checked field by field', () => {
  const hello = pairMessage('hello', { v: 1, session_id: new Uint8Array(16), nonce_j: new Uint8Array(32).fill(1) });
  assert.deepEqual(checkPairMessage(roundTrip(hello), 'hello'), hello);
  assert.throws(() => checkPairMessage(roundTrip({ ...hello, session_id: new Uint8Array(15) }), 'hello'), /hello\.session_id: expected 16 bytes/);
  assert.throws(() => checkPairMessage(roundTrip({ ...hello, v: 2 }), 'hello'), /version 2 is not 1/);
  // A newer peer's extra field is left out, not refused (src/sync/messages/table.ts).
  assert.deepEqual(checkPairMessage(roundTrip({ ...hello, extra: 1 }), 'hello'), hello);
  assert.throws(() => checkPairMessage(roundTrip(hello), 'proof'), /expected a proof message, got "hello"/);
  assert.throws(() => checkPairMessage(roundTrip([1, 2]), 'hello'), /not a typed object/);
  const info = pairMessage('host_device', { device_uuid: randomUUID(), name: 'laptop', public_key: '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAMF0TqRaZS7JF6r9grNKu6OzklvPmVmX6KA/ZY6kdthk=\n-----END PUBLIC KEY-----\n', library: { id: randomUUID(), name: 'Photos' } });
  assert.deepEqual(checkPairMessage(roundTrip(info), 'host_device'), info);
  assert.throws(() => checkPairMessage(roundTrip({ ...info, name: 'x'.repeat(201) }), 'host_device'), /name: expected a printable text of 1–200/);
  assert.throws(() => checkPairMessage(roundTrip({ ...info, name: 'a\nb' }), 'host_device'), /printable/);
  assert.throws(() => checkPairMessage(roundTrip({ ...info, library: { id: 'nope', name: 'x' } }), 'host_device'), /library\.id: expected a uuid/);
  assert.deepEqual(checkPairMessage(roundTrip({ ...info, library: { ...info.library, t: 'x' } }), 'host_device'), info);
  assert.throws(() => checkPairMessage(roundTrip({ ...hello, t: 'hello_v2' }), 'hello'), /unknown kind "hello_v2"/);
  assert.ok(encode(info).length < PAIR_MAX_MESSAGE_BYTES);
});

test("the peer's error message becomes a refusal with its reason", () => {
  const err = pairMessage('error', { code: 'burned', message: 'the pairing code was burned' });
  assert.throws(() => checkPairMessage(roundTrip(err), 'challenge'), (e: unknown) => e instanceof PairRefusal && e.reason === 'burned' && /burned/.test(e.message));
  assert.throws(() => checkPairMessage(roundTrip({ ...err, code: 'made-up' }), 'challenge'), /error\.code: unknown value/);
});

test('an error made from any text still passes the checks', () => {
  const err = pairError('protocol', `peer sent no valid message:\n\tline two\u0000${'x'.repeat(600)}`);
  const back = checkPairMessage(roundTrip(err), 'error');
  assert.equal(back.message.length, 500);
  assert.match(back.message, /^peer sent no valid message: line two x+$/);
});
