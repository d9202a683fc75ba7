/**
 * BROWSER: the page the box serves. A libp2p node (WebSockets + circuit relay transport, Noise,
 * Yamux, identify) whose Ed25519 key is made once and kept in IndexedDB; it dials the home device
 * through a circuit on the box, over a secure WebSocket to the page's own origin, and talks HTTP
 * to it over libp2p streams (shared/client.js).
 *
 * ?home=<peer id>&auto=1 runs the steps on load and leaves window.spikeResult.
 */
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { identify } from '@libp2p/identify';
import { webSockets } from '@libp2p/websockets';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf, publicKeyFromRaw } from '@libp2p/crypto/keys';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import { fetchLibrary, p2pFetch, streamedEvents, transfers } from '../shared/client.js';

const marks = { scriptStart: performance.now() };
const status = (s) => { document.getElementById('status').textContent = s; };

/**
 * ?key=webcrypto: the key as a NON-extractable WebCrypto Ed25519 CryptoKey (IndexedDB stores the
 * CryptoKey itself): page scripts can sign with it but never read it. libp2p only needs `sign()`
 * and the public key from it (Noise's handshake payload, identify's signed record).
 */
async function loadWebCryptoKey(tx) {
  let stored = await tx('readonly', (s) => s.get('webcrypto-ed25519'));
  let fresh = false;
  if (!stored) {
    const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
    stored = { privateKey: pair.privateKey, publicRaw: new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)) };
    await tx('readwrite', (s) => s.put(stored, 'webcrypto-ed25519'));
    fresh = true;
  }
  const publicKey = publicKeyFromRaw(stored.publicRaw);
  const key = {
    type: 'Ed25519',
    publicKey,
    get raw() { throw new Error('this key cannot be exported (a non-extractable WebCrypto key)'); },
    equals: (other) => other === key,
    sign: async (data) => new Uint8Array(await crypto.subtle.sign('Ed25519', stored.privateKey, data instanceof Uint8Array ? data : data.subarray())),
  };
  return { key, fresh, kind: 'webcrypto' };
}

/** The device key, kept in IndexedDB (origin-bound; the same peer id after a reload). */
async function loadKey() {
  const db = await new Promise((resolve, reject) => {
    const req = indexedDB.open('vss-spike', 1);
    req.onupgradeneeded = () => req.result.createObjectStore('keys');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const tx = (mode, fn) => new Promise((resolve, reject) => {
    const t = db.transaction('keys', mode);
    const r = fn(t.objectStore('keys'));
    t.oncomplete = () => resolve(r.result);
    t.onerror = () => reject(t.error);
  });
  if (new URLSearchParams(location.search).get('key') === 'webcrypto') return loadWebCryptoKey(tx);
  const stored = await tx('readonly', (s) => s.get('libp2p-ed25519'));
  if (stored) return { key: privateKeyFromProtobuf(new Uint8Array(stored)), fresh: false, kind: 'protobuf' };
  const key = await generateKeyPair('Ed25519');
  await tx('readwrite', (s) => s.put(privateKeyToProtobuf(key), 'libp2p-ed25519'));
  return { key, fresh: true, kind: 'protobuf' };
}

/**
 * The circuit to HOME through the box that served this page: the WSS address the box gives in
 * /box.json, else its own host and port, /tls/ws (one port for both).
 */
function circuitAddr(box, home) {
  if (box.wss && new URLSearchParams(location.search).get('via') !== 'location') return `${box.wss}/p2p-circuit/p2p/${home}`;
  const boxId = box.peerId;
  const host = location.hostname;
  const proto = /^\d+\.\d+\.\d+\.\d+$/.test(host) ? 'ip4' : host.includes(':') ? 'ip6' : 'dns';
  const port = location.port || '443';
  return `/${proto}/${host.replace(/^\[|\]$/g, '')}/tcp/${port}/tls/ws/p2p/${boxId}/p2p-circuit/p2p/${home}`;
}

async function main() {
  const params = new URLSearchParams(location.search);
  const { key, fresh, kind } = await loadKey();
  marks.keyKind = kind;
  marks.keyLoaded = performance.now();
  const node = await createLibp2p({
    privateKey: key,
    addresses: { listen: [] },
    transports: [webSockets(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() },
    // The browser's default gater refuses private addresses (127.0.0.1, a box on the LAN) and
    // ws:// ; a box reached at home by its LAN address needs this too.
    // (?gater=default keeps libp2p's browser default, to show what it refuses.)
    ...(params.get('gater') === 'default' ? {} : { connectionGater: { denyDialMultiaddr: () => false } }),
  });
  marks.nodeStarted = performance.now();
  window.spike = { peerId: node.peerId.toString(), freshKey: fresh, keyKind: kind, run: (opts) => run(node, fresh, opts) };
  status(`peer ${node.peerId}`);
  document.getElementById('peer').textContent = node.peerId.toString();
  if (!params.get('auto')) return;
  window.spikeResult = await run(node, fresh, { home: params.get('home'), transfers: params.get('transfers') !== '0' });
  await node.stop().catch(() => {});
}

/** The steps: dial the home through the box, JSON, image, NDJSON, transfers. Marks are ms since navigation start. */
async function run(node, fresh, opts) {
  const result = { peerId: node.peerId.toString(), freshKey: fresh };
  try {
    const box = await (await fetch('/box.json')).json();
    marks.boxInfo = performance.now();
    const addr = circuitAddr(box, opts.home);
    result.addr = addr;
    const conn = await node.dial(multiaddr(addr), { signal: AbortSignal.timeout(15_000) });
    marks.connected = performance.now();
    result.connection = { remoteAddr: conn.remoteAddr.toString(), limited: conn.limits !== undefined, encryption: conn.encryption, multiplexer: conn.multiplexer };

    const lib = await fetchLibrary(conn);
    marks.firstJson = performance.now();
    document.getElementById('library').textContent = `${lib.library}: ${lib.items.length} items`;

    const res = await p2pFetch(conn, '/api/thumb');
    const blob = await res.blob();
    const img = document.getElementById('thumb');
    const loaded = new Promise((resolve, reject) => { img.onload = resolve; img.onerror = () => reject(new Error('the image did not decode')); });
    img.src = URL.createObjectURL(blob);
    await loaded;
    await new Promise((r) => requestAnimationFrame(() => r()));
    marks.imageShown = performance.now();
    result.image = { bytes: blob.size, type: blob.type, width: img.naturalWidth, height: img.naturalHeight };

    result.whoami = await (await p2pFetch(conn, '/api/whoami')).json();
    result.events = await streamedEvents(conn, () => performance.now());
    if (opts.transfers !== false) result.transfers = await transfers(conn, () => performance.now(), status);
    status('done');
  } catch (err) {
    result.error = `${err?.name ?? 'Error'}: ${err?.message ?? String(err)}`;
    status(`failed: ${result.error}`);
  }
  result.marks = Object.fromEntries(Object.entries(marks).filter(([, v]) => typeof v === 'number').map(([k, v]) => [k, Math.round(v)]));
  result.keyKind = marks.keyKind;
  return result;
}

main().catch((err) => { window.spikeResult = { error: `${err?.name}: ${err?.message}` }; status(`failed: ${err?.message}`); });
