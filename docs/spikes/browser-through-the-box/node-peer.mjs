/**
 * The baseline: a Node peer reaching the home through the same box, the same steps as the
 * browser. Over TCP (how devices reach the box), or over the box's WSS port (`wss`: Node 20 has no
 * global WebSocket without --experimental-websocket; the box's self-signed certificate is
 * accepted through NODE_EXTRA_CA_CERTS).
 *
 *   node node-peer.mjs <box multiaddr> <home peer id> <runs>
 * Prints {"peerId"}; then one run for each "go" line on stdin, and one JSON line for it.
 */
import './polyfill.js';
import { createInterface } from 'node:readline';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { identify } from '@libp2p/identify';
import { tcp } from '@libp2p/tcp';
import { webSockets } from '@libp2p/websockets';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import { fetchLibrary, streamedEvents, transfers } from './shared/client.js';

const [boxAddr, home, runs = '3'] = process.argv.slice(2);
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const now = () => performance.now();

const node = await createLibp2p({
  privateKey: await generateKeyPair('Ed25519'),
  addresses: { listen: [] },
  transports: [tcp(), webSockets(), circuitRelayTransport()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: { identify: identify() },
  connectionGater: { denyDialMultiaddr: () => false },
});
say({ peerId: node.peerId.toString() });
const lines = createInterface({ input: process.stdin });
const go = () => new Promise((resolve) => lines.once('line', resolve));

for (let i = 0; i < Number(runs); i++) {
  await go();
  const r = { run: i + 1 };
  try {
    let t = now();
    const conn = await node.dial(multiaddr(`${boxAddr}/p2p-circuit/p2p/${home}`), { signal: AbortSignal.timeout(15_000) });
    r.connectMs = now() - t;
    r.remoteAddr = conn.remoteAddr.toString();
    t = now();
    await fetchLibrary(conn);
    r.firstJsonMs = now() - t;
    r.events = await streamedEvents(conn, now);
    r.transfers = await transfers(conn, now);
    await conn.close();
    // A fresh circuit each run, as a reloaded page makes: the box's connection is kept.
  } catch (err) {
    r.error = `${err.name}: ${err.message}`;
  }
  say(r);
}
await node.stop();
process.exit(0);
