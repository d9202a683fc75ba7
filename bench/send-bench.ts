/**
 * `node dist/bench/send-bench.js [--mib M] [--runs R] [--keep] [--hash-first]`
 *
 * Spacedrop (issue 21): one M MiB file (default 1024) sent to a paired device, two processes on
 * loopback (this one sends; bench/send-receiver.ts receives into its inbox with the daemon's own
 * handler), one Noise + Yamux connection between them. A send here is what the `files-send` job
 * does: /vss/drop/2.0.0 (offer, bytes hashed here as they are sent, their BLAKE3 after them, the
 * receiver hashing as they come, writing, fsyncing, checking and placing the file, then
 * confirming). Anchor: the same bytes read
 * from disk and written to a bare stream on the same connection, read and dropped by the receiver;
 * floor: the same, but the receiver writes them to a file and fsyncs it (what any copy to disk
 * costs, with no protocol and no hashing). Anchor, floor and send runs alternate (R rounds,
 * default 3), so all see the same load; target (issue 28): the send at ≥ 90% of the floor's rate,
 * the stream whose receiver writes and fsyncs (the bare stream's rate is shown, not judged: a
 * send writes to disk, and the bare stream does not). --hash-first adds, after each round's send,
 * the send as it was before /vss/drop/2.0.0 (the file's BLAKE3 first, then the offer with it).
 */
