/**
 * BOX: the relay box. One libp2p node (circuit relay v2 server without the default limits, as vss
 * runs it) listening on TCP for devices, and ONE HTTPS port (Fastify 5, the user's certificate)
 * that serves the web app AND takes the browser's secure WebSocket: Fastify's https server hands
 * each `upgrade` request to libp2p's own WebSocket listener (`onUpgrade`), so TLS ends in Fastify
 * and libp2p sees an ordinary WebSocket.
 *
 *   node box.mjs <cert.pem> <key.pem> <www dir>
 *
 * stdin: "allow <id>" / "deny <id>" (slots and circuits only between allowed peers, as vss serves
 * members only; "open" lets any circuit through, to show the home's own gater refusing),
 * "capture <dir>" / "capture stop" (record every byte the relay forwards inside circuits).
 */
import './polyfill.js';
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { circuitRelayServer } from '@libp2p/circuit-relay-v2';
import { identify } from '@libp2p/identify';
import { tcp } from '@libp2p/tcp';
import { webSockets } from '@libp2p/websockets';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import Fastify from 'fastify';

const [certFile, keyFile, www] = process.argv.slice(2);
// BOX_MODE=two-port: the fallback, libp2p's own WSS listener on a second port (its own https server).
const twoPort = process.env.BOX_MODE === 'two-port';
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const warn = (s) => process.stderr.write(`box: ${s}\n`);
const allowed = new Set();
let open = false;

