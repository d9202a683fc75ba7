import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect as connectTcp, type AddressInfo } from 'node:net';
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
  const ids = { r: '', a: '', b: '', s: '', c: '' };
  let r: PeerNode;
  let a: PeerNode;
  let b: PeerNode;
  let s: PeerNode;
  let c: PeerNode;
  const rAddr = () => r.addresses()[0]!;
  /** The device R carries strangers to now (a pairing code of its is open), or ''. */
  let windowTo = '';
  /** Paired devices whose library's rights do not let R relay them (issue 46). */
  const notRelayed = new Set<string>();

  before(async () => {
    const node = async (paired: Array<keyof typeof ids>, admitted: Array<keyof typeof ids> = paired, relay = false) => PeerNode.start({
      privateKey: await generateKeyPair('Ed25519'), listen: LOOPBACK, mdns: false,
      admit: (p) => admitted.some((k) => ids[k] === p), isPaired: (p) => paired.some((k) => ids[k] === p),
      ...(relay ? { mayRelay: (p: string) => !notRelayed.has(p), relay: { maxReservations: 4 }, strangersThrough: { to: (d: string) => d === windowTo, any: () => windowTo !== '' } } : {}),
    });
    r = await node(['a', 'b', 'c'], ['a', 'b', 'c', 's'], true);
    // A has a pairing code open: it would let S in; the relay must not carry S there.
    a = await node(['r', 'b', 'c'], ['r', 'b', 'c', 's']);
    b = await node(['r', 'a']);
    s = await node(['r'], ['r', 'a']);
    c = await node(['r', 'a']);
    Object.assign(ids, { r: r.peerId, a: a.peerId, b: b.peerId, s: s.peerId, c: c.peerId });
    await a.handle('fetch', async (stream) => {
      const ch = new MessageChannel(stream, PROTOCOLS.fetch.maxMessageBytes);
      const { n } = (await ch.receive()) as { n: number };
      await ch.send({ ok: true });
      await byteStream(stream).write(new Uint8Array(n).fill(7));
      await stream.close();
    });
  });
  after(async () => { await Promise.all([r, a, b, s, c].map((n) => n?.stop())); });

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

  it('carries a stranger to a device that asked while its pairing code is open, and to no one else', async () => {
    windowTo = ids.a;
    try {
      // A serves S only the pairing protocol: that S is told so by A is the circuit working.
      await assert.rejects(s.open(`${rAddr()}/p2p-circuit/p2p/${ids.a}`, 'fetch', AbortSignal.timeout(10_000)), /does not serve \/vss\/fetch/);
      assert.equal(s.pathTo(ids.a), 'relay');
      await assert.rejects(s.reserveOn(rAddr()), 'still no slot for a stranger');
      await assert.rejects(s.open(`${rAddr()}/p2p-circuit/p2p/${ids.c}`, 'fetch', AbortSignal.timeout(10_000)), 'nor a circuit to a device that did not ask');
    } finally {
      windowTo = '';
      await s.hangUp(ids.a);
    }
  });

  it('cannot pass for a device: an address that names A but reaches R fails closed', async () => {
    const forged = `${rAddr().replace(/\/p2p\/[^/]+$/, '')}/p2p/${ids.a}`;
    await assert.rejects(b.connect(forged, AbortSignal.timeout(10_000)), (err: Error) => /UnexpectedPeer|match|expected/i.test(`${err.name} ${err.message}`));
  });

  it('sees only ciphertext: what it carries between two devices is their own encrypted session', async () => {
    // C reaches R through a recording proxy, so every byte of C's connection to R (the circuit inside it) is seen.
    const seen: Buffer[] = [];
    const rPort = Number(/\/tcp\/(\d+)/.exec(rAddr())![1]);
    const proxy = createServer((sock) => {
      const up = connectTcp(rPort, '127.0.0.1');
      sock.on('data', (d: Buffer) => seen.push(d));
      up.on('data', (d: Buffer) => seen.push(d));
      sock.pipe(up).on('error', () => undefined);
      up.pipe(sock).on('error', () => undefined);
      sock.on('error', () => up.destroy());
      up.on('error', () => sock.destroy());
    });
    await new Promise<void>((res) => proxy.listen(0, '127.0.0.1', res));
    try {
      const port = (proxy.address() as AddressInfo).port;
      const stream = await c.open(`/ip4/127.0.0.1/tcp/${port}/p2p/${ids.r}/p2p-circuit/p2p/${ids.a}`, 'fetch', AbortSignal.timeout(10_000));
      const ch = new MessageChannel(stream, PROTOCOLS.fetch.maxMessageBytes);
      const n = 256 * 1024;
      await ch.send({ n });
      await ch.receive(AbortSignal.timeout(10_000));
      const body = await byteStream(stream).read({ bytes: n, signal: AbortSignal.timeout(20_000) });
      assert.deepEqual(new Set(body.subarray()), new Set([7]), 'A sent 256 KiB of the byte 7 in the clear, to C');
      const carried = Buffer.concat(seen);
      assert.ok(carried.byteLength > n, `the circuit went through the proxy (${carried.byteLength} bytes seen)`);
      // Plaintext would show as long runs of 7s; ciphertext has none that long.
      assert.equal(carried.indexOf(Buffer.alloc(32, 7)), -1, 'a run of the plaintext was seen on the wire');
    } finally {
      await c.hangUp(ids.r);
      await new Promise<void>((res) => proxy.close(() => res()));
    }
  });
  it("relays a paired device only while its library's rights let it be relayed: no slot, no circuit from it or to it", async () => {
    notRelayed.add(ids.c);
    await assert.rejects(c.reserveOn(rAddr()), 'a slot');
    notRelayed.delete(ids.c);
    await c.reserveOn(rAddr());
    notRelayed.add(ids.c);
    try {
      await assert.rejects(a.open(`${rAddr()}/p2p-circuit/p2p/${ids.c}`, 'fetch', AbortSignal.timeout(10_000)), 'a circuit to it, though it holds a slot');
      await assert.rejects(c.open(`${rAddr()}/p2p-circuit/p2p/${ids.a}`, 'fetch', AbortSignal.timeout(10_000)), 'a circuit from it');
    } finally {
      notRelayed.delete(ids.c);
    }
    try {
      // Let again: carried again (A reaches C through R: C serves A nothing it did not ask for, and says so).
      await assert.rejects(a.open(`${rAddr()}/p2p-circuit/p2p/${ids.c}`, 'fetch', AbortSignal.timeout(10_000)), /does not serve \/vss\/fetch/);
      assert.equal(a.pathTo(ids.c), 'relay');
    } finally {
      await a.hangUp(ids.c);
      await c.hangUp(ids.r);
    }
  });
});
