import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { VSS_BIN } from './helpers.js';

/**
 * The processes a test's vss started, found without looking at names (other test runs use
 * ffmpeg, perl and node at the same time): the vss child gets a unique environment marker, the
 * processes it starts inherit it (or are its descendants), and /proc shows both. Linux only.
 */
export const HAVE_PROC = existsSync('/proc/self/environ');
export const PROC_SKIP = HAVE_PROC ? false : 'needs /proc (Linux)';

export interface MarkedProcess {
  pid: number;
  /** Start time in clock ticks since boot: tells this process from a later one with the same pid. */
  start: string;
  argv: string[];
}

export interface MarkedVss {
  child: ChildProcess;
  mark: string;
  output: () => string;
  /** The exit code or signal, within MS (throws if it has not exited by then). */
  exited: (ms: number) => Promise<number | NodeJS.Signals>;
}

/** Start the real CLI in its own process group (as a shell runs a foreground job), marked. */
export function startMarkedVss(args: string[], env: Record<string, string | undefined>): MarkedVss {
  const mark = randomUUID();
  const child = spawn(process.execPath, [VSS_BIN, ...args], {
    env: { ...process.env, VSS_LOG_LEVEL: undefined, VSS_LIBRARY: undefined, ...env, VSS_TEST_MARK: mark },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | NodeJS.Signals>((res) => child.once('exit', (code, sig) => res(code ?? sig!)));
  return {
    child, mark, output: () => out,
    exited: async (ms) => {
      const r = await Promise.race([exit, sleep(ms, undefined, { ref: false }).then(() => undefined)]);
      if (r === undefined) throw new Error(`vss did not exit within ${ms} ms; it said: ${out}`);
      return r;
    },
  };
}

function statOf(pid: number): { state: string; ppid: number; start: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses): state is the 3rd,
    // the parent the 4th, the start time the 22nd.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0]!, ppid: Number(rest[1]), start: rest[19]! };
  } catch {
    return undefined;
  }
}

/**
 * Every live process carrying MARK, and their descendants that do not (a child started with an
 * environment of its own, as ExifTool's perl is): record them while vss is alive, since a
 * child whose parent died is handed to init.
 */
export function markedProcesses(mark: string): MarkedProcess[] {
  const needle = `\0VSS_TEST_MARK=${mark}\0`;
  const all = new Map<number, { ppid: number; start: string; marked: boolean }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const st = statOf(pid);
    if (!st || st.state === 'Z') continue;
    let marked = false;
    try {
      marked = `\0${readFileSync(`/proc/${pid}/environ`, 'latin1')}`.includes(needle);
    } catch { /* gone, or not ours to read */ }
    all.set(pid, { ppid: st.ppid, start: st.start, marked });
  }
  const inTree = (pid: number, depth = 0): boolean => {
    const p = all.get(pid);
    return p !== undefined && depth < 64 && (p.marked || inTree(p.ppid, depth + 1));
  };
  const found: MarkedProcess[] = [];
  for (const [pid, p] of all) {
    if (!inTree(pid)) continue;
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
      found.push({ pid, start: p.start, argv });
    } catch { /* gone */ }
  }
  return found;
}

export function isAlive(p: MarkedProcess): boolean {
  const st = statOf(p.pid);
  return st !== undefined && st.start === p.start && st.state !== 'Z';
}

/** Poll (bounded) until MARK's processes include one that PREDICATE picks; returns them all. */
export async function waitForMarked(mark: string, predicate: (p: MarkedProcess) => boolean, ms: number, what: string): Promise<MarkedProcess[]> {
  const until = Date.now() + ms;
  for (;;) {
    const ps = markedProcesses(mark);
    if (ps.some(predicate)) return ps;
    if (Date.now() > until) throw new Error(`no ${what} started within ${ms} ms (marked: ${ps.map(describeProcess).join('; ') || 'none'})`);
    await sleep(25);
  }
}

/**
 * Poll (bounded) until no process carries MARK and none of SEEN (recorded earlier) is alive;
 * returns the survivors.
 */
export async function survivorsAfter(mark: string, seen: MarkedProcess[], ms: number): Promise<MarkedProcess[]> {
  const until = Date.now() + ms;
  for (;;) {
    const alive = [...seen.filter(isAlive), ...markedProcesses(mark).filter((p) => !seen.some((s) => s.pid === p.pid))];
    if (alive.length === 0 || Date.now() > until) return alive;
    await sleep(50);
  }
}

/** Kill what a failed test left behind: only these recorded processes, each checked to be the same one. */
export function killRecorded(ps: MarkedProcess[]): void {
  for (const p of ps) {
    if (!isAlive(p)) continue;
    try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ }
  }
}

export function describeProcess(p: MarkedProcess): string {
  return `${p.pid} ${p.argv.join(' ').slice(0, 160)}`;
}

export const baseName = (p: MarkedProcess): string => (p.argv[0] ?? '').split('/').pop() ?? '';
