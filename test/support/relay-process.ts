/**
 * A relay in a process of its own, for tests that measure what a relay holds: a PeerNode relaying
 * for anyone (it admits every peer: the test's two nodes), its address on the first stdout line;
 * each line on stdin answers with this process's ArrayBuffer bytes after a full collection.
 * Run with --expose-gc.
 */
import { createInterface } from 'node:readline';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { PeerNode } from '../../src/sync/net/peer-node.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const relay = await PeerNode.start({
  privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false,
  admit: () => true, isPaired: () => true, relay: { maxReservations: 4 },
});
process.stdout.write(`${JSON.stringify({ addr: relay.addresses()[0] })}\n`);
for await (const _ of createInterface({ input: process.stdin })) {
  gc();
  await new Promise((res) => setTimeout(res, 200));
  gc();
  process.stdout.write(`${JSON.stringify({ array_buffers: process.memoryUsage().arrayBuffers })}\n`);
}
await relay.stop();
