/**
 * A bare libp2p node for bench/reach-bench.ts, as a process of its own inside a network namespace
 * (the anchors: what libp2p itself does through a relay, with no vss above it):
 *   node dist/bench/reach-node.js relay PORT     a relay (circuit relay v2, as a relay daemon's) on 0.0.0.0:PORT
 *   node dist/bench/reach-node.js node [DATA_DIR] a device: a fresh key, or DATA_DIR's device key
 * Prints {"ready": {"pid", "peer_id", "addrs"}}, then answers one JSON line on stdin with one on
 * stdout (in order):
 *   {"allow": [peer ids]}             admitted and taken as paired from now on  → {"ok": true}
 *   {"reserve": RELAY_ADDR}           hold a slot there                          → {"relayed": [addrs]}
 *   {"serve": FILE}                   serve /vss/fetch/1.0.0 bare: an 8-byte length asked for, that
 *                                     many bytes of FILE (1 MiB reads, as a send reads), then close → {"ok": true}
 *   {"dial": ADDR}                    connect                                    → {"ms", "path"}
 *   {"pull": ADDR, "bytes": N}        ask ADDR for N bytes on a bare stream, read and drop them → {"ms"}
 * A failure answers {"error"}. Exits when stdin closes.
 */
import { open } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { byteStream } from '@libp2p/utils';
import { devicePeerKey } from '../src/sync/net/device-key.js';
import { MessageChannel } from '../src/sync/net/message-channel.js';
import { PeerNode } from '../src/sync/net/peer-node.js';

const [mode, arg] = process.argv.slice(2);
if (mode !== 'relay' && mode !== 'node') {
  console.error('usage: reach-node relay PORT | node [DATA_DIR]');
  process.exit(2);
}
const say = (o: unknown): void => void process.stdout.write(JSON.stringify(o) + '\n');
const MiB = 1024 * 1024;

const allowed = new Set<string>();
const node = await PeerNode.start({
  privateKey: mode === 'node' && arg ? await devicePeerKey(arg) : await generateKeyPair('Ed25519'),
  listen: [mode === 'relay' ? `/ip4/0.0.0.0/tcp/${Number(arg)}` : '/ip4/0.0.0.0/tcp/0'],
  mdns: false,
  admit: (p) => allowed.has(p),
  isPaired: (p) => allowed.has(p),
  ...(mode === 'relay' ? { relay: { maxReservations: 8 } } : {}),
});

async function serve(file: string): Promise<void> {
  await node.handle('fetch', async (stream) => {
    const ch = new MessageChannel(stream, 1024);
    const head = await ch.readBytes(8);
    if (!head || head.byteLength !== 8) throw new Error('no length asked for');
    let left = Number(Buffer.from(head.subarray()).readBigUInt64BE(0));
    const io = byteStream(stream);
    const fh = await open(file, 'r');
    try {
      for (let pos = 0; left > 0;) {
        const buf = Buffer.allocUnsafe(Math.min(MiB, left));
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        if (bytesRead === 0) pos = 0; // a file shorter than asked for: again from its start
        else {
          await io.write(buf.subarray(0, bytesRead));
          pos += bytesRead;
          left -= bytesRead;
        }
      }
    } finally {
      await fh.close();
    }
    await stream.close();
  });
}

async function pull(addr: string, bytes: number): Promise<number> {
  const t0 = performance.now();
  const stream = await node.open(addr, 'fetch', AbortSignal.timeout(20_000));
  const ch = new MessageChannel(stream, 1024);
  const head = Buffer.alloc(8);
  head.writeBigUInt64BE(BigInt(bytes));
  await ch.writeBytes(head);
  const signal = AbortSignal.timeout(300_000);
  for (let left = bytes; left > 0;) {
    const got = await ch.readBytes(Math.min(left, 4 * MiB), signal);
    if (got === null) throw new Error(`the bare stream ended ${left} bytes short`);
    left -= got.byteLength;
  }
  const ms = performance.now() - t0;
  await stream.close().catch(() => undefined);
  return ms;
}

async function answer(line: string): Promise<unknown> {
  const cmd = JSON.parse(line) as { allow?: string[]; reserve?: string; serve?: string; dial?: string; pull?: string; bytes?: number };
  if (cmd.allow) {
    for (const p of cmd.allow) allowed.add(p);
    return { ok: true };
  }
  if (cmd.reserve) return { relayed: await node.reserveOn(cmd.reserve) };
  if (cmd.serve) {
    await serve(cmd.serve);
    return { ok: true };
  }
  if (cmd.dial) {
    const t0 = performance.now();
    const peer = await node.connect(cmd.dial, AbortSignal.timeout(20_000));
    return { ms: performance.now() - t0, path: node.pathTo(peer) };
  }
  if (cmd.pull) return { ms: await pull(cmd.pull, cmd.bytes ?? 0) };
  throw new Error(`unknown command: ${line}`);
}

// One command at a time, answered in order.
let queue: Promise<unknown> = Promise.resolve();
createInterface({ input: process.stdin }).on('line', (line) => {
  queue = queue.then(() => answer(line).then(say, (err: unknown) => say({ error: (err as Error).message })));
});
process.stdin.on('end', () => void queue.then(() => node.stop()).finally(() => process.exit(0)));
say({ ready: { pid: process.pid, peer_id: node.peerId, addrs: node.addresses() } });
