import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { byteStream } from '@libp2p/utils';
import { PeerNode } from './peer-node.js';
import { MessageChannel } from './message-channel.js';
import { PROTOCOLS } from '../messages/table.js';

const LOOPBACK = ['/ip4/127.0.0.1/tcp/0'];

/**
 * A relay of the user's own (issue 29): real libp2p nodes over loopback sockets. R relays for A
 * and B, the devices it is paired with; S is a stranger R lets connect (as while a pairing code is
 * open there) but is not paired with. A stranger meets two refusals: the relay protocol is not
 * offered to an unpaired peer (`offerOnlyWhatIsServed`), and the relay's gate refuses its slot
 * and its circuits; these tests hold the two together to it.
 */
describe('a relay for paired devices only', () => {
  const ids = { r: '', a: '', b: '', s: '' };
  let r: PeerNode;
  let a: PeerNode;
  let b: PeerNode;
  let s: PeerNode;
  const rAddr = () => r.addresses()[0]!;

  before(async () => {
    const node = async (paired: Array<keyof typeof ids>, admitted: Array<keyof typeof ids> = paired, relay = false) => PeerNode.start({
      privateKey: await generateKeyPair('Ed25519'), listen: LOOPBACK, mdns: false,
      admit: (p) => admitted.some((k) => ids[k] === p), isPaired: (p) => paired.some((k) => ids[k] === p),
      ...(relay ? { relay: { maxReservations: 4 } } : {}),
    });
    r = await node(['a', 'b'], ['a', 'b', 's'], true);
    // A has a pairing code open: it would let S in; the relay must not carry S there.
    a = await node(['r', 'b'], ['r', 'b', 's']);
    b = await node(['r', 'a']);
    s = await node(['r'], ['r', 'a']);
    Object.assign(ids, { r: r.peerId, a: a.peerId, b: b.peerId, s: s.peerId });
    await a.handle('fetch', async (stream) => {
      const ch = new MessageChannel(stream, PROTOCOLS.fetch.maxMessageBytes);
      const { n } = (await ch.receive()) as { n: number };
      await ch.send({ ok: true });
      await byteStream(stream).write(new Uint8Array(n).fill(7));
      await stream.close();
    });
  });
  after(async () => { await Promise.all([r, a, b, s].map((n) => n?.stop())); });

  it('gives a paired device a slot, and with it an address through the relay', async () => {
    const relayed = await a.reserveOn(rAddr());
    assert.ok(relayed.some((x) => x.startsWith(`${rAddr()}/p2p-circuit/p2p/${ids.a}`)), JSON.stringify(relayed));
  });

  it('refuses a slot to a peer it is not paired with, though it let it connect', async () => {
    await assert.rejects(s.reserveOn(rAddr()));
    assert.deepEqual(s.relayedAddresses(), []);
  });

  it('carries a paired device\'s stream to another, with no limit of bytes, the two ends\' own encryption inside', async () => {
    const circuit = `${rAddr()}/p2p-circuit/p2p/${ids.a}`;
    const stream = await b.open(circuit, 'fetch', AbortSignal.timeout(10_000));
    assert.equal(b.pathTo(ids.a), 'relay', 'no direct connection: B was given only the relayed address');
    const ch = new MessageChannel(stream, PROTOCOLS.fetch.maxMessageBytes);
    // Eight times the protocol's default 128 KiB a circuit, which would end it.
    const n = 1024 * 1024;
    await ch.send({ n });
    assert.deepEqual(await ch.receive(AbortSignal.timeout(10_000)), { ok: true });
    const body = await byteStream(stream).read({ bytes: n, signal: AbortSignal.timeout(20_000) });
    assert.equal(body.byteLength, n);
  });

  it('passes no circuit from a peer it is not paired with', async () => {
    const circuit = `${rAddr()}/p2p-circuit/p2p/${ids.a}`;
    await assert.rejects(s.open(circuit, 'fetch', AbortSignal.timeout(10_000)));
    assert.equal(s.pathTo(ids.a), null);
  });

  it('cannot pass for a device: an address that names A but reaches R fails closed', async () => {
    const forged = `${rAddr().replace(/\/p2p\/[^/]+$/, '')}/p2p/${ids.a}`;
    await assert.rejects(b.connect(forged, AbortSignal.timeout(10_000)), (err: Error) => /UnexpectedPeer|match|expected/i.test(`${err.name} ${err.message}`));
  });
});
