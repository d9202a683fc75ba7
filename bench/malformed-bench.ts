/**
 * `node dist/bench/malformed-bench.js [--seed S] [--concurrency C] [--per-file] [--top N] [--keep]`
 *
 * Peak memory of a real deep index and job run over ~250 malformed media files (truncated,
 * bit-flipped, mislabelled, lying headers: bench/malformed-corpus.ts) against the anchor: the same
 * two commands over the unharmed fixtures they were made from, measured in the same run.
 *   vss location add DIR --mode deep      (indexing, ExifTool)
 *   vss jobs run --until-idle             (thumbnails, OCR, proxies, motion-photo movies)
 * For each: wall time, the peak RSS of the whole process tree (vss, its worker threads and its
 * children, sampled from /proc), the exact high-water mark of vss itself, and each kind of child
 * (ffmpeg, ffprobe, perl) separately. Target: the malformed run's tree peak under 1 GiB.
 *
 *   --per-file   also run each malformed file alone (its own location, its own `jobs run`) and
 *                print the N (--top, default 15) with the highest tree peak: where memory goes
 *   --per-file-only   only that
 *   --concurrency C   passed to `vss jobs run` (default: vss's own, the number of cores)
 *
 * VSS_BENCH_BIN points at another checkout's bin/vss to compare builds.
 */
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeAnchorCorpus, writeMalformedCorpus, type CorpusFile } from './malformed-corpus.js';
import { runMeasured, type TreeMemory } from './proc-tree.js';
import { MiB, Summary, benchArgs, freshDir, num, ratio, rmrf, secs, runMain } from './util.js';

const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const VSS = process.env.VSS_BENCH_BIN ?? join(REPO, 'bin', 'vss');
const TARGET_KB = 1024 * 1024;

interface JobsSummary {
  completed: number;
  failed: number;
  errors: Array<{ kind: string; error: string }>;
}

interface SetResult {
  index: TreeMemory;
  jobs: TreeMemory;
  summary: JobsSummary | undefined;
  /** The jobs that were running when the tree peaked: the likely culprits. */
  atPeak: string[];
}

const mib = (kb: number) => `${num(kb / 1024)} MiB`;

