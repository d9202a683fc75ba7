/**
 * `node dist/bench/support/index-profile.js [N]`: a generated tree of N (20,000) small files indexed
 * in content mode in this process, then rescanned unchanged, each against its anchor (read+BLAKE3,
 * walk+lstat). For each of the indexer's phases: its wall time, the CPU of this (the database)
 * thread and of the others (the walk and reading workers). On a loaded machine the wall times
 * wander; the CPU by thread says which thread is the floor of a phase. With PROFILE_TO=PREFIX, a
 * CPU profile of the main thread in each (PREFIX-content.cpuprofile, PREFIX-rescan.cpuprofile).
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { scanLocation, type Library } from '../../test/internals.js';
import { disposeRun, freshLibrary } from '../fresh-index.js';
import { generateTree } from '../tree.js';
import { handWalkLstat, listFiles, readAndHashAll } from '../walk.js';
import { freshDir, rmrf, timeSync } from '../util.js';
import { profiled } from './profiled.js';

/** CPU ms of this process's main thread (Linux: its task's utime + stime; 0 elsewhere). */
function mainThreadMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

const processMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface Mark { phase: string; wall: number; main: number; all: number }

/** A scan of LOCATIONID with, per phase, its wall, main-thread and other threads' CPU, in s. */
async function phasedScan(lib: Library, locationId: number): Promise<{ s: number; line: string }> {
  const marks: Mark[] = [];
  const mark = (phase: string) => marks.push({ phase, wall: performance.now(), main: mainThreadMs(), all: processMs() });
  const off = lib.events.on('index:phase', (p) => mark(p.phase));
  mark('setup');
  try {
    await scanLocation(lib, locationId);
  } finally {
    off();
  }
  mark('end');
  const s = (marks[marks.length - 1]!.wall - marks[0]!.wall) / 1000;
  const parts: string[] = [];
  for (let i = 0; i + 1 < marks.length; i++) {
    const a = marks[i]!;
    const b = marks[i + 1]!;
    const main = b.main - a.main;
    parts.push(`${a.phase} ${((b.wall - a.wall) / 1000).toFixed(2)} s (main ${(main / 1000).toFixed(2)}, others ${((b.all - a.all - main) / 1000).toFixed(2)})`);
  }
  return { s, line: parts.join(', ') };
}

const n = Number(process.argv[2] ?? 20_000);
const to = process.env.PROFILE_TO;
const work = freshDir(tmpdir(), 'vss-index-profile-');
try {
  const tree = generateTree(join(work, 'tree'), n);
  const paths = listFiles(tree.root);
  readAndHashAll(paths);
  const hash = timeSync(() => readAndHashAll(paths)).s;
  const walk = timeSync(() => handWalkLstat(tree.root)).s;
  const run = freshLibrary(work, tree.root, 'content');
  try {
    let c = { s: 0, line: '' };
    await profiled(to && `${to}-content.cpuprofile`, async () => { c = await phasedScan(run.lib, run.locationId); });
    console.log(`content index: ${c.s.toFixed(2)} s = ${(c.s / hash).toFixed(2)}× read+hash (${hash.toFixed(2)} s)\n  ${c.line}`);
    let r = { s: 0, line: '' };
    await profiled(to && `${to}-rescan.cpuprofile`, async () => { r = await phasedScan(run.lib, run.locationId); });
    console.log(`rescan: ${r.s.toFixed(2)} s = ${(r.s / walk).toFixed(2)}× walk+lstat (${walk.toFixed(2)} s)\n  ${r.line}`);
  } finally {
    disposeRun(run);
  }
} finally {
  rmrf(work);
}
