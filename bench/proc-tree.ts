/**
 * Memory of a process and everything it started, read from /proc (Linux) while it runs.
 *
 *   treePeakKB   the largest sum of PSS over the tree seen in one sample (every INTERVAL ms):
 *                what the machine had to hold at once, give or take a peak between samples.
 *                PSS, not RSS: a child between fork and exec shares all of vss's pages, and
 *                summing RSS would count them twice
 *   rootHwmKB    VmHWM of the root process (node: its heap, worker threads, WASM, sharp): exact,
 *                the kernel keeps the high-water mark
 *   children     per command name (ffmpeg, ffprobe, perl, …): the largest VmHWM of any one of
 *                them, and how many were seen
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface TreeMemory {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
  treePeakKB: number;
  /** When the tree peak was seen (Date.now()). */
  treePeakAt: number;
  rootHwmKB: number;
  children: Map<string, { hwmKB: number; count: number }>;
}

const INTERVAL_MS = 40;

function status(pid: number): { name: string; pssKB: number; hwmKB: number } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (text: string, k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
    let pssKB: number;
    try {
      pssKB = field(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss');
    } catch {
      pssKB = field(s, 'VmRSS');
    }
    return { name: /^Name:\s+(.*)$/m.exec(s)?.[1] ?? '?', pssKB, hwmKB: field(s, 'VmHWM') };
  } catch {
    return undefined;
  }
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const t of tasks) {
    try {
      for (const c of readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/)) if (c) out.push(Number(c));
    } catch { /* the thread ended */ }
  }
  return out;
}

/** Whether PID still runs the same command line as ROOT (forked, not yet exec'd). */
function sameProgram(pid: number, root: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8') === readFileSync(`/proc/${root}/cmdline`, 'utf8');
  } catch {
    return false;
  }
}

/** Run COMMAND ARGS to its end, sampling the memory of its process tree. */
export function runMeasured(command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<TreeMemory> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, [...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const root = child.pid!;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-64 * 1024)));
    let treePeakKB = 0;
    let treePeakAt = 0;
    let rootHwmKB = 0;
    // By pid and name: a child between fork and exec is a copy of vss (its name, its pages),
    // and its high-water mark must not be put down to the tool it becomes.
    const byPid = new Map<string, { name: string; hwmKB: number }>();
    let rootName: string | undefined;
    const sample = () => {
      let sum = 0;
      const todo = [root];
      while (todo.length > 0) {
        const pid = todo.pop()!;
        const st = status(pid);
        if (!st) continue;
        sum += st.pssKB;
        if (pid === root) {
          rootHwmKB = Math.max(rootHwmKB, st.hwmKB);
          rootName = st.name;
        } else if (st.name !== rootName || !sameProgram(pid, root)) {
          const key = `${pid}:${st.name}`;
          byPid.set(key, { name: st.name, hwmKB: Math.max(byPid.get(key)?.hwmKB ?? 0, st.hwmKB) });
        }
        todo.push(...childrenOf(pid));
      }
      if (sum > treePeakKB) {
        treePeakKB = sum;
        treePeakAt = Date.now();
      }
    };
    const timer = setInterval(sample, INTERVAL_MS);
    child.on('error', (err) => {
      clearInterval(timer);
      reject(err);
    });
    child.on('exit', () => clearInterval(timer));
    child.on('close', (code) => {
      clearInterval(timer);
      const children = new Map<string, { hwmKB: number; count: number }>();
      for (const { name, hwmKB } of byPid.values()) {
        const c = children.get(name) ?? { hwmKB: 0, count: 0 };
        children.set(name, { hwmKB: Math.max(c.hwmKB, hwmKB), count: c.count + 1 });
      }
      resolve({ code, stdout, stderr, seconds: (performance.now() - t0) / 1000, treePeakKB, treePeakAt, rootHwmKB, children });
    });
  });
}
