/**
 * `node dist/bench/jobs-upkeep-bench.js [--jobs N]`
 *
 * What a job runner's upkeep costs when it starts, at N rows, in a real library:
 * - pruning: N finished jobs past the keep time (1 % of them failed with their sidecar still
 *   failed, which stay), deleted in batches by JobStore.prune, against the floor in the same
 *   run: one bare `DELETE … WHERE finished_at < ?` on a copy of the same rows;
 * - the look for stranded work: N pending sidecars that all have their open job (the usual case:
 *   nothing to queue), against a bare `COUNT(*)` of the pending rows of the kind.
 */
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Installation as Vss } from '../src/library/installation.js';
import { queueStranded } from '../src/jobs/stranded.js';
import { JobStore } from '../src/store/jobs.js';
import { benchArgs, freshDir, kilo, ratio, rmrf, secs, timeSync, runMain } from './util.js';

const DAY = 24 * 3600_000;

async function main(): Promise<void> {
  const args = benchArgs('node dist/bench/jobs-upkeep-bench.js [--jobs N]', { jobs: { default: 200_000, min: 1000 } }, []);
  const n = args.jobs;
  console.log(`vss job upkeep benchmark: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; ${kilo(n)} rows`);
  const dir = freshDir(tmpdir(), 'vss-upkeep-bench-');
  const vss = new Vss({ dataDir: join(dir, 'data') });
  const lib = vss.createLibrary('U', dir);
  try {
    const db = lib.db;
    const uuid = (i: number) => `00000000-0000-5000-8000-${String(i).padStart(12, '0')}`;
    const old = Date.now() - 30 * DAY;
    const insJob = db.prepare(`INSERT INTO jobs (kind, content_uuid, priority, status, max_attempts, bytes, created_at, updated_at, finished_at) VALUES ('thumb', ?, 10, ?, 3, 0, ?, ?, ?)`);
    const insSidecar = db.prepare(`INSERT INTO sidecars (uuid, content_uuid, kind, variant, format, rel_path, status, source, created_at, updated_at) VALUES (?, ?, 'thumb', 'grid@1x', 'webp', ?, ?, 'generated', 0, 0)`);
    db.transaction(() => {
      for (let i = 0; i < n; i++) {
        const failed = i % 100 === 0;
        insJob.run(uuid(i), failed ? 'failed' : 'completed', old, old, old + i);
        if (failed) insSidecar.run(`f-${i}`, uuid(i), `x/${i}`, 'failed');
      }
    })();
    db.exec('CREATE TABLE bare_jobs AS SELECT * FROM jobs; CREATE INDEX bare_finished ON bare_jobs(finished_at)');
    const floor = timeSync(() => db.prepare('DELETE FROM bare_jobs WHERE finished_at < ?').run(Date.now() - 7 * DAY)).s;
    const prune = timeSync(() => new JobStore(db).prune(Date.now() - 7 * DAY));
    const kept = (db.prepare('SELECT COUNT(*) AS c FROM jobs').get() as { c: number }).c;
    if (prune.value + kept !== n) throw new Error(`pruned ${prune.value} and kept ${kept} of ${n}`);
    console.log(`  prune ${kilo(prune.value)} of ${kilo(n)} finished jobs (${kilo(kept)} kept for retry): ${secs(prune.s)}; bare DELETE ${secs(floor)} (${ratio(prune.s / floor)})`);

    // Pending work, every piece with its open job: the look finds nothing to queue.
    db.exec("DELETE FROM jobs; DELETE FROM sidecars; DROP TABLE bare_jobs");
    const store = new JobStore(db);
    db.transaction(() => {
      for (let i = 0; i < n; i++) {
        insSidecar.run(`p-${i}`, uuid(i), `x/${i}`, 'pending');
        store.enqueue({ kind: 'thumb', contentUuid: uuid(i), priority: 10, maxAttempts: 3 });
      }
    })();
    const count = timeSync(() => db.prepare("SELECT COUNT(*) FROM sidecars WHERE kind = 'thumb' AND status = 'pending'").get()).s;
    const sweep = timeSync(() => queueStranded(lib, 'thumb', { priority: 10, maxAttempts: 3 }));
    if (sweep.value !== 0) throw new Error(`queued ${sweep.value}, expected none`);
    console.log(`  look for stranded work over ${kilo(n)} pending sidecars with jobs: ${secs(sweep.s)}; bare COUNT ${secs(count)} (${ratio(sweep.s / count)})`);
  } finally {
    lib.close();
    rmrf(dir);
  }
}

runMain(import.meta.url, main);
