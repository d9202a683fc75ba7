/**
 * `node dist/bench/tool-start-bench.js [--runs R]`
 *
 * What tying tools to vss costs (core/child-lifetime.ts): the first tool run of a process starts
 * the watchdog (`/bin/sh`), later runs add one pipe write each. Each run is a fresh process
 * (tool-start-child.ts) timing `/bin/true` from spawn to exit: a bare detached spawn (the anchor:
 * the cost before), the same tied and untied (the watchdog's share), and through runTool; the
 * order alternates, medians of R runs.
 * Also the watchdog's resident memory.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Summary, benchArgs, median, num, ratio, runMain } from './util.js';

const CHILD = fileURLToPath(new URL('./tool-start-child.js', import.meta.url));

interface ChildResult { firstMs: number; nextMs: number; watchdogRssKB: number | null }

const MODES = ['plain', 'plain+tie', 'tied'] as const;
type Mode = typeof MODES[number];

function child(mode: Mode): ChildResult {
  const r = spawnSync(process.execPath, [CHILD, mode, '20'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tool-start-child ${mode} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as ChildResult;
}

async function main(): Promise<void> {
  const { runs } = benchArgs('tool-start-bench [--runs R]', { runs: { default: 15, min: 3 } }, []);
  for (const mode of MODES) child(mode); // warm the page cache
  const results: Record<Mode, ChildResult[]> = { plain: [], 'plain+tie': [], tied: [] };
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? MODES : [...MODES].reverse();
    for (const mode of order) results[mode].push(child(mode));
  }
  const med = (mode: Mode, k: 'firstMs' | 'nextMs') => median(results[mode].map((r) => r[k]));
  const ms = (x: number) => `${num(x)} ms`;
  const summary = new Summary();
  for (const k of ['firstMs', 'nextMs'] as const) {
    const what = k === 'firstMs' ? 'first tool run of a process' : 'later tool runs';
    summary.add({ what: `${what}, plain spawn`, value: ms(med('plain', k)), ratio: '1×', target: '', ok: null });
    summary.add({ what: `${what}, plain spawn + tie`, value: ms(med('plain+tie', k)), ratio: ratio(med('plain+tie', k) / med('plain', k)), target: '', ok: null });
    summary.add({ what: `${what}, runTool`, value: ms(med('tied', k)), ratio: ratio(med('tied', k) / med('plain', k)), target: '', ok: null });
  }
  const rss = results.tied.map((r) => r.watchdogRssKB).filter((x): x is number => x !== null);
  if (rss.length > 0) summary.add({ what: 'watchdog resident memory', value: `${num(median(rss) / 1024)} MiB`, ratio: '', target: '', ok: null });
  console.log(`tool start, /bin/true spawn to exit, median of ${runs} fresh processes each`);
  summary.print();
}

runMain(import.meta.url, main);
