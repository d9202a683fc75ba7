/**
 * `node dist/bench/queue-bench.js [--jobs N] [--runs R]`
 *
 * What the durable job queue costs per job, beside the work itself: N no-op jobs queued in one
 * batch and worked by the real JobRunner (claim, run, record, progress; concurrency 2) in a real
 * library, against an anchor in the same run: the bare SQLite statements any durable queue needs
 * per job (mark running, mark done, each its own transaction) on a table of the same shape.
 * Target: < 1 ms per job.
 */
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Installation as Vss } from '../src/library/installation.js';
import { JobKinds } from '../src/jobs/job-kind.js';
import { JobRunner } from '../src/jobs/runner.js';
import { JobStore } from '../src/store/jobs.js';
import { Summary, benchArgs, freshDir, median, num, ratio, rmrf, secs, timeAsync, timeSync, runMain } from './util.js';

const SETTINGS = { ocrLanguages: ['eng'], models: {}, threads: 1 };

async function ourQueue(dir: string, jobs: number): Promise<{ enqueue: number; run: number }> {
  const vss = new Vss({ dataDir: join(dir, 'data') });
  const lib = vss.createLibrary('Q', dir);
  try {
    const store = new JobStore(lib.db);
    const enqueue = timeSync(() => store.enqueueMany(Array.from({ length: jobs }, (_, i) => ({
      kind: 'noop', contentUuid: `00000000-0000-5000-8000-${String(i).padStart(12, '0')}`, priority: 10, maxAttempts: 3, bytes: 1,
    })))).s;
    const kinds = new JobKinds([{ name: 'noop', concurrency: 2, timeoutMs: () => 60_000, run: async () => ({ state: 'completed' }) }]);
    const { s, value } = await timeAsync(() => new JobRunner(lib, { kinds, settings: SETTINGS, untilIdle: true, concurrency: 2 }).run());
    if (value.completed !== jobs) throw new Error(`only ${value.completed} of ${jobs} jobs completed`);
    return { enqueue, run: s };
  } finally {
    lib.close();
  }
}

/** The floor: one insert per job in a batch, then per job an UPDATE to running and one to done. */
function bareSqlite(dir: string, jobs: number): { enqueue: number; run: number } {
  const db = new Database(join(dir, 'bare.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE jobs (id INTEGER PRIMARY KEY, kind TEXT, content_uuid TEXT, priority INTEGER, status TEXT, attempts INTEGER DEFAULT 0, run_after INTEGER DEFAULT 0, updated_at INTEGER);
           CREATE INDEX jobs_next ON jobs(status, priority, run_after, id)`);
  const ins = db.prepare("INSERT INTO jobs (kind, content_uuid, priority, status, updated_at) VALUES ('noop', ?, 10, 'queued', 0)");
  const enqueue = timeSync(() => db.transaction(() => { for (let i = 0; i < jobs; i++) ins.run(String(i)); })()).s;
  const next = db.prepare("SELECT id FROM jobs WHERE status = 'queued' ORDER BY priority, run_after, id LIMIT 1");
  const start = db.prepare("UPDATE jobs SET status = 'running', attempts = attempts + 1, updated_at = ? WHERE id = ?");
  const done = db.prepare("UPDATE jobs SET status = 'completed', updated_at = ? WHERE id = ?");
  const run = timeSync(() => {
    for (;;) {
      const r = next.get() as { id: number } | undefined;
      if (!r) break;
      start.run(Date.now(), r.id);
      done.run(Date.now(), r.id);
    }
  }).s;
  db.close();
  return { enqueue, run };
}

async function main(): Promise<void> {
  const args = benchArgs('node dist/bench/queue-bench.js [--jobs N] [--runs R]', { jobs: { default: 10_000, min: 10 }, runs: { default: 3, min: 1 } }, []);
  console.log(`vss job queue benchmark: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; ${args.jobs} no-op jobs, median of ${args.runs}`);
  const ours: Array<{ enqueue: number; run: number }> = [];
  const bare: Array<{ enqueue: number; run: number }> = [];
  for (let r = 0; r < args.runs; r++) {
    const dir = freshDir(tmpdir(), 'vss-queue-bench-');
    try {
      bare.push(bareSqlite(dir, args.jobs));
      ours.push(await ourQueue(dir, args.jobs));
    } finally {
      rmrf(dir);
    }
  }
  const perJob = (xs: number[]) => (median(xs) / args.jobs) * 1000;
  const oursRun = perJob(ours.map((o) => o.run));
  const bareRun = perJob(bare.map((b) => b.run));
  console.log(`  enqueue: ours ${num(perJob(ours.map((o) => o.enqueue)) * 1000)} µs/job, bare insert ${num(perJob(bare.map((b) => b.enqueue)) * 1000)} µs/job`);
  console.log(`  run:     ours ${num(oursRun)} ms/job (${secs(median(ours.map((o) => o.run)))} for ${args.jobs}), bare SQLite ${num(bareRun)} ms/job`);
  const summary = new Summary();
  summary.add({ what: `queue overhead, ${args.jobs} no-op jobs`, value: `${num(oursRun)} ms/job`, ratio: ratio(oursRun / bareRun), target: '< 1 ms/job', ok: oursRun < 1 });
  console.log('\n== Summary (ratio: ours / bare SQLite claim+complete) ==');
  summary.print();
}

runMain(import.meta.url, main);