// The web app's policy in vss (src/daemon/ui/static.ts): connect-src 'self' must let the page open
// wss:// to its own origin.
const APP_CSP = [
  "default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "style-src 'self'", "img-src 'self' blob:", "media-src 'self' blob:",
  "connect-src 'self'", "font-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

// ---- HTTPS first: its port goes into what libp2p announces.
const fastify = Fastify({ logger: false, https: { cert: readFileSync(certFile), key: readFileSync(keyFile) } });
// Two ports: the page's WebSocket goes to another origin, which connect-src 'self' refuses; it must be named.
let csp = APP_CSP;
const page = (file, type) => async (_req, reply) => reply.type(type).header('content-security-policy', csp).header('cache-control', 'no-store').send(readFileSync(join(www, file)));
fastify.get('/', page('index.html', 'text/html; charset=utf-8'));
fastify.get('/app.js', page('app.js', 'text/javascript; charset=utf-8'));
// The same page with a bundle that keeps its names (build.mjs --profile), for CPU profiles.
fastify.get('/p/', page('../dist-profile/index.html', 'text/html; charset=utf-8'));
fastify.get('/p/app.js', page('../dist-profile/app.js', 'text/javascript; charset=utf-8'));
let boxInfo = {};
fastify.get('/box.json', async () => boxInfo);

// libp2p's WebSocket listener, caught as the transport makes it (it is what `onUpgrade` is called on).
let wsListener;
const upgrades = [];
fastify.server.on('upgrade', (req, socket, head) => {
  // Only the libp2p path; a listener not there yet (start-up) or another path: refuse.
  if (twoPort || !wsListener || new URL(req.url, 'https://x').pathname !== '/') return void socket.destroy();
  upgrades.push(Date.now());
  wsListener.onUpgrade(req, socket, head);
});
await fastify.listen({ host: '127.0.0.1', port: 0 });
const httpsPort = fastify.server.address().port;

const catchListener = (factory) => (components) => {
  const transport = factory(components);
  const create = transport.createListener.bind(transport);
  transport.createListener = (opts) => (wsListener = create(opts));
  return transport;
};

// The WebSocket listener must listen somewhere to work (it checks its own server's address): a plain
// ws:// port on loopback nobody is told of. What is announced instead is the HTTPS port, /tls/ws.
const WS_INTERNAL = '/ip4/127.0.0.1/tcp/0/ws';
const node = await createLibp2p({
  privateKey: await generateKeyPair('Ed25519'),
  addresses: twoPort ? { listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/tls/ws'] } : {
    listen: ['/ip4/127.0.0.1/tcp/0', WS_INTERNAL],
    announceFilter: (addrs) => [
      ...addrs.filter((a) => !a.toString().includes('/ws')),
      multiaddr(`/ip4/127.0.0.1/tcp/${httpsPort}/tls/ws`),
    ],
  },
  transports: [tcp(), twoPort ? webSockets({ https: { cert: readFileSync(certFile), key: readFileSync(keyFile) } }) : catchListener(webSockets())],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: {
    identify: identify(),
    relay: circuitRelayServer({
      reservations: { applyDefaultLimit: false, maxReservations: 64 },
      maxInboundHopStreams: 16,
      maxOutboundStopStreams: 16,
    }),
  },
  connectionGater: {
    denyDialMultiaddr: () => false,
    denyInboundRelayReservation: (source) => !allowed.has(source.toString()),
    denyOutboundRelayedConnection: (source, destination) => {
      const deny = !open && !(allowed.has(source.toString()) && allowed.has(destination.toString()));
      if (deny) warn(`refused a circuit ${source} -> ${destination}`);
      return deny;
    },
  },
  connectionManager: { inboundConnectionThreshold: 200 },
  start: false,
});

// ---- the tap: every byte the relay writes into a circuit's two streams (after its own Noise
// session with each side is undone: what a curious box operator could read).
const capture = { on: false, dir: '', toHome: [], toDialer: [], bytes: { toHome: 0, toDialer: 0 }, circuits: 0 };
const relay = node.services.relay;
const circuit = new AsyncLocalStorage();
const onHop = relay.onHop.bind(relay);
relay.onHop = (stream, connection) => circuit.run({ src: stream }, () => onHop(stream, connection));
const stopHop = relay.stopHop.bind(relay);
relay.stopHop = async (args, opts) => {
  const dst = await stopHop(args, opts);
  const c = circuit.getStore();
  if (c && dst) {
    capture.circuits++;
    tap(dst, 'toHome'); // what the dialer (browser) sent, written on to the home
    tap(c.src, 'toDialer'); // what the home sent, written back to the dialer
  }
  return dst;
};
function tap(stream, dir) {
  const send = stream.send.bind(stream);
  stream.send = (data) => {
    const bytes = data instanceof Uint8Array ? data : data.subarray();
    capture.bytes[dir] += bytes.byteLength;
    if (capture.on) capture[dir].push(Uint8Array.from(bytes));
    return send(data);
  };
}
await node.start();

const tcpAddr = node.getMultiaddrs().map(String).find((a) => /\/tcp\/\d+\/p2p\//.test(a) && !a.includes('/ws'));
const wssAddr = twoPort ? `${node.getMultiaddrs().map(String).find((a) => a.includes('/tls/ws'))}` : `/ip4/127.0.0.1/tcp/${httpsPort}/tls/ws/p2p/${node.peerId}`;
boxInfo = { peerId: node.peerId.toString(), wss: wssAddr };
if (twoPort) csp = APP_CSP.replace("connect-src 'self'", `connect-src 'self' wss://127.0.0.1:${/tcp\/(\d+)\/tls/.exec(wssAddr)[1]}`);
say({ ready: 'box', peerId: node.peerId.toString(), tcp: tcpAddr, httpsPort, wss: wssAddr, announced: node.getMultiaddrs().map(String) });

createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, arg] = line.trim().split(/\s+/);
  const ack = { ack: line.trim() };
  if (cmd === 'allow') allowed.add(arg);
  else if (cmd === 'deny') allowed.delete(arg);
  else if (cmd === 'open') open = arg !== 'off';
  else if (cmd === 'capture' && arg !== 'stop') {
    Object.assign(capture, { on: true, dir: arg, toHome: [], toDialer: [], bytes: { toHome: 0, toDialer: 0 } });
  } else if (cmd === 'capture') {
    mkdirSync(capture.dir, { recursive: true });
    for (const d of ['toHome', 'toDialer']) writeFileSync(join(capture.dir, `${d}.bin`), Buffer.concat(capture[d]));
    Object.assign(ack, { bytes: capture.bytes, circuits: capture.circuits });
    capture.on = false;
    capture.toHome = []; capture.toDialer = [];
  } else if (cmd === 'stats') {
    Object.assign(ack, { upgrades: upgrades.length, connections: node.getConnections().map((c) => ({ peer: c.remotePeer.toString(), addr: c.remoteAddr.toString() })) });
  }
  say(ack);
});
const stop = async () => { await node.stop().catch(() => {}); await fastify.close().catch(() => {}); process.exit(0); };
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
