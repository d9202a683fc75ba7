/**
 * `node dist/bench/protect-device-bench.js [--files N] [--kib K] [--keep]` (npm run bench:guardian)
 *
 * `guardian protect --to DEVICE:/LOCATION/PATH` (issue 30: ≥ 80% of a bare stream) of N small
 * files (default 10,000, K KiB on average, default 16: from K/2 to 3K/2) that exist once, from a
 * laptop to a paired desktop: two real daemons on loopback, started, paired and driven through the
 * real CLI (bench/library-daemons.ts). Timed: the protect's job from its start to its end (each
 * file offered with its content's BLAKE3, received, hashed, flushed, placed, indexed there and
 * confirmed), and the command as a user waits for it. Anchor, in the same run: the same bytes read
 * file by file and written to one bare libp2p stream to another process on loopback, which writes
 * them to one file and fsyncs it (bench/send-receiver.ts: no protocol, no hashing, no per-file
 * work); the protect's rate is given as a share of the anchor's.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { byteStream } from '@libp2p/utils';
import { PeerNode } from '../src/sync/net/peer-node.js';
import { cli, cliJson, device, pair, startDaemon, stopDaemon, waitFor } from './library-daemons.js';
import { Summary, benchArgs, freshDir, mb, MiB, num, rmrf, runMain, secs, timeAsync } from './util.js';

const TARGET = 0.8;

interface JobRow { id: number; status: string; started_at: number | null; finished_at: number | null; error: string | null }

async function main(): Promise<void> {
  const o = benchArgs('protect-device-bench [--files N] [--kib K] [--keep]', { files: { default: 10_000, min: 10 }, kib: { default: 16, min: 1 } }, ['keep']);
  const work = freshDir(tmpdir(), 'vss-protect-bench-');
  const photos = join(work, 'photos');
  const deskPhotos = join(work, 'desk-photos');
  const laptop = device('Laptop', join(work, 'laptop'));
  const desk = device('Desk', join(work, 'desk'));
  const files = writeFiles(photos, o.files, o.kib * 1024);
  const bytes = files.reduce((n, f) => n + f.size, 0);
  mkdirSync(deskPhotos);
  const summary = new Summary();
  try {
    const anchor = await bareStreamOf(work, files, bytes);

    const ok = async (d: typeof laptop, args: string[]) => {
      const r = await cli(d, args, 600_000);
      if (r.code !== 0) throw new Error(`${d.name}: vss ${args.join(' ')}: ${r.stderr.trim()}`);
      return r;
    };
    await ok(laptop, ['library', 'create', 'Home', '--path', join(work, 'libs')]);
    await ok(laptop, ['device', 'rename', 'Laptop']);
    await ok(desk, ['device', 'rename', 'Desk']);
    await startDaemon(laptop);
    await startDaemon(desk);
    await ok(laptop, ['location', 'add', photos, '--name', 'Photos', '--mode', 'content']);
    await pair(laptop, desk);
    await ok(desk, ['location', 'add', deskPhotos, '--name', 'Photos', '--mode', 'content']);
    await waitFor('the desk\'s location known to the laptop', 60_000, async () => {
      const r = await cli(laptop, ['ls', 'Desk:', '--json']);
      return r.code === 0 && (JSON.parse(r.stdout) as Array<{ name: string }>).some((l) => l.name === 'Photos') ? true : undefined;
    }, 300);
    const planned = await cliJson<{ files: number; bytes: number }>(laptop, ['guardian', 'protect', '--to', 'Desk:/Photos/safe', '--dry-run']);
    if (planned.files !== o.files || planned.bytes !== bytes) throw new Error(`planned ${planned.files} files, ${planned.bytes} bytes; written ${o.files}, ${bytes}`);

    const waited = await timeAsync(() => ok(laptop, ['guardian', 'protect', '--to', 'Desk:/Photos/safe', '--json']));
    const { job } = JSON.parse(waited.value.stdout) as { job: JobRow };
    if (job.status !== 'completed' || job.started_at === null || job.finished_at === null) throw new Error(`the protect ended ${job.status}: ${job.error ?? ''}`);
    const landed = readdirSync(join(deskPhotos, 'safe', 'Photos'), { recursive: true }).filter((n) => String(n).endsWith('.jpg')).length;
    if (landed !== o.files) throw new Error(`${landed} of ${o.files} files landed on the desk`);
    const jobS = (job.finished_at - job.started_at) / 1000;

    console.log(`protect-device-bench: ${o.files} files, ${mb(bytes)} (about ${o.kib} KiB each), laptop → desk over loopback`);
    summary.add({ what: `protect of ${o.files} files to a paired device: the job`, value: secs(jobS), ratio: `${num((anchor / jobS) * 100)}% of the anchor`, target: `≥ ${TARGET * 100}%`, ok: anchor / jobS >= TARGET });
    summary.add({ what: '  the command, as a user waits for it', value: secs(waited.s), ratio: `${num((anchor / waited.s) * 100)}%`, target: '', ok: null });
    summary.add({ what: `  files a second (job)`, value: num(o.files / jobS), ratio: '', target: '', ok: null });
    summary.add({ what: '  anchor: the same bytes, file by file, on one bare stream written to disk and fsynced', value: secs(anchor), ratio: '1', target: '', ok: null });
    summary.print();
  } finally {
    await stopDaemon(laptop);
    await stopDaemon(desk);
    if (o.keep) console.log(`kept ${work}`);
    else rmrf(work);
  }
}

/** N files of about AVG bytes (AVG/2 to 3AVG/2) in folders of 100, no two alike. */
function writeFiles(root: string, n: number, avg: number): Array<{ path: string; size: number }> {
  const out: Array<{ path: string; size: number }> = [];
  const pool = randomBytes(2 * avg + 64);
  for (let i = 0; i < n; i++) {
    const dir = join(root, `d${Math.floor(i / 100)}`);
    if (i % 100 === 0) mkdirSync(dir, { recursive: true });
    const size = Math.floor(avg / 2) + ((i * 7919) % avg);
    const body = Buffer.from(pool.subarray(i % 64, (i % 64) + size));
    body.writeUInt32LE(i, 0);
    const path = join(dir, `IMG_${i}.jpg`);
    writeFileSync(path, body);
    out.push({ path, size });
  }
  return out;
}

