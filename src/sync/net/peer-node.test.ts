import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { byteStream } from '@libp2p/utils';
import { PeerNode } from './peer-node.js';
import { PeerRefused, isLibp2pWriteOnClosingStream } from './peer-errors.js';
import { MessageChannel } from './message-channel.js';
import { PROTOCOLS } from '../messages/table.js';

const LOOPBACK = ['/ip4/127.0.0.1/tcp/0'];

async function twoNodes(trust: { aTrustsB: boolean; bTrustsA: boolean }): Promise<[PeerNode, PeerNode]> {
  const [ka, kb] = [await generateKeyPair('Ed25519'), await generateKeyPair('Ed25519')];
  const ids = { a: '', b: '' };
  const a = await PeerNode.start({ privateKey: ka, listen: LOOPBACK, admit: (p) => trust.aTrustsB && p === ids.b, isPaired: (p) => trust.aTrustsB && p === ids.b });
  const b = await PeerNode.start({ privateKey: kb, listen: LOOPBACK, admit: (p) => trust.bTrustsA && p === ids.a, isPaired: (p) => trust.bTrustsA && p === ids.a });
  ids.a = a.peerId;
  ids.b = b.peerId;
  return [a, b];
}

test('paired nodes exchange bounded messages and raw bytes over loopback', async () => {
  const [a, b] = await twoNodes({ aTrustsB: true, bTrustsA: true });
  try {
    await b.handle('fetch', async (stream) => {
      const ch = new MessageChannel(stream, PROTOCOLS.fetch.maxMessageBytes);
      const msg = (await ch.receive()) as { n: number };
      await ch.send({ ok: true, n: msg.n + 1 });
      await byteStream(stream).write(new Uint8Array(msg.n).fill(7));
      await stream.close();
    });
    assert.match(a.addresses()[0]!, /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//);
    const stream = await a.open(b.addresses()[0]!, 'fetch');
    const ch = new MessageChannel(stream, PROTOCOLS.fetch.maxMessageBytes);
    await ch.send({ n: 100_000 });
    assert.deepEqual(await ch.receive(), { ok: true, n: 100_001 });
    const body = await byteStream(stream).read({ bytes: 100_000 });
    assert.equal(body.byteLength, 100_000);
    assert.deepEqual(a.connectedPeers(), [b.peerId]);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});

test('a peer whose key is not admitted gets no protocol served', async () => {
  const [a, b] = await twoNodes({ aTrustsB: true, bTrustsA: false });
  try {
    let served = false;
    await b.handle('fetch', async () => {
      served = true;
    });
    await assert.rejects(async () => {
      const stream = await a.open(b.addresses()[0]!, 'fetch', AbortSignal.timeout(5000));
      const ch = new MessageChannel(stream, 1024);
      await ch.send({ hello: 1 });
      await ch.receive(AbortSignal.timeout(5000));
    });
    assert.equal(served, false);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});

test('a message above the bound is refused before it is buffered', async () => {
  const [a, b] = await twoNodes({ aTrustsB: true, bTrustsA: true });
  try {
    const got = new Promise<unknown>((resolve) => {
      void b.handle('pair', async (stream) => {
        const ch = new MessageChannel(stream, 1024);
        resolve(await ch.receive().catch((err: Error) => err));
      });
    });
    const stream = await a.open(b.addresses()[0]!, 'pair');
    await new MessageChannel(stream, 1 << 20).send({ big: new Uint8Array(4096) });
    const err = (await got) as Error;
    assert.ok(err instanceof Error);
    assert.match(err.message, /peer sent no valid message/);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});

test('while a pairing code is open an unpaired peer is admitted, but can negotiate only the pairing protocol', async () => {
  const [ka, kb] = [await generateKeyPair('Ed25519'), await generateKeyPair('Ed25519')];
  let paired = false;
  // A has a pairing code open: it admits anyone; B is a stranger, until it pairs.
  const a = await PeerNode.start({ privateKey: ka, listen: LOOPBACK, admit: () => true, isPaired: () => paired });
  const b = await PeerNode.start({ privateKey: kb, listen: LOOPBACK, admit: () => true, isPaired: () => true });
  try {
    const served: string[] = [];
    for (const name of ['pair', 'fetch', 'availability'] as const) {
      await a.handle(name, async (stream) => {
        served.push(name);
        await stream.close();
      });
    }
    const stranger = await b.open(a.addresses()[0]!, 'pair', AbortSignal.timeout(5000));
    await stranger.close();
    for (const name of ['fetch', 'availability'] as const) {
      await assert.rejects(b.open(a.peerId, name, AbortSignal.timeout(5000)), (err: Error) => err instanceof PeerRefused && /does not serve/.test(err.message), `${name} is not negotiated with a stranger`);
    }
    assert.deepEqual(served, ['pair'], 'no handler but pairing ran for the stranger');
    // Once paired (on the same connection), everything is served.
    paired = true;
    const fetch = await b.open(a.peerId, 'fetch', AbortSignal.timeout(5000));
    await fetch.close();
    assert.deepEqual(served, ['pair', 'fetch']);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});

test('a write libp2p makes to a closing stream is told apart from any other error', async () => {
  const [a, b] = await twoNodes({ aTrustsB: true, bTrustsA: true });
  try {
    await b.handle('fetch', async (stream) => { await stream.close(); });
    const stream = await a.open(b.addresses()[0]!, 'fetch');
    const closing = stream.close();
    let thrown: unknown;
    try {
      stream.send(new Uint8Array(8));
    } catch (err) {
      thrown = err;
    }
    await closing;
    assert.ok(isLibp2pWriteOnClosingStream(thrown), `libp2p's own error: ${String(thrown)}`);
    assert.equal(isLibp2pWriteOnClosingStream(new Error('Cannot write to a stream that is closing')), false, 'not a StreamStateError');
    const ours = Object.assign(new Error('Cannot write to a stream that is closing'), { name: 'StreamStateError' });
    ours.stack = 'StreamStateError: x\n    at ours (file:///work/src/x.js:1:1)';
    assert.equal(isLibp2pWriteOnClosingStream(ours), false, 'not thrown from inside libp2p');
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});

test('a change of this device\'s network closes no connection over loopback (a pairing under way there is never dialled again)', async () => {
  const [a, b] = await twoNodes({ aTrustsB: true, bTrustsA: true });
  try {
    await b.handle('fetch', async (stream) => { await stream.close(); });
    await (await a.open(b.addresses()[0]!, 'fetch')).close();
    assert.deepEqual(a.connectedPeers(), [b.peerId]);
    await a.hangUpNetwork();
    assert.deepEqual(a.connectedPeers(), [b.peerId], 'still connected');
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});
