/**
 * One side of a library pull as a process of its own, so a test can SIGKILL it mid-backfill:
 *   node dist/test/net/library-peer.js serve DATA_DIR LIBRARY_ROOT OTHER_PEER_ID OTHER_DEVICE_UUID
 *     serves /vss/library/1.0.0 to the other device on loopback; prints {"ready": {"addr"}} and
 *     serves until SIGTERM or stdin closes
 *   node dist/test/net/library-peer.js pull DATA_DIR LIBRARY_ROOT OWNER_ADDR OWNER_DEVICE_UUID
 *     pulls the owner's rows once; prints {"page", "entries", "committed"} as each page is applied, then
 *     {"pulled": {full, resumed, pages, entries}} and exits
 * Either uses the device's own key (DATA_DIR/device.key) and admits only the other's peer id.
 * Exit 1 with {"error"} on failure.
 */
import { Installation } from '../../src/library/installation.js';
import { devicePeerKey } from '../../src/sync/net/device-key.js';
import { PeerNode } from '../../src/sync/net/peer-node.js';
import { pullLibrary, serveLibrary } from '../../src/sync/library/exchange.js';
import { PeerLibrary } from '../../src/sync/library/peer-library.js';

const [mode, dataDir, libraryRoot, other, otherDevice] = process.argv.slice(2);
const say = (o: unknown): void => void process.stdout.write(JSON.stringify(o) + '\n');
if ((mode !== 'serve' && mode !== 'pull') || !dataDir || !libraryRoot || !other || !otherDevice) {
  console.error('usage: library-peer serve|pull DATA_DIR LIBRARY_ROOT OTHER OTHER_DEVICE_UUID');
  process.exit(2);
}

try {
  const lib = new Installation({ dataDir }).openLibrary(libraryRoot);
  const libraryIds = [lib.config.id];
  if (mode === 'serve') {
    const node = await PeerNode.start({ privateKey: await devicePeerKey(dataDir), listen: ['/ip4/127.0.0.1/tcp/0'], admit: (p) => p === other, isPaired: (p) => p === other });
    await node.handle('feed', (stream) => serveLibrary(stream, { deviceUuid: otherDevice, peerId: other, name: 'puller', libraryIds }, () => lib));
    const stop = async (): Promise<void> => {
      await node.stop();
      lib.close();
      process.exit(0);
    };
    process.on('SIGTERM', () => void stop());
    process.stdin.on('end', () => void stop());
    process.stdin.resume();
    say({ ready: { addr: node.addresses()[0] } });
  } else {
    const ownerPeer = other.split('/p2p/')[1]!;
    const node = await PeerNode.start({ privateKey: await devicePeerKey(dataDir), listen: ['/ip4/127.0.0.1/tcp/0'], admit: (p) => p === ownerPeer, isPaired: (p) => p === ownerPeer });
    const got = await pullLibrary(await node.open(other, 'feed'), new PeerLibrary(lib), { deviceUuid: otherDevice, peerId: ownerPeer, name: 'owner', libraryIds }, lib.config.id, {
      onPage: (pages, entries, committed) => say({ page: pages, entries, committed }),
    });
    say({ pulled: { full: got.full, resumed: got.resumed, pages: got.pages, entries: got.entries } });
    await node.stop();
    lib.close();
    process.exit(0);
  }
} catch (err) {
  say({ error: (err as Error).message });
  process.exit(1);
}
