/**
 * `node dist/bench/idle-runner-bench.js [--jobs N] [--seconds S]`
 *
 * What the daemon's job work costs while there is nothing to do: the CPU time this process spends
 * over S seconds (default 10) with one idle JobWork (the real runner, the generators' job kinds,
 * the default poll) on a library whose jobs table holds N finished jobs (default 100,000),
 * against the same on an empty library measured in the same run. Also counts the `jobs:progress`
 * events the idle work emits (there is nothing to report).
 */
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Installation as Vss } from '../src/library/installation.js';
import { startJobWork } from '../src/jobs/job-work.js';
import { benchArgs, freshDir, kilo, num, ratio, rmrf, runMain } from './util.js';

interface Idle {
  cpuMsPerS: number;
  progressEvents: number;
}

async function idleCost(finished: number, seconds: number): Promise<Idle> {
  const dir = freshDir(tmpdir(), 'vss-idle-runner-bench-');
  const dataDir = join(dir, 'data');
  const lib = new Vss({ dataDir }).createLibrary('I', dir);
  try {
    const now = Date.now();
    const ins = lib.db.prepare(`INSERT INTO jobs (kind, content_uuid, priority, status, max_attempts, attempts, bytes, created_at, updated_at, started_at, finished_at) VALUES ('thumb', ?, 10, ?, 3, 1, 1000, ?, ?, ?, ?)`);
    lib.db.transaction(() => {
      for (let i = 0; i < finished; i++) {
        // Recent (kept by the prune at start), mostly completed, a few failed or cancelled.
        const t = now - (finished - i) * 10;
        ins.run(`00000000-0000-5000-8000-${String(i).padStart(12, '0')}`, i % 100 === 0 ? 'failed' : i % 100 === 1 ? 'cancelled' : 'completed', t, t, t, t);
      }
    })();
    lib.db.exec('ANALYZE');
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
  } finally {
    lib.close();
    rmrf(dir);
  }
}

async function main(): Promise<void> {
  const args = benchArgs('node dist/bench/idle-runner-bench.js [--jobs N] [--seconds S]', { jobs: { default: 100_000, min: 1000 }, seconds: { default: 10, min: 2 } }, []);
  console.log(`vss idle job work benchmark: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; ${args.seconds} s idle each`);
  const empty = await idleCost(0, args.seconds);
  const full = await idleCost(args.jobs, args.seconds);
  console.log(`  empty library: ${num(empty.cpuMsPerS)} ms CPU per s idle, ${empty.progressEvents} progress events`);
  console.log(`  ${kilo(args.jobs)} finished jobs: ${num(full.cpuMsPerS)} ms CPU per s idle (${ratio(full.cpuMsPerS / empty.cpuMsPerS)} the empty library's), ${full.progressEvents} progress events`);
}

runMain(import.meta.url, main);
