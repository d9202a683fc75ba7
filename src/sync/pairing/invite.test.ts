import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { looksLikeInvite } from './invite-prefix.js';
import { newPairingCode } from './code.js';
import { INVITE_MAX_ADDRS, INVITE_MAX_CHARS, makeInvite, parseInvite } from './invite.js';

const peerId = async (): Promise<string> => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString();

test('an invite carries the code, the peer id and the reachable addresses, and reads back', async () => {
  const id = await peerId();
  const relay = await peerId();
  const words = newPairingCode().words;
  const invite = makeInvite(words, id, [
    `/ip4/127.0.0.1/tcp/4001/p2p/${id}`,
    '/ip4/0.0.0.0/tcp/4001',
    '/ip4/192.168.1.20/tcp/4001',
    `/ip4/198.51.100.10/tcp/4001/p2p/${relay}/p2p-circuit/p2p/${id}`,
  ]);
  assert.ok(looksLikeInvite(invite));
  assert.ok(!looksLikeInvite(words.join(' ')));
  const read = parseInvite(`  ${invite}\n`);
  assert.deepEqual(read.words, words);
  assert.equal(read.peerId, id);
  // Loopback and wildcard left out (another host's loopback is itself); direct before relayed.
  assert.deepEqual(read.addrs, [`/ip4/192.168.1.20/tcp/4001/p2p/${id}`, `/ip4/198.51.100.10/tcp/4001/p2p/${relay}/p2p-circuit/p2p/${id}`]);
});

test('on one machine (loopback only) the loopback addresses are the invite', async () => {
  const id = await peerId();
  const read = parseInvite(makeInvite(newPairingCode().words, id, [`/ip4/127.0.0.1/tcp/5/p2p/${id}`]));
  assert.deepEqual(read.addrs, [`/ip4/127.0.0.1/tcp/5/p2p/${id}`]);
});

test('a damaged, forged or oversized invite is refused with the reason', async () => {
  const id = await peerId();
  const other = await peerId();
  const words = newPairingCode().words;
  const encode = (body: unknown): string => `vss-invite:${Buffer.from(JSON.stringify(body)).toString('base64url')}`;
  const cases: Array<[string, RegExp]> = [
    ['vss-invite:%%%', /damaged/],
    ['hello', /does not start with vss-invite:/],
    [`vss-invite:${'A'.repeat(INVITE_MAX_CHARS)}`, /characters long/],
    [encode({ v: 2, w: words.join(' '), p: id, a: [`/ip4/10.0.0.1/tcp/1/p2p/${id}`] }), /not a version/],
    [encode({ v: 1, w: 'one two', p: id, a: [`/ip4/10.0.0.1/tcp/1/p2p/${id}`] }), /12 words/],
    [encode({ v: 1, w: words.join(' '), p: 'nope', a: [`/ip4/10.0.0.1/tcp/1/p2p/${id}`] }), /not a peer id/],
    // An address of another device: dialled expecting the invite's key, it could only fail.
    [encode({ v: 1, w: words.join(' '), p: id, a: [`/ip4/10.0.0.1/tcp/1/p2p/${other}`] }), /not the inviting device's/],
    [encode({ v: 1, w: words.join(' '), p: id, a: [] }), /names 0 addresses/],
    [encode({ v: 1, w: words.join(' '), p: id, a: Array.from({ length: INVITE_MAX_ADDRS + 1 }, (_, i) => `/ip4/10.0.0.${i}/tcp/1/p2p/${id}`) }), /names 9 addresses/],
    [encode({ v: 1, w: words.join(' '), p: id, a: ['/dns4/x/udp/1'] }), /vss connects over TCP/],
  ];
  for (const [text, why] of cases) {
    assert.throws(() => parseInvite(text), (err: Error & { code?: string }) => err.code === 'USAGE' && why.test(err.message), text.slice(0, 60));
  }
});
