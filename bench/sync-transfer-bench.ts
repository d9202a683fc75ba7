/**
 * `node dist/bench/sync-transfer-bench.js [--thumbs N] [--big-mib M] [--runs R]`
 *
 * Two real devices (each its own library of one library id, its own libp2p node on loopback, one
 * Noise + Yamux connection between them):
 * - N thumbnails of ~20 KB (default 10,000), real files in the owner's library, fetched, verified
 *   (BLAKE3), written (temp + fsync + rename) and recorded by the receiver's Fetcher over
 *   /vss/fetch/1.0.0; target ≥ 2,000/s. Anchor: the same files' bytes, read from the owner's disk
 *   and sent over one bare libp2p stream on the same connection.
 * - one M MiB file (default 500) through the protocol against the same bytes over a bare stream
 *   on the same connection; target ≥ 80% of the bare stream's rate.
 * Each is the median of R runs (default 3); the receiver's copies are removed between runs.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { open, readFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { byteStream } from '@libp2p/utils';
import type { Stream } from '@libp2p/interface';
import { sidecarAbsPath, type SidecarAddress } from '../src/sidecars/address.js';
import { Fetcher } from '../src/sync/transfer/fetcher.js';
import type { StagedFile } from '../src/sync/transfer/store.js';
import { makeDevice, newAddress, pairAndConnect, type TestDevice } from '../test/sync-peers.js';
import { Summary, benchArgs, collectGarbage, freshDir, kilo, mb, median, MiB, num, rmrf, runMain, secs, timeAsync } from './util.js';

const THUMB_BYTES = 20 * 1024;

async function main(): Promise<void> {
  const o = benchArgs('sync-transfer-bench [--thumbs N] [--big-mib M] [--runs R] [--keep]', {
    thumbs: { default: 10_000, min: 1 }, 'big-mib': { default: 500, min: 5 }, runs: { default: 3, min: 1 },
  }, ['keep']);
  const workDir = freshDir(tmpdir(), 'vss-transfer-');
  const summary = new Summary();
  const owner = await makeDevice(workDir, 'owner');
  const receiver = await makeDevice(workDir, 'receiver', owner.lib.config.id);
  try {
    await pairAndConnect(owner, receiver);
    console.log(`\n== Sync transfer over loopback: one Noise + Yamux connection between two devices; median of ${o.runs} runs ==`);

    const thumbs = await makeThumbs(owner, receiver, o.thumbs);
    const thumbBytes = thumbs.length * THUMB_BYTES;
    const thumbPaths = thumbs.map((t) => sidecarAbsPath(owner.lib.root, t));
    // Anchor and protocol runs alternate, so both see the same load on a shared machine.
    const thumbRuns: Runs[] = [0, 1, 2].map(() => ({ wall: [], cpu: [], sys: [] }));
    const [anchorT, localT, protoT] = await interleaved(o.runs, [
      { run: () => bareStream(owner, receiver, thumbPaths) },
      { run: () => receiveLocally(owner, receiver, thumbs), reset: () => forget(receiver, thumbs) },
      { run: () => viaFetcher(owner, receiver, thumbs), reset: () => forget(receiver, thumbs) },
    ], thumbRuns) as [number, number, number];
    const rate = thumbs.length / protoT;
    console.log(`  ${thumbs.length} thumbnails (${mb(thumbBytes)}):`);
    console.log(`    anchor, bare stream of the same bytes:             ${secs(anchorT)} (${kilo(thumbs.length / anchorT)}/s, ${num(thumbBytes / MiB / anchorT)} MiB/s)`);
    console.log(`    floor, the receiver's verify + write + fsync + rename + record from memory (groups of 64), no network: ${secs(localT)} (${kilo(thumbs.length / localT)}/s)`);
    console.log(`    fetched, verified, written, recorded:              ${secs(protoT)} (${kilo(rate)}/s, ${num(thumbBytes / MiB / protoT)} MiB/s) = ${num((anchorT / protoT) * 100)}% of the bare stream's rate, ${num((localT / protoT) * 100)}% of the local floor's`);
    const each = (r: Runs) => r.wall.map((w, i) => `${kilo(thumbs.length / w)}/s (cpu ${secs(r.cpu[i]!)}, sys ${secs(r.sys[i]!)})`).join(' / ');
    console.log(`    every run: floor ${each(thumbRuns[1]!)}; fetched ${each(thumbRuns[2]!)}`);
    summary.add({ what: `${thumbs.length} thumbnails fetched`, value: secs(protoT), ratio: `${kilo(rate)}/s`, target: '≥ 2,000/s', ok: rate >= 2000 });

    const big = await makeBig(owner, receiver, o['big-mib'] * MiB);
    const bigPath = sidecarAbsPath(owner.lib.root, big);
    const [bigAnchorT, bigProtoT] = await interleaved(o.runs, [
      { run: () => bareStream(owner, receiver, [bigPath]) },
      { run: () => viaFetcher(owner, receiver, [big]), reset: () => forget(receiver, [big]) },
    ]) as [number, number];
    const share = bigAnchorT / bigProtoT;
    console.log(`  one ${o['big-mib']} MiB file:`);
    console.log(`    anchor, bare stream: ${secs(bigAnchorT)} (${num(o['big-mib'] / bigAnchorT)} MiB/s)`);
    console.log(`    through the protocol (hash while receiving, write, fsync, rename, record): ${secs(bigProtoT)} (${num(o['big-mib'] / bigProtoT)} MiB/s) = ${num(share * 100)}% of the bare stream`);
    summary.add({ what: `${o['big-mib']} MiB file through /vss/fetch`, value: secs(bigProtoT), ratio: `${num(share * 100)}% bare`, target: '≥ 80% of bare', ok: share >= 0.8 });
    summary.add({ what: `${o['big-mib']} MiB file, bare stream (anchor)`, value: secs(bigAnchorT), ratio: '', target: '', ok: null });
    console.log();
    summary.print();
  } finally {
    await Promise.all([owner.stop(), receiver.stop()]);
    if (!o.keep) rmrf(workDir);
    else console.log(`kept ${workDir}`);
  }
}

/** N ready thumbnails in OWNER's library, announced to RECEIVER as the availability exchange would. */
async function makeThumbs(owner: TestDevice, receiver: TestDevice, n: number): Promise<SidecarAddress[]> {
  const addresses: SidecarAddress[] = [];
  const pool = randomBytes(THUMB_BYTES * 64);
  for (let i = 0; i < n; i++) {
    const a = newAddress();
    // Every file distinct (its own checksum): a slice of the pool with the index written in.
    const data = Buffer.from(pool.subarray((i % 63) * THUMB_BYTES, (i % 63) * THUMB_BYTES + THUMB_BYTES));
    data.writeUInt32LE(i, 0);
    owner.sidecars.writeGenerated(a, data, 'bench');
    addresses.push(a);
  }
  announce(owner, receiver, addresses);
  return addresses;
}

