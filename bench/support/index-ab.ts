/**
 * `node dist/bench/support/index-ab.js OTHER_DIST [N] [ROUNDS]`: one generated tree of N (50,000)
 * small files indexed in content mode into fresh libraries by two builds in turn, in one process:
 * this one (dist/) and OTHER_DIST (another build's dist/ copied to a folder that also holds a
 * package.json of `{"type":"module"}` and a link named node_modules to this repository's, so its
 * imports resolve as they do here). Alternating in one process puts both builds
 * under the same load as it moves on a shared machine; each run's phases come with the CPU of the
 * database thread and of the others (walk, reading, checkpoints), which a loaded machine blurs
 * far less than wall times; "reading" is the busiest other thread through the content phase
 * (AB_THREADS=1 lists each thread's there: the rest are V8's collector helpers and the
 * checkpoints). Each round also times the anchor, read+BLAKE3 of the same files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { generateTree } from '../tree.js';
import { listFiles, readAndHashAll } from '../walk.js';
import { freshDir, median, rmrf, timeSync } from '../util.js';

/** CPU ms of this process's main thread (Linux: its task's utime + stime). */
function mainThreadMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
}

/** CPU ms of each of this process's threads now, by thread id (Linux). */
function threadMs(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), ((Number(f[11]) + Number(f[12])) * 1000) / 100);
    } catch {
      // The thread ended meanwhile.
    }
  }
  return out;
}

const processMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface Build {
  name: string;
  freshLibrary: (work: string, path: string, mode: 'content') => { lib: { events: { on: (e: 'index:phase', f: (p: { phase: string }) => void) => () => void } }; locationId: number; dir: string };
  disposeRun: (run: unknown) => void;
  scanLocation: (lib: unknown, id: number) => Promise<unknown>;
}

async function load(name: string, dist: string): Promise<Build> {
  const fresh = await import(pathToFileURL(join(dist, 'bench/fresh-index.js')).href);
  const internals = await import(pathToFileURL(join(dist, 'test/internals.js')).href);
  return { name, freshLibrary: fresh.freshLibrary, disposeRun: fresh.disposeRun, scanLocation: internals.scanLocation };
}

interface Run {
  wall: number;
  phases: Map<string, { wall: number; main: number; others: number }>;
  /** CPU s of the busiest thread but this one through the content phase: the reading thread. */
  reading: number;
}

async function indexOnce(b: Build, work: string, root: string): Promise<Run> {
  const run = b.freshLibrary(work, root, 'content');
  const marks: Array<{ phase: string; wall: number; main: number; all: number }> = [];
  const mark = (phase: string) => marks.push({ phase, wall: performance.now(), main: mainThreadMs(), all: processMs() });
  // The reading thread ends with the content phase, its CPU with it: its last figure is polled
  // (the database thread lets timers run between pages).
  let atContent: Map<number, number> | undefined;
  const lastSeen = new Map<number, number>();
  const poll = setInterval(() => {
    if (atContent) for (const [tid, ms] of threadMs()) lastSeen.set(tid, ms);
  }, 20);
  const off = run.lib.events.on('index:phase', (p) => {
    mark(p.phase);
    if (p.phase === 'content') atContent = threadMs();
  });
  mark('setup');
  try {
    await b.scanLocation(run.lib, run.locationId);
  } finally {
    clearInterval(poll);
    off();
    mark('end');
    b.disposeRun(run);
  }
  let reading = 0;
  for (const [tid, ms] of lastSeen) if (tid !== process.pid) reading = Math.max(reading, (ms - (atContent?.get(tid) ?? 0)) / 1000);
  if (process.env.AB_THREADS) console.log([...lastSeen].map(([tid, ms]) => `${tid}:${((ms - (atContent?.get(tid) ?? 0)) / 1000).toFixed(2)}`).join(" "));
  const phases = new Map<string, { wall: number; main: number; others: number }>();
  for (let i = 0; i + 1 < marks.length; i++) {
    const a = marks[i]!;
    const z = marks[i + 1]!;
    const main = (z.main - a.main) / 1000;
    phases.set(a.phase, { wall: (z.wall - a.wall) / 1000, main, others: (z.all - a.all) / 1000 - main });
  }
  return { wall: (marks[marks.length - 1]!.wall - marks[0]!.wall) / 1000, phases, reading };
}

const other = process.argv[2];
if (!other) throw new Error('usage: index-ab.js OTHER_DIST [N] [ROUNDS]');
const n = Number(process.argv[3] ?? 50_000);
const rounds = Number(process.argv[4] ?? 5);
const here = resolve(new URL('../..', import.meta.url).pathname);
const builds = [await load('this', here), await load('other', isAbsolute(other) ? other : resolve(other))];
const work = freshDir(tmpdir(), 'vss-index-ab-');
try {
  const tree = generateTree(join(work, 'tree'), n);
  const paths = listFiles(tree.root);
  readAndHashAll(paths);
  const runs = new Map<string, Run[]>(builds.map((b) => [b.name, []]));
  const anchors: number[] = [];
  for (let r = 0; r < rounds; r++) {
    anchors.push(timeSync(() => readAndHashAll(paths)).s);
    // Each round starts with the other build, so neither always runs first.
    const order = r % 2 === 0 ? builds : [...builds].reverse();
    for (const b of order) {
      const x = await indexOnce(b, work, tree.root);
      runs.get(b.name)!.push(x);
      const c = x.phases.get('content');
      const d = x.phases.get('discovery');
      console.log(`round ${r + 1} ${b.name}: ${x.wall.toFixed(2)} s; discovery ${d?.wall.toFixed(2)} (main ${d?.main.toFixed(2)}, others ${d?.others.toFixed(2)}); content ${c?.wall.toFixed(2)} (main ${c?.main.toFixed(2)}, reading ${x.reading.toFixed(2)}, others ${c?.others.toFixed(2)})`);
    }
  }
  const anchor = median(anchors);
  console.log(`anchor read+BLAKE3: median ${anchor.toFixed(2)} s (${anchors.map((a) => a.toFixed(2)).join(', ')})`);
  for (const [name, xs] of runs) {
    const m = (f: (x: Run) => number) => median(xs.map(f)).toFixed(2);
    const ph = (p: string, k: 'wall' | 'main' | 'others') => (x: Run) => x.phases.get(p)?.[k] ?? 0;
    console.log(`${name}: median ${m((x) => x.wall)} s = ${(median(xs.map((x) => x.wall)) / anchor).toFixed(2)}×; `
      + `discovery ${m(ph('discovery', 'wall'))} (main ${m(ph('discovery', 'main'))}, others ${m(ph('discovery', 'others'))}); `
      + `content ${m(ph('content', 'wall'))} (main ${m(ph('content', 'main'))}, reading ${m((x) => x.reading)}, others ${m(ph('content', 'others'))})`);
  }
} finally {
  rmrf(work);
}
