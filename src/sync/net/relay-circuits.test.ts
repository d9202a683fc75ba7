import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { PeerNode } from './peer-node.js';
import { ByteBudget } from './relay-circuits.js';

describe('ByteBudget', () => {
  it('lets a quarter second\'s burst through at once, then asks the taker to wait for what it overdrew', () => {
    let now = 0;
    const b = new ByteBudget(1_000_000, () => now);
    assert.equal(b.take(250_000), 0, 'the burst');
    assert.equal(b.take(100_000), 100, '100 KB over at 1 MB/s: 100 ms');
    now = 100;
    assert.equal(b.take(0), 0, 'paid back');
    now = 10_000;
    assert.equal(b.take(250_000), 0, 'refilled, but never above the burst');
    assert.equal(b.take(1), 1);
  });
});

const LOOPBACK = ['/ip4/127.0.0.1/tcp/0'];
const CHUNK = 64 * 1024;

/**
 * Real libp2p nodes over loopback: R relays between A and B, paired with both, within 1 MiB/s;
 * B hashes what arrives.
 */
describe('a relay within a budget of bytes a second', () => {
  type Arrival = { bytes: number; hash: string; at: number };
  const nodes: PeerNode[] = [];
  let arrived: Promise<Arrival>;

  before(async () => {
    const ids: string[] = [];
    const node = async (relay?: { maxReservations: number; bytesPerSecond: number }) => PeerNode.start({
      privateKey: await generateKeyPair('Ed25519'), listen: LOOPBACK, mdns: false,
      admit: (p) => ids.includes(p), isPaired: (p) => ids.includes(p), ...(relay ? { relay } : {}),
    });
    nodes.push(await node({ maxReservations: 4, bytesPerSecond: 1024 * 1024 }), await node(), await node());
    ids.push(...nodes.map((n) => n.peerId));
    const [r, , b] = nodes;
    arrived = new Promise((resolve) => void b!.handle('original', async (stream) => {
      const hash = createHash('sha256');
      let bytes = 0;
      for await (const chunk of stream) {
        bytes += chunk.byteLength;
        hash.update(chunk.subarray());
      }
      resolve({ bytes, hash: hash.digest('hex'), at: Date.now() });
      await stream.close();
    }));
    await b!.reserveOn(r!.addresses()[0]!);
  });
  after(async () => { await Promise.all(nodes.map((n) => n.stop())); });

  it('carries a circuit no faster than the budget, every byte in order', async () => {
    const [r, a, b] = nodes;
    const stream = await a!.open(`${r!.addresses()[0]!}/p2p-circuit/p2p/${b!.peerId}`, 'original', AbortSignal.timeout(10_000));
    assert.equal(a!.pathTo(b!.peerId), 'relay');
    const body = randomBytes(3 * 1024 * 1024);
    const t0 = Date.now();
    // In pieces of odd sizes, so the relay's slices cut across them.
    for (let at = 0; at < body.byteLength; at += 100_003) {
      if (!stream.send(body.subarray(at, at + 100_003))) await stream.onDrain({ signal: AbortSignal.timeout(20_000) });
    }
    await stream.close({ signal: AbortSignal.timeout(20_000) });
    const got = await arrived;
    const ms = got.at - t0;
    assert.equal(got.bytes, body.byteLength);
    assert.equal(got.hash, createHash('sha256').update(body).digest('hex'));
    // 3 MiB at 1 MiB/s less a quarter second's burst: at least 2.7 s (unpaced, ~0.1 s on loopback).
    assert.ok(ms >= 2_500, `3 MiB through a 1 MiB/s relay in ${ms} ms`);
  });
});
