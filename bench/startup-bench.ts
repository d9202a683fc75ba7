/**
 * `node dist/bench/startup-bench.js [--runs R]`
 *
 * Start-up of light commands: `vss library list` and `vss content list --json` on an empty
 * library, each a fresh process, against two anchors measured in the same run: `node -e ""` (the
 * floor of any Node CLI) and node loading commander and parsing a command line (the CLI parser
 * alone). Light commands load no engine (sharp, tesseract.js, pdfjs, onnxruntime, whisper,
 * ffmpeg); `npm test` proves that, this measures what it buys.
 */
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Summary, benchArgs, freshDir, median, ratio, rmrf, secs, runMain } from './util.js';

const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
/** The vss to measure; VSS_BENCH_BIN points at another checkout's bin/vss to compare builds. */
const VSS = process.env.VSS_BENCH_BIN ?? join(REPO, 'bin', 'vss');
const PARSER_ONLY = `
  const { Command } = await import('commander');
  const p = new Command('vss').option('--json');
  p.command('library').command('list').action(() => {});
  await p.parseAsync(['library', 'list'], { from: 'user' });`;

function timeProcess(args: string[], env: NodeJS.ProcessEnv): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { env, cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return s;
}

async function main(): Promise<void> {
  const { runs } = benchArgs('startup-bench [--runs R]', { runs: { default: 15, min: 3 } }, []);
  const dir = freshDir(tmpdir(), 'vss-startup-');
  const env = { ...process.env, VSS_DATA_DIR: join(dir, 'data'), VSS_LOG_LEVEL: undefined, VSS_LIBRARY: undefined };
  try {
    timeProcess([VSS, 'library', 'create', 'Empty', '--path', dir], env);
    const cases: Array<[string, string[]]> = [
      ['node -e ""', ['-e', '']],
      ['node + commander parse', ['--input-type=module', '-e', PARSER_ONLY]],
      ['vss library list', [VSS, 'library', 'list']],
      ['vss content list --json (empty)', [VSS, 'content', 'list', '--json']],
      ['vss --version', [VSS, '--version']],
    ];
    const times = new Map<string, number>();
    for (const [name, args] of cases) timeProcess(args, env); // warm the page cache
    for (const [name, args] of cases) times.set(name, median(Array.from({ length: runs }, () => timeProcess(args, env))));
    const bare = times.get('node -e ""')!;
    const parser = times.get('node + commander parse')!;
    const summary = new Summary();
    for (const [name] of cases) {
      const t = times.get(name)!;
      summary.add({ what: name, value: secs(t), ratio: `${ratio(t / bare)} node, ${ratio(t / parser)} parser`, target: '', ok: null });
    }
    console.log(`start-up, median of ${runs} fresh processes each`);
    summary.print();
  } finally {
    rmrf(dir);
  }
}

runMain(import.meta.url, main);
