/**
 * `npm run bench:cli` (`node dist/bench/cli-bench.js [--runs R]`)
 *
 * What a command costs the machine before it answers (issue 43): the CPU of one `vss` process,
 * user + system, against `node -e 0` measured in the same run, each a fresh process, the median of
 * R. Targets: `vss --version` and `vss --help` ≤ 1.5× node; a read the daemon serves (`tag list`,
 * `content list` of 100 contents) ≤ 2×. Also `library list` and a `content list` without a daemon
 * (the core in the process), for the record. VSS_BENCH_BIN compares another checkout's bin/vss.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Summary, benchArgs, freshDir, median, ratio, rmrf, runMain } from './util.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO = resolve(HERE, '..', '..');
const VSS = process.env.VSS_BENCH_BIN ?? join(REPO, 'bin', 'vss');
const REPORTER = join(HERE, 'support', 'report-cpu.js');

/** The CPU milliseconds of one process running ARGS (node's own arguments first), which must exit 0. */
function cpuOf(args: string[], env: NodeJS.ProcessEnv, report: string): number {
  rmSync(report, { force: true });
  const r = spawnSync(process.execPath, ['--import', REPORTER, ...args], { env: { ...env, VSS_CPU_REPORT: report }, cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return Number(readFileSync(report, 'utf8').trim());
}

function vss(args: string[], env: NodeJS.ProcessEnv): void {
  const r = spawnSync(process.execPath, [VSS, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
  if (r.status !== 0) throw new Error(`vss ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
}

async function main(): Promise<void> {
  const { runs } = benchArgs('cli-bench [--runs R]', { runs: { default: 21, min: 3 } }, []);
  const dir = freshDir(tmpdir(), 'vss-cli-bench-');
  const env = { ...process.env, VSS_DATA_DIR: join(dir, 'data'), VSS_LOG_LEVEL: undefined, VSS_LIBRARY: undefined, VSS_NO_DAEMON: undefined };
  const report = join(dir, 'cpu.txt');
  try {
    const photos = join(dir, 'photos');
    mkdirSync(photos);
    for (let i = 0; i < 100; i++) writeFileSync(join(photos, `note-${i}.txt`), `note ${i}\n`);
    vss(['library', 'create', 'Bench', '--path', dir], env);
    vss(['location', 'add', photos, '--mode', 'content'], env);
    vss(['tag', 'create', 'Family'], env);
    const inProcess = { ...env, VSS_NO_DAEMON: '1' };
    const cases: Array<{ name: string; args: string[]; env: NodeJS.ProcessEnv; target?: number }> = [
      { name: 'node -e 0', args: ['-e', '0'], env },
      { name: 'vss --version', args: [VSS, '--version'], env, target: 1.5 },
      { name: 'vss --help', args: [VSS, '--help'], env, target: 1.5 },
      { name: 'vss tag list (daemon)', args: [VSS, 'tag', 'list'], env, target: 2 },
      { name: 'vss content list (100) (daemon)', args: [VSS, 'content', 'list', '--json'], env, target: 2 },
      { name: 'vss library list', args: [VSS, 'library', 'list'], env },
      { name: 'vss content list (100) (in-process)', args: [VSS, 'content', 'list', '--json'], env: inProcess },
    ];
    vss(['daemon', 'start'], env);
    try {
      for (const c of cases) cpuOf(c.args, c.env, report); // warm the page cache
      const ms = new Map<string, number[]>(cases.map((c) => [c.name, []]));
      // Interleaved, so a slower moment of the machine falls on every case alike.
      for (let i = 0; i < runs; i++) for (const c of cases) ms.get(c.name)!.push(cpuOf(c.args, c.env, report));
      const bare = median(ms.get('node -e 0')!);
      const summary = new Summary();
      for (const c of cases) {
        const m = median(ms.get(c.name)!);
        summary.add({ what: c.name, value: `${m.toFixed(1)} ms`, ratio: `${ratio(m / bare)} node`, target: c.target !== undefined ? `≤ ${c.target}×` : '', ok: c.target !== undefined ? m / bare <= c.target : null });
      }
      console.log(`CPU of one process (user + system), median of ${runs} each, interleaved`);
      summary.print();
    } finally {
      vss(['daemon', 'stop'], env);
    }
  } finally {
    rmrf(dir);
  }
}

runMain(import.meta.url, main);
