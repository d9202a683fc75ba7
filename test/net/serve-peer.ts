/**
 * A source device as a process of its own, so a test can SIGKILL it mid-transfer:
 *   node dist/test/net/serve-peer.js DATA_DIR LIBRARY_ROOT PEER_ID DEVICE_UUID
 * Opens the library, starts a PeerNode on loopback with the device's own key (DATA_DIR/device.key),
 * admits only PEER_ID (the paired receiver, known as DEVICE_UUID) and serves it /vss/fetch/1.0.0
 * and /vss/availability/1.0.0 and the availability feed (/vss/feed/1.0.0) honestly. Prints one JSON line:
 *   {"ready": {"pid", "peer_id", "device_uuid", "library_id", "addr"}}
 * then serves until SIGTERM or stdin closes. Exit 1 with {"error"} on failure.
 */
import { Installation } from '../../src/library/installation.js';
import { devicePeerKey } from '../../src/sync/net/device-key.js';
import { PeerNode } from '../../src/sync/net/peer-node.js';
import type { RemoteDevice } from '../../src/sync/peer-link.js';
import { Availability } from '../../src/sync/availability/availability.js';
import { serveAvailability, serveAvailabilityFeed } from '../../src/sync/availability/exchange.js';
import { serveFetch } from '../../src/sync/transfer/fetch-protocol.js';
import { TransferStore } from '../../src/sync/transfer/store.js';

const [dataDir, libraryRoot, receiverPeerId, receiverDeviceUuid] = process.argv.slice(2);
if (!dataDir || !libraryRoot || !receiverPeerId || !receiverDeviceUuid) {
  console.error('usage: serve-peer DATA_DIR LIBRARY_ROOT PEER_ID DEVICE_UUID');
  process.exit(2);
}
const say = (o: unknown): void => void process.stdout.write(JSON.stringify(o) + '\n');

try {
  const vss = new Installation({ dataDir });
  const lib = vss.openLibrary(libraryRoot);
  const libraryId = lib.config.id;
  const transfers = new TransferStore(lib);
  const availability = new Availability(lib);
  const receiver: RemoteDevice = { deviceUuid: receiverDeviceUuid, peerId: receiverPeerId, name: 'receiver', libraryIds: [libraryId] };
  const node = await PeerNode.start({
    privateKey: await devicePeerKey(dataDir),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    admit: (p) => p === receiverPeerId,
    isPaired: (p) => p === receiverPeerId,
  });
  await node.handle('fetch', (stream) => serveFetch(stream, receiver, (id) => (id === libraryId ? transfers : undefined)));
  await node.handle('availability', (stream) => serveAvailability(stream, receiver, (id) => (id === libraryId ? availability : undefined)));
  await node.handle('feed', (stream) => serveAvailabilityFeed(stream, receiver, (id) => (id === libraryId ? availability : undefined)));

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await node.stop();
    lib.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  // The test process gone (even killed): do not outlive it.
  process.stdin.on('end', () => void stop());
  process.stdin.resume();

  say({ ready: { pid: process.pid, peer_id: node.peerId, device_uuid: lib.device.uuid, library_id: libraryId, addr: node.addresses()[0] } });
} catch (err) {
  say({ error: (err as Error).message });
  process.exit(1);
}
