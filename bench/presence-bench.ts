/**
 * `node dist/bench/presence-bench.js [--contents N] [--runs R] [--keep]`
 *
 * Presence of N contents × 3 thumb variants (default 10k × 3), all ready, page cache warm:
 * in-process (`SidecarManager.presence`: one query, one stat per ready file) — the anchor — against
 * the in-memory index a long-running process keeps (`SidecarsApi.keepPresenceInMemory`), target
 * < 20 ms. Also shown: building the index at start, and following one change (a `sidecar:changed`
 * event re-reads one row). Both answers are compared before anything is timed.
 */
import { isDeepStrictEqual } from 'node:util';
import { tmpdir } from 'node:os';
import { SidecarManager } from '../src/sidecars/manager.js';
import { PresenceIndex } from '../src/sidecars/presence-index.js';
import { sidecarAddress } from '../src/sidecars/address.js';
import { BENCH_VARIANTS, generateSidecarLibrary } from './sidecar-tree.js';
import { Summary, benchArgs, collectGarbage, freshDir, median, ratio, rmrf, runMain, secs, timeSync } from './util.js';

async function main(): Promise<void> {
  const o = benchArgs('presence-bench [--contents N] [--runs R] [--keep]', { contents: { default: 10_000, min: 1 }, runs: { default: 15, min: 3 } }, ['keep']);
  const workDir = freshDir(tmpdir(), 'vss-presence-');
  const summary = new Summary();
  const tree = generateSidecarLibrary(workDir, 'Presence', o.contents * BENCH_VARIANTS.length);
  try {
    const uuids = tree.contentUuids;
    const manager = new SidecarManager(tree.lib);
    const built = timeSync(() => new PresenceIndex(tree.lib));
    const index = built.value;
    try {
      const fromDisk = manager.presence(uuids, 'thumb', BENCH_VARIANTS);
      const fromMemory = index.presence(uuids, 'thumb', BENCH_VARIANTS);
      if (!isDeepStrictEqual(fromDisk, fromMemory)) throw new Error('the in-memory answer differs from the stat path');
      if (fromMemory.some((p) => !p.local)) throw new Error('a sidecar was not found local');

      const statRuns: number[] = [];
      const memRuns: number[] = [];
      // A daemon answers presence all day: both paths are timed warm (optimized by the JIT), each
      // in its own loop so neither pays for the other's garbage.
      for (let r = 0; r < 10; r++) {
        manager.presence(uuids, 'thumb', BENCH_VARIANTS);
        index.presence(uuids, 'thumb', BENCH_VARIANTS);
      }
      for (let r = 0; r < o.runs; r++) {
        collectGarbage();
        statRuns.push(timeSync(() => manager.presence(uuids, 'thumb', BENCH_VARIANTS)).s);
      }
      for (let r = 0; r < o.runs; r++) {
        collectGarbage();
        memRuns.push(timeSync(() => index.presence(uuids, 'thumb', BENCH_VARIANTS)).s);
      }
      const statS = median(statRuns);
      const memS = median(memRuns);
      // One change followed: a write through the manager, its event, the index re-reading that row; against the same write with no index.
      const a = sidecarAddress(uuids[0]!, 'thumb', BENCH_VARIANTS[0]);
      const info = manager.get(a)!;
      const fields = { status: 'ready' as const, source: 'generated' as const, size: info.size, checksum: info.checksum, sourceEntryId: null, error: null };
      const write = () => median(Array.from({ length: 300 }, () => timeSync(() => manager.record(a, fields)).s));
      const followed = write();
      index.close();
      const alone = write();
      const n = `${uuids.length} contents × ${BENCH_VARIANTS.length}`;
      console.log(`\n== Presence of ${n} ready thumbnails; median of ${o.runs} runs ==`);
      console.log(`  anchor, in-process (query + one stat per file): ${secs(statS)} [${statRuns.map(secs).join(' / ')}]`);
      console.log(`  in memory:                                      ${secs(memS)} [${memRuns.map(secs).join(' / ')}] = ${ratio(memS / statS)} the stat path (${ratio(statS / memS)} faster)`);
      console.log(`  building the index from ${tree.files} rows: ${secs(built.s)}`);
      console.log(`  one recorded change: ${secs(followed)} with the index following it, ${secs(alone)} without`);
      summary.add({ what: `presence in memory, ${n}`, value: secs(memS), ratio: `${ratio(memS / statS)} stat path`, target: '< 20 ms', ok: memS < 0.02 });
      summary.add({ what: `presence in-process (anchor), ${n}`, value: secs(statS), ratio: '', target: '', ok: null });
      console.log();
      summary.print();
    } finally {
      index.close();
    }
  } finally {
    tree.lib.close();
    if (!o.keep) rmrf(workDir);
    else console.log(`kept ${workDir}`);
  }
}

runMain(import.meta.url, main);