/**
 * The anchor: FILES' bytes read one after the other and written to one bare stream to
 * bench/send-receiver.ts in another process, which writes them to a file and fsyncs it; seconds
 * until it confirms.
 */
async function bareStreamOf(work: string, files: ReadonlyArray<{ path: string; size: number }>, bytes: number): Promise<number> {
  let peer = '';
  const node = await PeerNode.start({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], admit: (p) => p === peer, isPaired: (p) => p === peer });
  const child = spawn(process.execPath, [join(fileURLToPath(new URL('.', import.meta.url)), 'send-receiver.js'), join(work, 'bare-inbox'), node.peerId], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const first = await createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next();
    const ready = (JSON.parse(String(first.value)) as { ready: { peer_id: string; addr: string } }).ready;
    peer = ready.peer_id;
    await node.connect(ready.addr);
    const t = await timeAsync(async () => {
      const stream = await node.open(peer, 'fetch');
      const io = byteStream(stream);
      const head = Buffer.alloc(9);
      head.writeBigUInt64BE(BigInt(bytes));
      head[8] = 1;
      await io.write(head);
      const buf = Buffer.allocUnsafe(MiB);
      for (const f of files) {
        const fh = await open(f.path, 'r');
        try {
          const { bytesRead } = await fh.read(buf, 0, f.size, 0);
          await io.write(Buffer.from(buf.subarray(0, bytesRead)));
        } finally {
          await fh.close();
        }
      }
      const ack = await io.read({ bytes: 1 });
      if (ack.byteLength !== 1) throw new Error('the receiver did not confirm the bare stream');
      await stream.close();
    });
    return t.s;
  } finally {
    child.stdin?.end();
    await new Promise((r) => { if (child.exitCode !== null) r(undefined); else child.once('exit', r); setTimeout(r, 5_000).unref(); });
    if (child.exitCode === null) child.kill('SIGKILL');
    await node.stop();
  }
}

runMain(import.meta.url, main);
