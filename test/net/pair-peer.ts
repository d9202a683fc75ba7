/**
 * One side of a pairing, as a process of its own (for tests across network namespaces):
 *   node dist/test/net/pair-peer.js host DATA_DIR LISTEN_MULTIADDR
 *     → {"code": [...12 words], "expires_at", "peer_id"}, then {"paired": {device_id, name, peer_id}}
 *   node dist/test/net/pair-peer.js join DATA_DIR LISTEN_MULTIADDR WORD...   (finds the host by mDNS only)
 *     → {"joined": {device_id, name, peer_id, library_id}}
 * One JSON object a line on stdout; exit 1 with {"error"} on failure.
 */
import { createPrivateKey, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOrCreateDevice } from '../../src/device/identity.js';
import { devicePeerKey } from '../../src/sync/net/device-key.js';
import { PeerNode } from '../../src/sync/net/peer-node.js';
import { PairedDevices, PairingHost, discoveredPeers, joinPairing, pairingDialer, type LocalDeviceInfo } from '../../src/sync/pairing/index.js';

const [role, dataDir, listen, ...words] = process.argv.slice(2);
if ((role !== 'host' && role !== 'join') || !dataDir || !listen) {
  console.error('usage: pair-peer host|join DATA_DIR LISTEN_MULTIADDR [WORD...]');
  process.exit(2);
}
const say = (o: unknown): void => void process.stdout.write(JSON.stringify(o) + '\n');

const device = loadOrCreateDevice(dataDir);
const local: LocalDeviceInfo = {
  deviceUuid: device.uuid,
  name: `${role}-${process.pid}`,
  publicKeyPem: device.publicKey,
  privateKey: createPrivateKey(readFileSync(join(dataDir, 'device.key'), 'utf8')),
};
const store = PairedDevices.load(dataDir);
const host = new PairingHost({ store });
let joining = false;
const node = await PeerNode.start({
  privateKey: await devicePeerKey(dataDir),
  listen: [listen],
  mdns: true,
  admit: (p) => store.byPeerId(p) !== undefined || host.isOpen() || joining,
  isPaired: (p) => store.byPeerId(p) !== undefined,
});
await node.handle('pair', (stream, remote) => host.handleStream(stream, remote));

try {
  if (role === 'host') {
    const open = host.open(local, { id: randomUUID(), name: 'Photos' }, { ttlMs: 60_000 });
    say({ code: open.words, expires_at: open.expiresAt, peer_id: node.peerId });
    const { device: d } = await open.done;
    say({ paired: { device_id: d.device_uuid, name: d.name, peer_id: d.peer_id } });
  } else {
    joining = true;
    const search = new AbortController();
    const r = await joinPairing({ code: words, local, candidates: discoveredPeers(node, search.signal), open: pairingDialer(node), store, timeoutMs: 30_000 });
    search.abort();
    say({ joined: { device_id: r.device.device_uuid, name: r.device.name, peer_id: r.device.peer_id, library_id: r.library.id } });
  }
} catch (err) {
  say({ error: (err as Error).message });
  process.exitCode = 1;
} finally {
  await node.stop();
}
