/**
 * The receiving device of bench/send-bench.ts, as a process of its own (as on another machine):
 *   node dist/bench/send-receiver.js INBOX SENDER_PEER_ID
 * Serves /vss/drop (2.0.0, and 1.0.0) into INBOX to the sender on loopback (the daemon's own handler), and, for
 * the anchors, a bare stream on /vss/fetch/1.0.0: an 8-byte length, a byte saying whether to write
 * them to a file (flushed as they come and fsynced, as the drop receiver does; then deleted) or drop them, then that many bytes; answered by one byte. Prints {"ready": {"peer_id", "addr"}}, answers each line on stdin with
 * {"cpu": seconds} (its CPU time so far), and serves until stdin closes.
 */
import { mkdirSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { FLUSH_EVERY } from '../src/core/landing.js';
import { serveDrop } from '../src/sync/drop/receive.js';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { MessageChannel } from '../src/sync/net/message-channel.js';
import { PeerNode } from '../src/sync/net/peer-node.js';

const [inbox, senderPeerId] = process.argv.slice(2);
if (!inbox || !senderPeerId) {
  console.error('usage: send-receiver INBOX SENDER_PEER_ID');
  process.exit(2);
}

mkdirSync(inbox, { recursive: true });
const sender = { deviceUuid: '00000000-0000-4000-8000-000000000001', peerId: senderPeerId, name: 'sender', libraryIds: [] };
const node = await PeerNode.start({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], admit: (p) => p === senderPeerId, isPaired: (p) => p === senderPeerId });
await node.handle('drop', (stream) => serveDrop(stream, sender, { inbox: () => inbox, isPaired: () => true, log: pino({ level: 'silent' }) }));
await node.handle('fetch', async (stream) => {
  // Read as the drop receiver reads (MessageChannel: raw bytes, the stream paused while the reader is behind).
  const io = new MessageChannel(stream, 1024);
  // 8 bytes of length, then 1: whether to write the bytes to a file (and fsync it) rather than drop them.
  const head = Buffer.from((await io.readBytes(9))!.subarray());
  let left = Number(head.readBigUInt64BE(0));
  const fh = head[8] === 1 ? await open(join(inbox, 'bare.bin'), 'w') : undefined;
  let writing: Promise<unknown> = Promise.resolve();
  // Flushed as it goes, as the drop receiver flushes (one datasync in flight per FLUSH_EVERY).
  let flushing: Promise<unknown> | undefined;
  let unflushed = 0;
  try {
    while (left > 0) {
      const chunk = await io.readBytes(Math.min(left, 4 * 1024 * 1024));
      if (chunk === null) throw new Error('the bare stream ended early');
      left -= chunk.byteLength;
      if (fh) {
        const list = [...chunk].map((u) => Buffer.from(u.buffer, u.byteOffset, u.byteLength));
        await writing;
        writing = fh.writev(list);
        unflushed += chunk.byteLength;
        if (!flushing && unflushed >= FLUSH_EVERY) {
          unflushed = 0;
          flushing = writing.then(() => fh.datasync()).finally(() => { flushing = undefined; });
        }
      }
    }
    await writing;
    await flushing;
    await fh?.sync();
  } finally {
    await fh?.close();
    if (fh) await rm(join(inbox, 'bare.bin'), { force: true });
  }
  await io.writeBytes(Uint8Array.of(1));
  await stream.close();
});
process.stdout.write(JSON.stringify({ ready: { peer_id: node.peerId, addr: node.addresses()[0] } }) + '\n');
// A line on stdin asks for this process's CPU seconds so far (user + system), answered as a line.
createInterface({ input: process.stdin }).on('line', () => {
  const u = process.cpuUsage();
  process.stdout.write(JSON.stringify({ cpu: (u.user + u.system) / 1e6 }) + '\n');
});
process.stdin.on('end', () => void node.stop().then(() => process.exit(0)));
