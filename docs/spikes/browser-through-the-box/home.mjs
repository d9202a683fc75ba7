/**
 * HOME: the device at home. TCP only; keeps a slot on the box (circuit relay v2) and serves
 * /vss-spike/http/1 on relayed connections too: each stream is one HTTP request answered by
 * fastify.inject() on its own Fastify app (streamed both ways: the request body is a Readable,
 * the response comes with payloadAsStream). Its gater lets in only the box and the peer ids
 * it was told to allow (stdin: "allow <id>" / "deny <id>"); prints one JSON line when ready.
 *
 *   node home.mjs <box tcp multiaddr with /p2p/ID>
 */
import './polyfill.js';
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { identify } from '@libp2p/identify';
import { tcp } from '@libp2p/tcp';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { createLibp2p } from 'libp2p';
import Fastify from 'fastify';
import { encodeHead, readHead, sendAll, sendBytes, collect } from './shared/frame.js';
import { HTTP_PROTOCOL, RAW_PROTOCOL } from './shared/client.js';
import { DOWNLOAD_BYTES, LIBRARY_JSON, MiB, SEEDS, prng, sha256, thumbnail } from './shared/payloads.js';

const boxAddr = process.argv[2];
if (!boxAddr) throw new Error('usage: node home.mjs <box multiaddr>');
const boxId = boxAddr.split('/p2p/').at(-1);
const allowed = new Set([boxId]);
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const warn = (s) => process.stderr.write(`home: ${s}\n`);

// ---- the home daemon's own routes (stand-ins for vss's API)
const THUMB = thumbnail();
const DOWNLOAD = prng(SEEDS.download, DOWNLOAD_BYTES);
const app = Fastify({ logger: false });
// Fastify parses no octet-stream by default (415), and its body limit is 1 MiB.
app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: 64 * MiB }, (_req, body, done) => done(null, body));
app.get('/api/library', async () => LIBRARY_JSON);
app.get('/api/whoami', async (req) => ({ peer: req.headers['x-vss-peer'] ?? null }));
app.get('/api/thumb', async (_req, reply) => reply.type('image/bmp').send(Buffer.from(THUMB.buffer, THUMB.byteOffset, THUMB.byteLength)));
app.get('/api/download', async (_req, reply) => reply.type('application/octet-stream').send(Buffer.from(DOWNLOAD.buffer, DOWNLOAD.byteOffset, DOWNLOAD.byteLength)));
app.post('/api/upload', { bodyLimit: 64 * MiB }, async (req) => ({ bytes: req.body.length, sha256: await sha256(req.body) }));
app.get('/api/events', async (_req, reply) => {
  // NDJSON as vss's streamed operations send it: a line now, then one every 300 ms.
  const ndjson = Readable.from((async function* () {
    for (let i = 0; i < 3; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 300));
      yield `{"event":"progress","n":${i}}\n`;
    }
  })());
  return reply.type('application/x-ndjson').send(ndjson);
});
await app.ready();

// Headers a caller may not set: the bridge says who the peer is (its Noise-proven key).
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host', 'x-vss-peer']);

async function serveHttp(stream, connection) {
  const { head, body } = await readHead(stream);
  const headers = {};
  for (const [k, v] of Object.entries(head.headers ?? {})) if (!HOP_BY_HOP.has(k.toLowerCase())) headers[k.toLowerCase()] = String(v);
  headers['x-vss-peer'] = connection.remotePeer.toString();
  const method = String(head.method ?? 'GET').toUpperCase();
  const withBody = method !== 'GET' && method !== 'HEAD';
  const res = await app.inject({
    method,
    url: String(head.path),
    headers,
    ...(withBody ? { payload: Readable.fromWeb(body) } : {}),
    payloadAsStream: true,
  });
  const out = {};
  for (const [k, v] of Object.entries(res.headers)) out[k] = Array.isArray(v) ? v.map(String) : String(v);
  stream.send(encodeHead({ status: res.statusCode, headers: out }));
  await sendAll(stream, res.stream());
  await stream.close();
}

async function serveRaw(stream) {
  const { head, body } = await readHead(stream);
  if (head.op === 'up') {
    const got = await collect(body);
    stream.send(encodeHead({ bytes: got.byteLength, sha256: await sha256(got) }));
  } else {
    stream.send(encodeHead({ bytes: head.bytes }));
    await sendBytes(stream, head.bytes === DOWNLOAD_BYTES ? DOWNLOAD : prng(SEEDS.download, head.bytes));
  }
  await stream.close();
}

// ---- the node
const node = await createLibp2p({
  privateKey: await generateKeyPair('Ed25519'),
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0', `${boxAddr}/p2p-circuit`] },
  transports: [tcp(), circuitRelayTransport()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: { identify: identify() },
  connectionGater: {
    denyDialMultiaddr: () => false,
    // Where the check belongs: on the home device, after Noise proved the key (the box only ever
    // sees ciphertext, so it cannot be trusted to decide who reaches home).
    denyInboundEncryptedConnection: (peer) => {
      const deny = !allowed.has(peer.toString());
      if (deny) warn(`refused ${peer} (not allowed)`);
      return deny;
    },
    denyInboundRelayedConnection: (relay, from) => {
      const deny = relay.toString() !== boxId || !allowed.has(from.toString());
      if (deny) warn(`refused a circuit from ${from} via ${relay}`);
      return deny;
    },
  },
  connectionManager: { inboundConnectionThreshold: 200 },
  start: false,
});
const handle = (fn) => (stream, connection) => {
  fn(stream, connection).catch((err) => { warn(`stream failed: ${err.message}`); stream.abort(err); });
};
await node.handle(HTTP_PROTOCOL, handle(serveHttp), { runOnLimitedConnection: true, maxInboundStreams: 64 });
await node.handle(RAW_PROTOCOL, handle(serveRaw), { runOnLimitedConnection: true, maxInboundStreams: 64 });

// The box must know this key before it gives a slot: say who we are, start on "start".
say({ peerId: node.peerId.toString() });
const lines = createInterface({ input: process.stdin });
await new Promise((resolve) => lines.once('line', resolve));
await node.start();

// Ready once the box gave a slot (a /p2p-circuit address), within 15 s.
const relayed = () => node.getMultiaddrs().map(String).filter((a) => a.includes('/p2p-circuit'));
const deadline = Date.now() + 15_000;
while (relayed().length === 0) {
  if (Date.now() > deadline) throw new Error('no slot on the box within 15 s');
  await new Promise((r) => setTimeout(r, 50));
}
say({ ready: 'home', peerId: node.peerId.toString(), relayed: relayed() });

lines.on('line', (line) => {
  const [cmd, id] = line.trim().split(/\s+/);
  if (cmd === 'allow') allowed.add(id);
  else if (cmd === 'deny') allowed.delete(id);
  say({ ack: line.trim() });
});
const stop = async () => { await node.stop().catch(() => {}); await app.close(); process.exit(0); };
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
