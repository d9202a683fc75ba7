/**
 * `node dist/bench/idle-runner-bench.js [--jobs N] [--seconds S]`
 *
 * What the daemon's job work costs while there is nothing to do: the CPU time this process spends
 * over S seconds (default 5; the median of R runs, default 3) with one idle JobWork (the real runner, the generators' job kinds,
 * the default poll) on a library whose jobs table holds N finished jobs (default 100,000),
 * against the same on an empty library measured in the same run. Also counts the `jobs:progress`
 * events the idle work emits (there is nothing to report).
 */
import { mkdirSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Installation as Vss } from '../src/library/installation.js';
import type { Library } from '../src/library/library.js';
import { startJobWork } from '../src/jobs/job-work.js';
import { benchArgs, freshDir, kilo, median, num, ratio, rmrf, runMain } from './util.js';

interface Idle {
  cpuMsPerS: number;
  progressEvents: number;
}

/** A library whose jobs table holds FINISHED finished jobs (recent, so the prune at start keeps them). */
function libraryWith(dir: string, dataDir: string, finished: number): Library {
  const lib = new Vss({ dataDir }).createLibrary(`I${finished}`, dir);
  const now = Date.now();
  const ins = lib.db.prepare(`INSERT INTO jobs (kind, content_uuid, priority, status, max_attempts, attempts, bytes, created_at, updated_at, started_at, finished_at) VALUES ('thumb', ?, 10, ?, 3, 1, 1000, ?, ?, ?, ?)`);
  lib.db.transaction(() => {
    for (let i = 0; i < finished; i++) {
      const t = now - (finished - i) * 10;
      ins.run(`00000000-0000-5000-8000-${String(i).padStart(12, '0')}`, i % 100 === 0 ? 'failed' : i % 100 === 1 ? 'cancelled' : 'completed', t, t, t, t);
    }
  })();
  lib.db.exec('ANALYZE');
  return lib;
}

/** CPU of this process over SECONDS of idle job work on LIB, past its start's upkeep. */
async function idleCost(lib: Library, dataDir: string, seconds: number): Promise<Idle> {
  const work = startJobWork(lib, { dataDir, cpuBudget: 1 });
  let progressEvents = 0;
  const off = lib.events.on('jobs:progress', () => { progressEvents++; });
  try {
    await work.waitUntilIdle();
    // Past the start's upkeep (prune, the first sweep) into the steady idle state.
    await sleep(1500);
    progressEvents = 0;
    const before = process.cpuUsage();
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const used = process.cpuUsage(before);
    const wallS = (performance.now() - t0) / 1000;
    return { cpuMsPerS: (used.user + used.system) / 1000 / wallS, progressEvents };
  } finally {
    off();
    await work.stop();
  }
}

async function main(): Promise<void> {
  const args = benchArgs('node dist/bench/idle-runner-bench.js [--jobs N] [--seconds S] [--runs R]', {
    jobs: { default: 100_000, min: 1000 }, seconds: { default: 5, min: 2 }, runs: { default: 3, min: 1 },
  }, []);
  console.log(`vss idle job work benchmark: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; ${args.seconds} s idle each, median of ${args.runs}`);
  const dir = freshDir(tmpdir(), 'vss-idle-runner-bench-');
  const dataDir = join(dir, 'data');
  mkdirSync(join(dir, 'empty'));
  mkdirSync(join(dir, 'full'));
  const empty = libraryWith(join(dir, 'empty'), dataDir, 0);
  const full = libraryWith(join(dir, 'full'), dataDir, args.jobs);
  try {
    // A round to warm up (JIT, page cache), not counted.
    await idleCost(empty, dataDir, 1);
    await idleCost(full, dataDir, 1);
    const e: Idle[] = [];
    const f: Idle[] = [];
    for (let r = 0; r < args.runs; r++) {
      e.push(await idleCost(empty, dataDir, args.seconds));
      f.push(await idleCost(full, dataDir, args.seconds));
    }
    const cpuE = median(e.map((x) => x.cpuMsPerS));
    const cpuF = median(f.map((x) => x.cpuMsPerS));
    const perS = (xs: Idle[]) => num(xs.reduce((a, x) => a + x.progressEvents, 0) / (xs.length * args.seconds));
    console.log(`  empty library: ${num(cpuE)} ms CPU per s idle, ${perS(e)} progress events per s`);
    console.log(`  ${kilo(args.jobs)} finished jobs: ${num(cpuF)} ms CPU per s idle (${ratio(cpuF / cpuE)} the empty library's), ${perS(f)} progress events per s`);
  } finally {
    empty.close();
    full.close();
    rmrf(dir);
  }
}

runMain(import.meta.url, main);
