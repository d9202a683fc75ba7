/**
 * Child process for tool-start-bench: `node dist/bench/tool-start-child.js MODE [N]`.
 * Times the first external tool run of a fresh process (`/bin/true`, spawn to exit), then the
 * median of N more, and prints one JSON line:
 *   tied       through runTool: the first run also starts the watchdog (core/child-lifetime.ts)
 *   plain+tie  a bare detached spawn, tied and untied as runTool does: the watchdog's share alone
 *   plain      a bare detached spawn with the same stdio: what starting a tool cost before
 * Both load the same modules before the clock starts, so only the run is timed.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { prepareToTie, tieToThisProcess, watchdogPid } from '../src/core/child-lifetime.js';
import { runTool } from '../src/generators/tools/run-tool.js';

const TOOL = '/bin/true';

function plain(tie: boolean): Promise<void> {
  return new Promise((res, rej) => {
    if (tie) prepareToTie();
    const c = spawn(TOOL, [], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const untie = tie ? tieToThisProcess(c.pid, { group: true }) : () => undefined;
    c.stdout.resume();
    c.stderr.resume();
    c.on('error', rej);
    c.on('close', () => { untie(); res(); });
  });
}

async function tied(): Promise<void> {
  await runTool(TOOL, [], { signal: new AbortController().signal, timeoutMs: 10_000, nice: false });
}

function rssKB(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : null;
}

const mode = process.argv[2];
const next = Number(process.argv[3] ?? 20);
const runs = { tied, 'plain+tie': () => plain(true), plain: () => plain(false) } as Record<string, () => Promise<void>>;
const run = runs[mode ?? ''];
if (!run) {
  console.error('usage: node dist/bench/tool-start-child.js tied|plain+tie|plain [N]');
  process.exit(2);
}
const t0 = performance.now();
await run();
const firstMs = performance.now() - t0;
const nextMs: number[] = [];
for (let i = 0; i < next; i++) {
  const t = performance.now();
  await run();
  nextMs.push(performance.now() - t);
}
nextMs.sort((a, b) => a - b);
console.log(JSON.stringify({ firstMs, nextMs: nextMs[Math.floor(nextMs.length / 2)], watchdogRssKB: rssKB(watchdogPid()) }));
