/**
 * `node dist/bench/sidecars-bench.js [--files N] [--verify-files M] [--runs R] [--keep]`
 *
 * The sidecar manager against anchors measured in the same run, page cache warm:
 *   (a) reconcile (no verify) of N sidecar files      vs  `find <sidecars> -type f | wc -l`   (target ≤ 2×)
 *   (b) reconcile --verify of M files of 256 KiB      vs  open + read + BLAKE3 of the same files, one reused
 *                                                         buffer, no walk, no database (throughput, target ≥ 80%);
 *                                                         BLAKE3 of the bytes already in memory is shown too
 *   (c) presence of 10k contents × 3 variants         (target < 20 ms)
 * N defaults to 1,000,000 (N/3 fake contents × 3 thumb variants, all known and ready).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { blake3 } from '@napi-rs/blake-hash';
import { reconcile, type ReconcileResult } from '../src/sidecars/reconcile.js';
import { SidecarManager } from '../src/sidecars/manager.js';
import { BENCH_VARIANTS, generateSidecarLibrary, type SidecarTree } from './sidecar-tree.js';
import { listFiles } from './walk.js';
import { MiB, Summary, benchArgs, collectGarbage, freshDir, kilo, median, num, ratio, rmrf, secs, timeAsync, timeSync, runMain } from './util.js';

export interface SidecarsBenchOptions {
  files: number;
  verifyFiles: number;
  workDir: string;
  runs: number;
  keep: boolean;
  summary: Summary;
}

const VERIFY_FILE_SIZE = 256 * 1024;
const PRESENCE_CONTENTS = 10_000;

const fmtRuns = (xs: number[]) => xs.map((x) => secs(x)).join(' / ');

function checkZero(label: string, r: ReconcileResult): void {
  if (Object.values(r).some((v) => v !== 0)) console.log(`    !! ${label} changed something on an untouched tree: ${JSON.stringify(r)}`);
}

/** `find DIR -type f | wc -l`, the anchor of (a): listing every file, no stat, no database. */
function findCount(dir: string): { s: number; files: number } {
  const { s, value } = timeSync(() => spawnSync('sh', ['-c', 'find "$1" -type f | wc -l', 'sh', dir], { encoding: 'utf8' }));
  if (value.status !== 0) throw new Error(`find failed: ${value.stderr}`);
  return { s, files: Number(value.stdout.trim()) };
}

interface TimedReconcile {
  s: number;
  result: ReconcileResult;
  /** Highest JS heap seen while it ran, above the heap before (garbage included: sampled, reconcile yields every 50 ms). */
  heapPeak: number;
  /** JS heap after it and a full GC, above the heap before: what it kept. */
  heapKept: number;
}

async function timedReconcile(tree: SidecarTree, verify: boolean): Promise<TimedReconcile> {
  collectGarbage();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().heapUsed); }, 20);
  try {
    const { s, value } = await timeAsync(() => reconcile(tree.lib, { verify }));
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    collectGarbage();
    return { s, result: value, heapPeak: peak - base, heapKept: process.memoryUsage().heapUsed - base };
  } finally {
    clearInterval(sampler);
  }
}

function generate(workDir: string, name: string, files: number, size: number): SidecarTree {
  const progress = files >= 200_000 ? (done: number) => { if (done % 200_000 === 0) console.log(`    ... ${done} files written`); } : undefined;
  const { s, value } = timeSync(() => generateSidecarLibrary(workDir, name, files, size, progress));
  console.log(`  generated ${value.files} sidecar files (${value.contentUuids.length} contents × ${BENCH_VARIANTS.length}, ${num(value.bytes / MiB)} MiB) with their rows in ${secs(s)}: ${value.sidecarsDir}`);
  return value;
}