import { spawn } from 'node:child_process';
import { open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { byteStream } from '@libp2p/utils';
import { blake3File } from '../src/core/file-blake3.js';
import { sendDrop } from '../src/sync/drop/send.js';
import { PeerNode } from '../src/sync/net/peer-node.js';
import { Summary, benchArgs, collectGarbage, freshDir, median, MiB, num, rmrf, runMain, secs, timeAsync, writeRandom } from './util.js';

async function main(): Promise<void> {
  const o = benchArgs('send-bench [--mib M] [--runs R] [--keep] [--hash-first]', { mib: { default: 1024, min: 1 }, runs: { default: 3, min: 1 } }, ['keep', 'hash-first']);
  const work = freshDir(tmpdir(), 'vss-send-');
  const inbox = join(work, 'inbox');
  const size = o.mib * MiB;
  const file = join(work, 'film.bin');
  writeRandom(file, size);
  let peer = '';
  const node = await PeerNode.start({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], admit: (p) => p === peer, isPaired: (p) => p === peer });
  const child = spawn(process.execPath, [...(process.env.SEND_BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SEND_BENCH_PROF}`] : []), join(fileURLToPath(new URL('.', import.meta.url)), 'send-receiver.js'), inbox, node.peerId], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const nextLine = async () => {
      const l = await lines.next();
      if (l.done) throw new Error('the receiver exited');
      return JSON.parse(l.value) as { ready?: { peer_id: string; addr: string }; cpu?: number };
    };
    const ready = (await nextLine()).ready!;
    /** CPU seconds of both processes so far. */
    const bothCpu = async () => {
      child.stdin!.write('cpu\n');
      const theirs = (await nextLine()).cpu!;
      if (process.env.SEND_BENCH_SPLIT) console.log(`    (cpu: sender ${secs(cpuSecs(process.cpuUsage()))}, receiver ${secs(theirs)})`);
      return cpuSecs(process.cpuUsage()) + theirs;
    };
    peer = ready.peer_id;
    await node.connect(ready.addr);
    console.log(`\n== Spacedrop: one ${o.mib} MiB file to a paired device in another process, over loopback; ${o.runs} rounds ==`);

    const anchor: number[] = [];
    const disk: number[] = [];
    const sent: number[] = [];
    /** --hash-first: the send as before /vss/drop/2.0.0 (and to a 1.0.0 receiver), the file hashed whole before the offer; in the same rounds, for a comparison under one load. */
    const first: number[] = [];
    const cpu = { anchor: [] as number[], disk: [] as number[], send: [] as number[] };
    for (let i = 0; i < o.runs; i++) {
      collectGarbage();
      let c0 = await bothCpu();
      anchor.push((await timeAsync(() => bareStream(node, peer, file, size))).s);
      cpu.anchor.push((await bothCpu()) - c0);
      collectGarbage();
      c0 = await bothCpu();
      disk.push((await timeAsync(() => bareStream(node, peer, file, size, true))).s);
      cpu.disk.push((await bothCpu()) - c0);
      collectGarbage();
      c0 = await bothCpu();
      const t = await timeAsync(async () => {
        // As the job: no BLAKE3 in the offer, the file hashed as it is sent.
        const r = await sendDrop(await node.open(peer, 'drop'), crypto.randomUUID(), [{ path: file, root: dirname(file), name: 'film.bin', size }]);
        if (r.bytesSent !== size) throw new Error(`sent ${r.bytesSent} of ${size} bytes`);
      });
      sent.push(t.s);
      cpu.send.push((await bothCpu()) - c0);
      await rm(join(inbox, 'film.bin'));
      console.log(`  round ${i + 1}: bare ${secs(anchor.at(-1)!)} (${num(o.mib / anchor.at(-1)!)} MiB/s), bare to disk ${secs(disk.at(-1)!)}, send ${secs(sent.at(-1)!)} (${num(o.mib / sent.at(-1)!)} MiB/s) = ${num((anchor.at(-1)! / sent.at(-1)!) * 100)}%; CPU of both processes: bare ${secs(cpu.anchor.at(-1)!)}, to disk ${secs(cpu.disk.at(-1)!)}, send ${secs(cpu.send.at(-1)!)}`);
      if (o['hash-first']) {
        collectGarbage();
        first.push((await timeAsync(async () => {
          const h = await blake3File(file);
          await sendDrop(await node.open(peer, 'drop'), crypto.randomUUID(), [{ path: file, root: dirname(file), name: 'film.bin', size, blake3: h.checksum }]);
        })).s);
        await rm(join(inbox, 'film.bin'));
        console.log(`    hashed first: ${secs(first.at(-1)!)} = ${num((disk.at(-1)! / first.at(-1)!) * 100)}% of the bare stream written to disk`);
      }
    }
    const [a, s] = [median(anchor), median(sent)];
    const share = a / s;
    const ratios = anchor.map((x, i) => x / sent[i]!);
    const [ca, cd, cs] = [median(cpu.anchor), median(cpu.disk), median(cpu.send)];
    const d = median(disk);
    console.log(`  anchor, bare stream: median ${secs(a)} (${num(o.mib / a)} MiB/s); CPU of both processes, median ${secs(ca)}`);
    console.log(`  floor, bare stream written to a file and fsynced by the receiver: median ${secs(d)} (${num(o.mib / d)} MiB/s); CPU of both processes, median ${secs(cd)}`);
    console.log(`  sent (offer, bytes hashed as they go and their BLAKE3, the receiver's BLAKE3 + write + fsync + check + place, confirmed): median ${secs(s)} (${num(o.mib / s)} MiB/s); CPU of both processes, median ${secs(cs)}`);
    if (first.length > 0) console.log(`  sent hashed first (before 2.0.0): median ${secs(median(first))}, ${num((d / median(first)) * 100)}% of the bare stream written to disk (rounds: ${disk.map((x, i) => `${num((x / first[i]!) * 100)}%`).join(', ')})`);
    console.log(`  = ${num(share * 100)}% of the bare stream's rate (rounds: ${ratios.map((r) => `${num(r * 100)}%`).join(', ')}), ${num((d / s) * 100)}% of the bare stream written to disk (rounds: ${disk.map((x, i) => `${num((x / sent[i]!) * 100)}%`).join(', ')})\n`);
    const summary = new Summary();
    summary.add({ what: `${o.mib} MiB sent to a paired device`, value: secs(s), ratio: `${num((d / s) * 100)}% to disk`, target: '≥ 90% of to disk', ok: d / s >= 0.9 });
    summary.add({ what: `${o.mib} MiB, bare stream written to disk (floor)`, value: secs(d), ratio: '', target: '', ok: null });
    summary.add({ what: `${o.mib} MiB, bare stream (anchor)`, value: secs(a), ratio: `${num(share * 100)}% of it`, target: '', ok: null });
    summary.add({ what: 'CPU of both processes: bare / send', value: `${secs(ca)} / ${secs(cs)}`, ratio: `${num((ca / cs) * 100)}%`, target: '', ok: null });
    summary.add({ what: 'CPU of both processes: floor / send', value: `${secs(cd)} / ${secs(cs)}`, ratio: `${num((cd / cs) * 100)}%`, target: '', ok: null });
    summary.print();
  } finally {
    child.stdin?.end();
    await new Promise((r) => { if (child.exitCode !== null) r(undefined); else child.once('exit', r); setTimeout(r, 5_000).unref(); });
    if (child.exitCode === null) child.kill('SIGKILL');
    await node.stop();
    if (!o.keep) rmrf(work);
    else console.log(`kept ${work}`);
  }
}

/**
 * The anchor: the file's bytes read from disk (1 MiB at a time, as a send reads them) over a bare
 * stream, until the receiver has them all; TODISK: the receiver also writes them to a file and
 * fsyncs it (the floor of any copy: the disk's own cost, no protocol, no hashing).
 */
async function bareStream(node: PeerNode, peer: string, file: string, size: number, toDisk = false): Promise<void> {
  const stream = await node.open(peer, 'fetch');
  const io = byteStream(stream);
  const head = Buffer.alloc(9);
  head.writeBigUInt64BE(BigInt(size));
  head[8] = toDisk ? 1 : 0;
  await io.write(head);
  const fh = await open(file, 'r');
  try {
    for (;;) {
      const buf = Buffer.allocUnsafe(MiB);
      const { bytesRead } = await fh.read(buf, 0, buf.length);
      if (bytesRead === 0) break;
      await io.write(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  const ack = await io.read({ bytes: 1 });
  if (ack.byteLength !== 1) throw new Error('the receiver did not confirm the bare stream');
  await stream.close();
}

function cpuSecs(u: NodeJS.CpuUsage): number {
  return (u.user + u.system) / 1e6;
}

runMain(import.meta.url, main);