async function makeBig(owner: TestDevice, receiver: TestDevice, size: number): Promise<SidecarAddress> {
  const a = newAddress('proxy', 'edit', 'mp4');
  const temp = owner.sidecars.tempFileFor(a);
  const fh = await open(temp, 'w');
  const chunk = randomBytes(4 * MiB);
  for (let at = 0; at < size; at += chunk.length) await fh.write(chunk, 0, Math.min(chunk.length, size - at));
  await fh.close();
  await owner.sidecars.adoptGenerated(a, temp, 'bench');
  announce(owner, receiver, [a]);
  return a;
}

function announce(owner: TestDevice, receiver: TestDevice, addresses: SidecarAddress[]): void {
  const heard = receiver.lib.store.availability.heardFrom(owner.lib.device.uuid, 0, Date.now());
  receiver.lib.store.transaction(() => {
    for (const a of addresses) {
      const info = owner.sidecars.get(a)!;
      heard.insert(a.contentUuid, a.kind, a.variant, a.format, info.size, info.checksum);
    }
  });
}

async function viaFetcher(owner: TestDevice, receiver: TestDevice, addresses: SidecarAddress[]): Promise<void> {
  await owner.serve();
  const fetcher = new Fetcher(receiver.store, receiver.link());
  try {
    const out = await fetcher.fetch(addresses, { priority: 'job' });
    const bad = out.find((x) => !x.ok);
    if (bad) throw new Error(`a fetch failed: ${JSON.stringify(bad)}`);
  } finally {
    fetcher.close();
  }
}

