/**
 * The owner device of bench/library-sync-bench.ts, as a process of its own (so its reads and the
 * puller's writes run side by side, as on two machines):
 *   node dist/bench/library-sync-owner.js DATA_DIR LIBRARY_ROOT PULLER_PEER_ID PULLER_DEVICE_UUID BARE_FILE
 * Opens the library, serves /vss/library/1.0.0 to the puller on loopback, and, for the anchor, the
 * length-prefixed frames of BARE_FILE on /vss/fetch/1.0.0 (the same page bytes, read and written
 * with nothing else). Prints {"ready": {"peer_id", "addr"}} and serves until stdin closes.
 */
import { createReadStream } from 'node:fs';
import { lpStream } from '@libp2p/utils';
import { Installation } from '../src/library/installation.js';
import { devicePeerKey, rowSignerOf } from '../src/sync/net/device-key.js';
import { PeerNode } from '../src/sync/net/peer-node.js';
import { serveLibrary } from '../src/sync/library/exchange.js';

const [dataDir, libraryRoot, pullerPeerId, pullerDeviceUuid, bareFile] = process.argv.slice(2);
if (!dataDir || !libraryRoot || !pullerPeerId || !pullerDeviceUuid || !bareFile) {
  console.error('usage: library-sync-owner DATA_DIR LIBRARY_ROOT PULLER_PEER_ID PULLER_DEVICE_UUID BARE_FILE');
  process.exit(2);
}

const lib = new Installation({ dataDir }).openLibrary(libraryRoot);
const puller = { deviceUuid: pullerDeviceUuid, peerId: pullerPeerId, name: 'puller', libraryIds: [lib.config.id] };
const node = await PeerNode.start({ privateKey: await devicePeerKey(dataDir), listen: ['/ip4/127.0.0.1/tcp/0'], admit: (p) => p === pullerPeerId, isPaired: (p) => p === pullerPeerId });
// Signed as the daemon signs its rows (a member may pass them on).
await node.handle('feed', (stream) => serveLibrary(stream, puller, (id) => (id === lib.config.id ? lib : undefined), { signer: rowSignerOf(dataDir) }));
await node.handle('fetch', async (stream) => {
  const lp = lpStream(stream, { maxDataLength: 64 * 1024 * 1024 });
  // BARE_FILE holds the frames as 4-byte big-endian lengths and bytes.
  let pending = Buffer.alloc(0);
  for await (const chunk of createReadStream(bareFile, { highWaterMark: 1024 * 1024 })) {
    pending = Buffer.concat([pending, chunk as Buffer]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readUInt32BE(0)) {
      const n = pending.readUInt32BE(0);
      await lp.write(pending.subarray(4, 4 + n));
      pending = pending.subarray(4 + n);
    }
  }
  await stream.close();
});
process.stdout.write(JSON.stringify({ ready: { peer_id: node.peerId, addr: node.addresses()[0] } }) + '\n');
process.stdin.on('end', () => {
  void node.stop().then(() => {
    lib.close();
    process.exit(0);
  });
});
process.stdin.resume();
