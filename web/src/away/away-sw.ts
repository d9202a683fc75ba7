/**
 * The service worker of the web app served by a relay box (issue 46 item 4): every request the
 * app makes of `/api/` — JSON, thumbnails in <img>, an original's ranges in <video>, the event
 * stream, uploads — goes to the home device end to end through the box, over one libp2p
 * connection this worker holds: a secure WebSocket to the box (the page's own origin), a circuit
 * on it, and the browser's own Noise session with its home, which proves the browser's key (kept
 * non-extractable in IndexedDB). The box carries ciphertext only. Everything else (the app's own
 * files) comes from the box as usual.
 */
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { publicKeyFromRaw } from '@libp2p/crypto/keys';
import { identify } from '@libp2p/identify';
import type { Connection, Ed25519PrivateKey } from '@libp2p/interface';
import { webSockets } from '@libp2p/websockets';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p, type Libp2p } from 'libp2p';
import { p2pFetch, type FrameStream } from '../../../src/sync/net/http-frames.js';
import { awayHome, awayKey } from './away-store.js';

/** The parts of ServiceWorkerGlobalScope used here (the DOM's lib, not the worker's, types this project). */
interface FetchEventLike extends Event {
  request: Request;
  respondWith(r: Promise<Response>): void;
}
interface ExtendableEventLike extends Event {
  waitUntil(p: Promise<unknown>): void;
}
declare const self: {
  location: Location;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(type: 'install', fn: (e: ExtendableEventLike) => void): void;
  addEventListener(type: 'activate', fn: (e: ExtendableEventLike) => void): void;
  addEventListener(type: 'fetch', fn: (e: FetchEventLike) => void): void;
};

const HTTP_PROTOCOL = '/vss/http/1.0.0';
const DIAL_MS = 15_000;
/** What the box serves of itself (not the home's). */
const BOX_INFO = '/.well-known/vss-box.json';

self.addEventListener('install', () => void self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith('/api/')) return;
  event.respondWith(forward(event.request, url));
});

let node: Promise<Libp2p> | undefined;
let conn: Promise<Connection> | undefined;

/** The libp2p node, its key this browser's (a WebCrypto key: libp2p only ever asks it to sign). */
function theNode(): Promise<Libp2p> {
  node ??= (async () => {
    const kept = await awayKey();
    const publicKey = publicKeyFromRaw(kept.publicRaw);
    const key = {
      type: 'Ed25519' as const,
      publicKey,
      get raw(): Uint8Array {
        throw new Error('this browser\'s key cannot be read out (a non-extractable WebCrypto key)');
      },
      equals: (other: unknown) => other === key,
      sign: async (data: Uint8Array | { subarray(): Uint8Array }) => new Uint8Array(await crypto.subtle.sign('Ed25519', kept.privateKey, new Uint8Array(data instanceof Uint8Array ? data : data.subarray()))),
    } as unknown as Ed25519PrivateKey;
    return createLibp2p({
      privateKey: key,
      addresses: { listen: [] },
      transports: [webSockets(), circuitRelayTransport()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify() },
      // libp2p's browser default refuses private addresses: a box reached at home by its LAN address is one.
      connectionGater: { denyDialMultiaddr: () => false },
    });
  })();
  node.catch(() => (node = undefined));
  return node;
}

/** The connection to the home through the box: dialled when none is open. */
function toHome(): Promise<Connection> {
  const open = conn;
  if (open) {
    return open.then((c) => (c.status === 'open' ? c : ((conn = undefined), toHome())));
  }
  conn = (async () => {
    const home = await awayHome();
    if (!home) throw new Error('this browser is not paired with a home device: open the pairing address `vss ui pair --away` printed');
    const res = await fetch(BOX_INFO, { cache: 'no-store' });
    const box = (await res.json()) as { multiaddr: string | null };
    if (!box.multiaddr) throw new Error('the relay box is starting');
    const n = await theNode();
    return n.dial(multiaddr(`${box.multiaddr}/p2p-circuit/p2p/${home}`), { signal: AbortSignal.timeout(DIAL_MS) });
  })();
  conn.catch(() => (conn = undefined));
  return conn;
}

async function forward(req: Request, url: URL): Promise<Response> {
  try {
    const c = await toHome();
    const headers: Record<string, string> = {};
    req.headers.forEach((v, k) => (headers[k] = v));
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : new Uint8Array(await req.arrayBuffer());
    return await p2pFetch(async () => (await c.newStream(HTTP_PROTOCOL, { runOnLimitedConnection: true, signal: AbortSignal.timeout(DIAL_MS) })) as unknown as FrameStream,
      url.pathname + url.search, { method: req.method, headers, ...(body ? { body } : {}), signal: req.signal });
  } catch (err) {
    if (req.signal.aborted) throw err;
    conn = undefined;
    const message = `the home device cannot be reached through the relay box (offline, or this browser was revoked): ${(err as Error).message}`;
    return new Response(JSON.stringify({ error: { code: 'NETWORK', message } }), { status: 503, headers: { 'content-type': 'application/json' } });
  }
}