/** The anchor: FILES' bytes, read from the owner's disk, over one bare stream on the same connection. */
async function bareStream(owner: TestDevice, receiver: TestDevice, files: string[]): Promise<void> {
  await owner.serve(async (stream: Stream) => {
    const out = byteStream(stream);
    for (const f of files) {
      if (statSync(f).size <= 256 * 1024) {
        await out.write(readFileSync(f));
        continue;
      }
      const fh = await open(f, 'r');
      try {
        for (;;) {
          const buf = Buffer.allocUnsafe(256 * 1024);
          const { bytesRead } = await fh.read(buf, 0, buf.length);
          if (bytesRead === 0) break;
          await out.write(buf.subarray(0, bytesRead));
        }
      } finally {
        await fh.close();
      }
    }
    await stream.close();
  });
  const stream = await receiver.node.open(owner.node.peerId, 'fetch');
  const input = byteStream(stream, { maxBufferSize: 64 * MiB });
  let got = 0;
  for (;;) {
    const chunk = await input.read();
    if (chunk === null) break;
    got += chunk.byteLength;
  }
  await stream.close();
  if (got === 0) throw new Error('the bare stream carried nothing');
}

/** The receiver's copies gone again, so the next run fetches everything anew. */
async function forget(receiver: TestDevice, addresses: SidecarAddress[]): Promise<void> {
  for (const a of addresses) await unlink(sidecarAbsPath(receiver.lib.root, a)).catch(() => undefined);
  const del = receiver.lib.db.prepare('DELETE FROM sidecars WHERE content_uuid = ? AND kind = ? AND variant = ?');
  const delMine = receiver.lib.db.prepare(`DELETE FROM sidecar_availability WHERE content = unhex(replace(?, '-', ''))
    AND name = (SELECT id FROM availability_names WHERE kind = ? AND variant = ?) AND device = (SELECT id FROM availability_devices WHERE uuid = ?)`);
  receiver.lib.db.transaction(() => {
    for (const a of addresses) {
      del.run(a.contentUuid, a.kind, a.variant);
      delMine.run(a.contentUuid, a.kind, a.variant, receiver.lib.device.uuid);
    }
  })();
}

/** What `interleaved` measured of one measure: every run's seconds, and this process's CPU seconds in each. */
interface Runs {
  wall: number[];
  cpu: number[];
  /** Of cpu, the kernel's share (the files' syscalls, on the thread pool too). */
  sys: number[];
}

/**
 * Median seconds of each of MEASURES over N rounds, one run of each per round; RUNS (when given)
 * gets every run's wall and CPU seconds (the process's user + system time: both ends run here).
 */
async function interleaved(n: number, measures: { run: () => Promise<void>; reset?: () => Promise<void> }[], runs?: Runs[]): Promise<number[]> {
  const times = measures.map(() => [] as number[]);
  for (let i = 0; i < n; i++) {
    for (const [k, m] of measures.entries()) {
      await m.reset?.();
      collectGarbage();
      const cpu0 = process.cpuUsage();
      times[k]!.push((await timeAsync(m.run)).s);
      const cpu = process.cpuUsage(cpu0);
      runs?.[k]?.wall.push(times[k]!.at(-1)!);
      runs?.[k]?.cpu.push((cpu.user + cpu.system) / 1e6);
      runs?.[k]?.sys.push(cpu.system / 1e6);
    }
  }
  return times.map(median);
}

/**
 * The floor: the receiver's own work for the same files from memory, as the fetch path does it:
 * each verified, written and fsynced (16 at once), then put in place, their folders fsynced and
 * recorded 64 at a time.
 */
async function receiveLocally(owner: TestDevice, receiver: TestDevice, addresses: SidecarAddress[]): Promise<void> {
  const inFlight = new Set<Promise<unknown>>();
  let staged: StagedFile[] = [];
  let committing: Promise<unknown> = Promise.resolve();
  const commit = (): void => {
    const group = staged;
    staged = [];
    committing = committing.then(() => receiver.store.commit(group)).then((done) => {
      if (done.some((r) => !r.ok)) throw new Error('a local receive failed');
    });
  };
  for (const a of addresses) {
    const info = owner.sidecars.get(a)!;
    const data = await readFile(info.path!);
    let given = false;
    const p: Promise<unknown> = receiver.store.stage(a, { size: info.size!, checksum: info.checksum!, format: a.format }, {
      read: async () => (given ? null : ((given = true), data)),
    }).then((file) => {
      staged.push(file);
      if (staged.length >= 64) commit();
    }).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= 16) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  commit();
  await committing;
}

runMain(import.meta.url, main);