function vssSync(args: string[], env: NodeJS.ProcessEnv): void {
  const r = spawnSync(process.execPath, [VSS, ...args], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`vss ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
}

function envFor(dataDir: string): NodeJS.ProcessEnv {
  return { ...process.env, VSS_DATA_DIR: dataDir, VSS_LOG_LEVEL: undefined, VSS_LIBRARY: undefined };
}

/** A fresh library indexing DIR deep, then working its queue to the end. */
async function runSet(work: string, dir: string, concurrency: number): Promise<SetResult> {
  const dataDir = freshDir(work, 'data-');
  const env = envFor(dataDir);
  vssSync(['library', 'create', 'Bench', '--path', dataDir], env);
  const index = await runMeasured(process.execPath, [VSS, 'location', 'add', dir, '--mode', 'deep', '--json'], env);
  if (index.code !== 0) throw new Error(`location add exited ${index.code}: ${index.stderr}`);
  const jobs = await runJobs(env, concurrency);
  return { index, jobs, summary: parseSummary(jobs), atPeak: jobsRunningAt(join(dataDir, 'Bench.sdlibrary', 'database.db'), jobs.treePeakAt) };
}

/** Kind and file of each job whose run spans the moment AT (job times are epoch milliseconds). */
function jobsRunningAt(dbFile: string, at: number): string[] {
  const db = new Database(dbFile, { readonly: true });
  try {
    const rows = db.prepare(`
      SELECT j.kind, (SELECT e.rel_path FROM entries e JOIN content_identities c ON e.content_id = c.id WHERE c.uuid = j.content_uuid LIMIT 1) AS path
      FROM jobs j WHERE j.started_at <= ? AND COALESCE(j.finished_at, j.updated_at) >= ?`).all(at, at) as Array<{ kind: string; path: string | null }>;
    return rows.map((r) => `${r.kind} ${r.path ?? '?'}`);
  } finally {
    db.close();
  }
}

function runJobs(env: NodeJS.ProcessEnv, concurrency: number): Promise<TreeMemory> {
  return runMeasured(process.execPath, [VSS, 'jobs', 'run', '--until-idle', '--json', ...(concurrency > 0 ? ['--concurrency', String(concurrency)] : [])], env);
}

function parseSummary(r: TreeMemory): JobsSummary | undefined {
  try {
    return JSON.parse(r.stdout) as JobsSummary;
  } catch {
    return undefined;
  }
}

function childLine(m: TreeMemory): string {
  const parts = [...m.children.entries()].sort((a, b) => b[1].hwmKB - a[1].hwmKB).map(([name, c]) => `${name} ×${c.count} ≤ ${mib(c.hwmKB)}`);
  return parts.length ? parts.join(', ') : 'none';
}

function report(label: string, r: SetResult): void {
  console.log(`\n== ${label} ==`);
  for (const [what, m] of [['location add --mode deep', r.index], ['jobs run --until-idle', r.jobs]] as const) {
    console.log(`  ${what.padEnd(26)} ${secs(m.seconds).padStart(8)}   tree peak ${mib(m.treePeakKB).padStart(9)}   vss ${mib(m.rootHwmKB).padStart(9)}   children: ${childLine(m)}`);
  }
  console.log(`  running at the tree peak: ${r.atPeak.join(', ') || 'no job'}`);
  if (r.jobs.code !== 0) console.log(`  jobs run exited ${r.jobs.code}: ${r.jobs.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  if (r.summary) {
    console.log(`  jobs: ${r.summary.completed} completed, ${r.summary.failed} failed`);
    const reasons = new Map<string, number>();
    for (const e of r.summary.errors) {
      const key = `${e.kind}: ${e.error.replace(/^\/\S+: /, '').replace(/\d+/g, 'N').slice(0, 110)}`;
      reasons.set(key, (reasons.get(key) ?? 0) + 1);
    }
    for (const [why, n] of [...reasons.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`    ${String(n).padStart(3)}× ${why}`);
  }
}

/** Each file in its own folder and location, worked alone: the per-file peaks, worst first. */
async function perFile(work: string, files: CorpusFile[], top: number, concurrency: number): Promise<void> {
  const dataDir = freshDir(work, 'data-single-');
  const env = envFor(dataDir);
  vssSync(['library', 'create', 'Single', '--path', dataDir], env);
  const rows: Array<{ file: CorpusFile; jobs: TreeMemory; summary: JobsSummary | undefined }> = [];
  for (const [i, file] of files.entries()) {
    const dir = join(work, 'single', String(i).padStart(3, '0'));
    mkdirSync(dir, { recursive: true });
    copyFileSync(file.path, join(dir, basename(file.path)));
    vssSync(['location', 'add', dir, '--mode', 'deep', '--json'], env);
    const jobs = await runJobs(env, concurrency);
    rows.push({ file, jobs, summary: parseSummary(jobs) });
    if ((i + 1) % 25 === 0) console.log(`  ... ${i + 1} of ${files.length} files`);
  }
  rows.sort((a, b) => b.jobs.treePeakKB - a.jobs.treePeakKB);
  console.log(`\n== each malformed file alone: the ${top} highest tree peaks of \`jobs run\` ==`);
  for (const r of rows.slice(0, top)) {
    const why = r.summary?.errors.map((e) => `${e.kind}: ${e.error.replace(/^\/\S+: /, '').slice(0, 90)}`).join('; ') || 'no failure';
    console.log(`  ${mib(r.jobs.treePeakKB).padStart(9)} (vss ${mib(r.jobs.rootHwmKB)}, ${secs(r.jobs.seconds)})  ${basename(r.file.path)}  — ${why}`);
  }
}

async function main(): Promise<void> {
  const o = benchArgs(
    'malformed-bench [--seed S] [--concurrency C] [--top N] [--per-file | --per-file-only] [--keep]',
    { seed: { default: 8, min: 0 }, concurrency: { default: 0, min: 0 }, top: { default: 15, min: 1 } },
    ['per-file', 'per-file-only', 'keep'],
  );
  const work = freshDir(tmpdir(), 'vss-malformed-');
  try {
    const anchorFiles = await writeAnchorCorpus(join(work, 'anchor'));
    const malformedFiles = await writeMalformedCorpus(join(work, 'malformed'), o.seed);
    const bytes = malformedFiles.reduce((s, f) => s + f.bytes, 0);
    console.log(`corpus (seed ${o.seed}): ${malformedFiles.length} malformed files (${num(bytes / MiB)} MiB) from ${anchorFiles.length} fixtures, in ${work}`);
    console.log(`vss: ${VSS}`);

    if (o['per-file-only']) return await perFile(work, malformedFiles, o.top, o.concurrency);
    const anchor = await runSet(work, join(work, 'anchor'), o.concurrency);
    report(`anchor: the ${anchorFiles.length} unharmed fixtures`, anchor);
    const malformed = await runSet(work, join(work, 'malformed'), o.concurrency);
    report(`malformed: ${malformedFiles.length} files`, malformed);

    const summary = new Summary();
    const peak = (r: SetResult) => Math.max(r.index.treePeakKB, r.jobs.treePeakKB);
    summary.add({ what: 'tree peak RSS, malformed run', value: mib(peak(malformed)), ratio: `${ratio(peak(malformed) / peak(anchor))} anchor`, target: '< 1 GiB', ok: peak(malformed) < TARGET_KB });
    summary.add({ what: 'tree peak RSS, anchor run', value: mib(peak(anchor)), ratio: '', target: '', ok: null });
    summary.add({ what: 'vss high-water mark, malformed', value: mib(malformed.jobs.rootHwmKB), ratio: `${ratio(malformed.jobs.rootHwmKB / anchor.jobs.rootHwmKB)} anchor`, target: '', ok: null });
    summary.add({ what: 'jobs run wall time, malformed', value: secs(malformed.jobs.seconds), ratio: `${ratio(malformed.jobs.seconds / anchor.jobs.seconds)} anchor`, target: '', ok: null });
    summary.add({ what: 'index wall time, malformed', value: secs(malformed.index.seconds), ratio: `${ratio(malformed.index.seconds / anchor.index.seconds)} anchor`, target: '', ok: null });
    console.log('');
    summary.print();

    if (o['per-file']) await perFile(work, malformedFiles, o.top, o.concurrency);
  } finally {
    if (o.keep) console.log(`kept ${work}`);
    else rmrf(work);
  }
}

runMain(import.meta.url, main);