export async function runSidecarsBench(o: SidecarsBenchOptions): Promise<void> {
  const { workDir, runs, summary } = o;

  // --- (a) reconcile vs find, (c) presence: the big tree ----------------------------------------
  console.log(`\n== Sidecars: reconcile of ${o.files} files, presence; median of ${runs} runs ==`);
  const big = generate(workDir, 'SidecarsBig', o.files, 0);
  try {
    const n = big.files;
    const warm = findCount(big.sidecarsDir);
    if (warm.files !== n) console.log(`    !! find counted ${warm.files} files, expected ${n}`);
    checkZero('warm-up reconcile', (await timedReconcile(big, false)).result);
    const finds: number[] = [];
    const recs: number[] = [];
    let peak = 0;
    let kept = -Infinity;
    for (let r = 0; r < runs; r++) {
      finds.push(findCount(big.sidecarsDir).s);
      const t = await timedReconcile(big, false);
      checkZero('reconcile', t.result);
      recs.push(t.s);
      peak = Math.max(peak, t.heapPeak);
      kept = Math.max(kept, t.heapKept);
    }
    const findS = median(finds);
    const recS = median(recs);
    const rA = recS / findS;
    console.log(`  anchor, find -type f | wc -l: ${secs(findS)} [${fmtRuns(finds)}] (${kilo(n / findS)} files/s)`);
    console.log(`  reconcile (no verify): ${secs(recS)} [${fmtRuns(recs)}] (${kilo(n / recS)} files/s) = ${ratio(rA)} find`);
    console.log(`    JS heap while it ran: at most ${num(peak / MiB)} MiB above the start (garbage included); kept after it and a GC: ${num(kept / MiB)} MiB`);
    summary.add({ what: `reconcile, ${n} sidecar files`, value: secs(recS), ratio: `${ratio(rA)} find`, target: '≤ 2× find -type f', ok: rA <= 2 });

    const m = new SidecarManager(big.lib);
    const uuids = big.contentUuids.slice(0, PRESENCE_CONTENTS);
    const items = m.presence(uuids, 'thumb', BENCH_VARIANTS); // warm the statements and pages
    if (items.length !== uuids.length * BENCH_VARIANTS.length || items.some((p) => !p.local)) console.log('    !! presence did not find every sidecar local');
    const pres: number[] = [];
    for (let r = 0; r < Math.max(runs, 5); r++) pres.push(timeSync(() => m.presence(uuids, 'thumb', BENCH_VARIANTS)).s);
    const presS = median(pres);
    console.log(`  presence, ${uuids.length} contents × ${BENCH_VARIANTS.length} variants: ${secs(presS)} [${fmtRuns(pres)}]`);
    summary.add({ what: `presence, ${uuids.length} contents × ${BENCH_VARIANTS.length}`, value: secs(presS), ratio: '', target: '< 20 ms', ok: presS < 0.02 });
  } finally {
    big.lib.close();
    if (!o.keep) rmrf(big.lib.root);
  }

  // --- (b) verify throughput vs read + BLAKE3 -----------------------------------------------------
  console.log(`\n== Sidecars: reconcile --verify of ${o.verifyFiles} files of ${VERIFY_FILE_SIZE / 1024} KiB; median of ${runs} runs ==`);
  const small = generate(workDir, 'SidecarsVerify', o.verifyFiles, VERIFY_FILE_SIZE);
  try {
    const paths = listFiles(small.sidecarsDir);
    readAndHashTight(paths);
    checkZero('warm-up verify', (await timedReconcile(small, true)).result);
    const anchors: number[] = [];
    const verifies: number[] = [];
    for (let r = 0; r < runs; r++) {
      anchors.push(timeSync(() => readAndHashTight(paths)).s);
      const t = await timedReconcile(small, true);
      checkZero('verify', t.result);
      verifies.push(t.s);
    }
    const memS = inMemoryBlake3Seconds(paths, small.bytes, runs);
    const anchorS = median(anchors);
    const verifyS = median(verifies);
    const share = anchorS / verifyS;
    const rate = (s: number) => `${num(small.bytes / MiB / s)} MiB/s`;
    console.log(`  anchor, open + read into one reused buffer + BLAKE3 of each file, no walk, no database: ${secs(anchorS)} [${fmtRuns(anchors)}] (${rate(anchorS)})`);
    console.log(`    (for reference: BLAKE3 alone of the same bytes already in memory ${secs(memS)}, ${rate(memS)})`);
    console.log(`  reconcile --verify: ${secs(verifyS)} [${fmtRuns(verifies)}] (${rate(verifyS)}) = ${num(share * 100)}% of the anchor's throughput, ${num((memS / verifyS) * 100)}% of in-memory BLAKE3's`);
    summary.add({ what: `verify, ${small.files} × ${VERIFY_FILE_SIZE / 1024} KiB`, value: secs(verifyS), ratio: `${num(share * 100)}% r+h`, target: '≥ 80% of read+BLAKE3', ok: share >= 0.8 });
  } finally {
    small.lib.close();
    if (!o.keep) rmrf(small.lib.root);
  }
}

/** The raw cost of hashing the files: the same syscalls as verify's small-file path, nothing else. */
function readAndHashTight(paths: readonly string[]): number {
  const buf = Buffer.allocUnsafe(1024 * 1024);
  let x = 0;
  for (const p of paths) {
    const fd = openSync(p, 'r');
    try {
      let n = 0;
      for (;;) {
        const got = readSync(fd, buf, n, buf.length - n, n);
        if (got === 0) break;
        n += got;
        if (n === buf.length) break;
      }
      x ^= blake3(buf.subarray(0, n)).readUInt32LE(0);
    } finally {
      closeSync(fd);
    }
  }
  return x;
}

/** Raw BLAKE3 speed on these bytes: up to 64 MiB of the files held in memory, hashed RUNS times, scaled to all BYTES. */
function inMemoryBlake3Seconds(paths: readonly string[], bytes: number, runs: number): number {
  const bufs: Buffer[] = [];
  let held = 0;
  for (const p of paths) {
    if (held >= 64 * MiB) break;
    const b = readFileSync(p);
    bufs.push(b);
    held += b.length;
  }
  for (const b of bufs) blake3(b); // warm-up
  const times: number[] = [];
  for (let r = 0; r < Math.max(runs, 5); r++) times.push(timeSync(() => { for (const b of bufs) blake3(b); }).s);
  return median(times) * (bytes / held);
}

async function main(): Promise<void> {
  const args = benchArgs('node dist/bench/sidecars-bench.js [--files N] [--verify-files M] [--runs R] [--keep]', {
    files: { default: 1_000_000, min: 3 }, 'verify-files': { default: 2_000, min: 3 }, runs: { default: 3, min: 1 },
  }, ['keep']);
  const workDir = freshDir(tmpdir(), 'vss-sidecars-bench-');
  const summary = new Summary();
  process.once('SIGINT', () => { if (!args.keep) rmrf(workDir); process.exit(130); });
  console.log(`vss sidecar benchmarks: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${num(totalmem() / 1024 ** 3)} GiB RAM`);
  console.log(`  work dir ${workDir}${args.keep ? ' (kept)' : ' (removed at the end)'}; page cache warm throughout`);
  const started = Date.now();
  try {
    await runSidecarsBench({ files: args.files, verifyFiles: args['verify-files'], runs: args.runs, keep: args.keep, workDir, summary });
  } finally {
    if (!args.keep) rmrf(workDir);
  }
  console.log(`\n== Summary (${secs((Date.now() - started) / 1000)} in all) ==`);
  summary.print();
}

runMain(import.meta.url, main);
