/**
 * `npm run bench [-- --files N] [--large] [--keep] [--runs R]`
 *
 * Runs the indexer-foundation benchmarks in sequence and prints a summary table. Every figure is
 * a ratio against an anchor measured in the same run on the same machine, so the numbers travel
 * between machines better than absolute times do. Everything is done on a page-cache-warm tree.
 *
 *   --files N   size of the small-file tree (default 100000)
 *   --large     also generate a 1,000,000-file tree and measure the content index's peak RSS on it
 *               (minutes: writing a million files is slow)
 *   --keep      keep the temporary trees and libraries (their location is printed)
 *   --runs R    repetitions of each measured thing, the median counts (default 3)
 */
import { spawnSync } from 'node:child_process';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runIndexBench } from './index-bench.js';
import { runLargeFilesBench } from './large-files-bench.js';
import { generateTree, type TreeInfo } from './tree.js';
import { MiB, Summary, benchArgs, freshDir, kilo, num, rmrf, secs, timeSync } from './util.js';

const LARGE_N = 1_000_000;

function makeTree(workDir: string, n: number): TreeInfo {
  const root = join(workDir, `tree-${n}`);
  const progress = n >= 500_000 ? (done: number) => { if (done % 100_000 === 0) console.log(`    ... ${done} files written`); } : undefined;
  const { s, value } = timeSync(() => generateTree(root, n, undefined, progress));
  console.log(`  generated ${value.files} files in ${value.dirs} folders (${num(value.bytes / MiB)} MiB, ${value.duplicates} exact duplicates) in ${secs(s)}: ${root}`);
  return value;
}

interface RssFigures {
  maxRssKB: number;
  baselineKB: number;
  hwmKB: number | null;
  baselineHwmKB: number | null;
  s: number;
  files: number;
  hashed: number;
  contents: number;
  skipped: number;
}

/** The content-mode index of TREE in a child process; its peak RSS. */
function measureRss(workDir: string, tree: TreeInfo): RssFigures {
  const dataDir = freshDir(workDir, 'rss-');
  try {
    const child = fileURLToPath(new URL('./rss-child.js', import.meta.url));
    const r = spawnSync(process.execPath, [child, tree.root, dataDir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 * MiB });
    if (r.status !== 0) throw new Error(`rss child failed (status ${r.status}, signal ${r.signal})`);
    const last = r.stdout.trim().split('\n').pop() ?? '';
    const f = JSON.parse(last) as RssFigures;
    if (f.files !== tree.files || f.hashed !== tree.files || f.contents !== tree.uniqueContents || f.skipped !== 0) {
      console.log(`    !! child indexed ${f.files} files, hashed ${f.hashed}, ${f.contents} contents, ${f.skipped} skipped (expected ${tree.files} / ${tree.files} / ${tree.uniqueContents} / 0)`);
    }
    return f;
  } finally {
    rmrf(dataDir);
  }
}

/** The child's own peak (VmHWM) where Linux gives it, else ru_maxrss. KiB. */
const peakKB = (f: RssFigures) => f.hwmKB ?? f.maxRssKB;

function rssLine(n: number, f: RssFigures): string {
  const src = f.hwmKB !== null ? 'VmHWM' : 'maxRSS';
  const base = f.baselineHwmKB ?? f.baselineKB;
  return `  peak RSS, content index of ${n} files in a child process: ${num(peakKB(f) / 1024)} MiB (${src}; ` +
    `${num(base / 1024)} MiB before the scan; resourceUsage().maxRSS ${num(f.maxRssKB / 1024)} MiB; index took ${secs(f.s)}, ${kilo(n / f.s)} files/s)`;
}

async function main(): Promise<void> {
  const args = benchArgs('node dist/bench/run-all.js [--files N] [--large] [--keep] [--runs R]', { files: { default: 100_000, min: 1 }, runs: { default: 3, min: 1 } }, ['large', 'keep']);
  const workDir = freshDir(tmpdir(), 'vss-bench-');
  const summary = new Summary();
  const cleanup = () => { if (!args.keep) rmrf(workDir); };
  process.once('SIGINT', () => { cleanup(); process.exit(130); });

  console.log(`vss benchmarks: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${num(totalmem() / 1024 ** 3)} GiB RAM`);
  console.log(`  work dir ${workDir}${args.keep ? ' (kept)' : ' (removed at the end)'}; ${args.files} files; ${args.runs} runs each; page cache warm throughout`);
  const started = Date.now();
  /** One section; a failure is reported and the others still run (src/ may be mid-edit under us). */
  const section = async (name: string, fn: () => Promise<void> | void) => {
    try {
      await fn();
    } catch (err) {
      console.log(`  !! ${name} failed: ${(err as Error).stack ?? String(err)}`);
      summary.add({ what: name, value: 'FAILED', ratio: '', target: '', ok: false });
    }
  };
  try {
    const tree = makeTree(workDir, args.files);
    // First, while this process is still small: ru_maxrss of a forked child starts at the parent's RSS.
    let rss: RssFigures | undefined;
    await section(`peak RSS, ${tree.files} files`, () => { rss = measureRss(workDir, tree); });
    await section(`indexing ${tree.files} files`, () => runIndexBench({ tree, workDir, runs: args.runs, keep: args.keep, summary }).then(() => undefined));
    if (rss) {
      console.log(rssLine(tree.files, rss));
      summary.add({ what: `peak RSS, content index, ${tree.files} files`, value: `${num(peakKB(rss) / 1024)} MiB`, ratio: '', target: '', ok: null });
    }
    if (!args.keep) rmrf(tree.root);

    await section('large files', () => runLargeFilesBench({ workDir, runs: args.runs, keep: args.keep, summary }));

    if (args.large && args.files < LARGE_N) {
      console.log(`\n== Peak RSS with ${LARGE_N} files (--large) ==`);
      const big = makeTree(workDir, LARGE_N);
      await section(`peak RSS, ${big.files} files`, () => {
        const f = measureRss(workDir, big);
        console.log(rssLine(big.files, f));
        const growth = rss ? peakKB(f) / peakKB(rss) : NaN;
        if (rss) {
          console.log(`    ${num(growth)}× the peak RSS at ${tree.files} files for ${num(big.files / tree.files)}× the files; ` +
            `per-file index time ${num((f.s / big.files) / (rss.s / tree.files))}× that at ${tree.files} files`);
        }
        summary.add({ what: `peak RSS, content index, ${big.files} files`, value: `${num(peakKB(f) / 1024)} MiB`, ratio: `${num(growth)}× of ${tree.files}`, target: 'flat: ≤ 1.25× the smaller tree', ok: growth <= 1.25 });
      });
      if (!args.keep) rmrf(big.root);
    }
  } finally {
    cleanup();
  }

  console.log(`\n== Summary (${secs((Date.now() - started) / 1000)} in all) ==`);
  summary.print();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
