/**
 * `node dist/bench/rss-lists-bench.js [--small N] [--large N] [--skip-large] [--dir DIR]`
 *
 * Peak RSS of the commands whose memory must be bounded by a batch, not by the library: the
 * queueing phase of a deep rescan, Live Photo linking, and `content list`, `sidecars list` and
 * `jobs list` (text and --json, read through a pipe), on synthetic libraries of N contents
 * (default 100k and 1M; half stills, half their Live Photo movies; one sidecar and one job each).
 * Each step runs as its own child process; its peak RSS is `/usr/bin/time -f %M` when that exists,
 * else the last VmHWM read from /proc/<pid>/status.
 *
 * Anchors, measured in the same run: the same CLI listing an empty library, and bare
 * better-sqlite3 iterating every content row. Flat means the large figure ≈ the small one.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBigLibrary } from '../test/support/big-library.js';
import { Vss } from '../test/internals.js';
import { benchArgs, freshDir, kilo, num, rmrf, runMain, secs } from './util.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const VSS_BIN = join(REPO, 'bin', 'vss');
const CHILD = fileURLToPath(new URL('./rss-lists-child.js', import.meta.url));
const TIME_BIN = '/usr/bin/time';

interface Measured {
  peakMiB: number;
  s: number;
  outBytes: number;
  out: string;
}

/** Run ARGS under node, read its stdout through a pipe as a consumer would, and return its peak RSS. */
async function measure(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Measured> {
  const hasTime = existsSync(TIME_BIN);
  const timeOut = join(tmpdir(), `vss-rss-${process.pid}-${Date.now()}.txt`);
  const [cmd, argv] = hasTime ? [TIME_BIN, ['-f', '%M', '-o', timeOut, process.execPath, ...args]] : [process.execPath, args];
  const t0 = performance.now();
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let outBytes = 0;
  let head = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => {
    outBytes += b.length;
    if (head.length < 4096) head += b.toString('utf8');
  });
  child.stderr.on('data', (b: Buffer) => { err += b.toString('utf8'); });
  let hwmKB = 0;
  const nodePid = () => {
    if (!hasTime) return child.pid;
    try { return Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/)[0]) || undefined; } catch { return undefined; }
  };
  const sampler = hasTime ? undefined : setInterval(() => {
    try {
      const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${nodePid()}/status`, 'utf8'));
      if (m) hwmKB = Math.max(hwmKB, Number(m[1]));
    } catch { /* exited */ }
  }, 20);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (sampler) clearInterval(sampler);
  const s = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}: ${err.trim()}`);
  if (hasTime) {
    hwmKB = Number(readFileSync(timeOut, 'utf8').trim().split('\n').pop());
    rmSync(timeOut, { force: true });
  }
  return { peakMiB: hwmKB / 1024, s, outBytes, out: head };
}

interface Step {
  name: string;
  args: (lib: { dataDir: string; root: string; db: string; locationId: number }) => string[];
}

const cli = (...a: string[]) => (l: { dataDir: string; root: string }) => [VSS_BIN, '--data-dir', l.dataDir, '--library', l.root, ...a];

const STEPS: Step[] = [
  { name: 'bare better-sqlite3 iterate (anchor)', args: (l) => [CHILD, 'bare', l.db] },
  { name: 'content list --json', args: cli('--json', 'content', 'list') },
  { name: 'content list', args: cli('content', 'list') },
  { name: 'sidecars list --json', args: cli('--json', 'sidecars', 'list') },
  { name: 'sidecars list', args: cli('sidecars', 'list') },
  { name: 'jobs list --json', args: cli('--json', 'jobs', 'list') },
  { name: 'jobs list --status completed', args: cli('jobs', 'list', '--status', 'completed') },
  { name: 'queueing phase (deep rescan)', args: (l) => [CHILD, 'queue', l.dataDir, l.root, String(l.locationId)] },
  { name: 'Live Photo linking (first)', args: (l) => [CHILD, 'live', l.dataDir, l.root, String(l.locationId)] },
  { name: 'Live Photo linking (rescan)', args: (l) => [CHILD, 'live', l.dataDir, l.root, String(l.locationId)] },
];

async function main(): Promise<void> {
  const args = benchArgs(
    'node dist/bench/rss-lists-bench.js [--small N] [--large N] [--skip-large] [--dir DIR]',
    { small: { default: 100_000, min: 100 }, large: { default: 1_000_000, min: 100 } }, ['skip-large'],
    process.argv.slice(2).filter((a, i, all) => a !== '--dir' && all[i - 1] !== '--dir'),
  );
  const dirArg = process.argv.indexOf('--dir');
  const parent = dirArg > 0 ? process.argv[dirArg + 1]! : tmpdir();
  mkdirSync(parent, { recursive: true });
  const sizes = args['skip-large'] ? [args.small] : [args.small, args.large];
  console.log(`vss list/queue RSS benchmark: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; peak RSS by ${existsSync(TIME_BIN) ? '/usr/bin/time' : '/proc VmHWM sampling'}`);
  const work = freshDir(parent, 'vss-rss-lists-');
  try {
    // Anchor: the same CLI over an empty library.
    const emptyData = join(work, 'empty-data');
    const empty = new Vss({ dataDir: emptyData }).createLibrary('empty', join(work, 'empty'));
    const emptyRoot = empty.root;
    empty.close();
    const anchor = await measure([VSS_BIN, '--data-dir', emptyData, '--library', emptyRoot, '--json', 'content', 'list']);
    console.log(`  anchor: vss --json content list, empty library: ${num(anchor.peakMiB)} MiB`);

    const results = new Map<string, number[]>();
    for (const n of sizes) {
      const dir = join(work, `n${n}`);
      const t0 = performance.now();
      const big = buildBigLibrary(dir, { contents: n, livePhotos: true });
      const l = { dataDir: big.dataDir, root: big.lib.root, db: join(big.lib.root, 'database.db'), locationId: big.locationId };
      big.lib.close();
      const dbMiB = Number(execFileSync('du', ['-sk', l.db]).toString().split('\t')[0]) / 1024;
      console.log(`\n${kilo(n)} contents (built in ${secs((performance.now() - t0) / 1000)}, database ${num(dbMiB)} MiB):`);
      for (const step of STEPS) {
        const m = await measure(step.args(l));
        const what = m.out.startsWith('{') ? `  ${m.out.trim()}` : `  ${num(m.outBytes / 1024 / 1024)} MiB out`;
        console.log(`  ${step.name.padEnd(36)} ${num(m.peakMiB).padStart(6)} MiB peak  ${secs(m.s).padStart(7)}${what}`);
        results.set(step.name, [...(results.get(step.name) ?? []), m.peakMiB]);
      }
      rmrf(dir);
    }

    console.log(`\nPeak RSS (MiB); anchor = empty-library CLI ${num(anchor.peakMiB)} MiB${sizes.length > 1 ? `; growth = ${kilo(sizes[1]!)} / ${kilo(sizes[0]!)}` : ''}`);
    console.log(`  ${'step'.padEnd(36)} ${sizes.map((n) => kilo(n).padStart(8)).join(' ')}  ${'× anchor'.padStart(9)}${sizes.length > 1 ? '   growth' : ''}`);
    for (const [name, peaks] of results) {
      const last = peaks[peaks.length - 1]!;
      const growth = peaks.length > 1 ? `  ${num(last / peaks[0]!).padStart(6)}×` : '';
      console.log(`  ${name.padEnd(36)} ${peaks.map((p) => num(p).padStart(8)).join(' ')}  ${`${num(last / anchor.peakMiB)}×`.padStart(9)}${growth}`);
    }
  } finally {
    rmrf(work);
  }
}

runMain(import.meta.url, main);
