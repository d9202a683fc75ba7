/**
 * The real CLI in a child process, its memory watched from /proc (Linux) while it runs: the
 * highest resident set of any one process of its tree (the kernel's VmHWM of each, read while it
 * lives) and of the whole tree at once (VmRSS summed per sample). A tree growing past a ceiling is
 * killed at once, so a memory fault under test cannot take a shared machine with it.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { VSS_BIN, type CliResult } from './helpers.js';

export const MEMORY_SKIP = existsSync('/proc/self/status') ? false : 'needs /proc (Linux) to watch memory';

export interface WatchedRun extends CliResult {
  ms: number;
  /** The largest high-water mark of one process of the tree, MiB. */
  peakProcessMiB: number;
  /** The largest sum of the tree's resident sets seen in one sample, MiB. */
  peakTreeMiB: number;
  /** Why the tree was killed, when it was. */
  killed: string | undefined;
}

const SAMPLE_MS = 25;

function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** PID and everything under it (children of every thread: node starts children from several). */
function tree(pid: number, out: number[] = [], depth = 0): number[] {
  out.push(pid);
  if (depth > 16) return out;
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const t of tasks) {
    let kids = '';
    try {
      kids = readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const k of kids.split(/\s+/)) if (k !== '') tree(Number(k), out, depth + 1);
  }
  return out;
}

/** Run `vss ARGS` with ENV; kill its whole tree when it holds more than KILLABOVEMIB at once, or after TIMEOUTMS. */
export function runCliWatched(args: string[], env: Record<string, string | undefined>, o: { killAboveMiB: number; timeoutMs: number }): Promise<WatchedRun> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [VSS_BIN, ...args], {
      env: { ...process.env, VSS_LOG_LEVEL: undefined, VSS_LIBRARY: undefined, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let peakProcessKiB = 0;
    let peakTreeKiB = 0;
    let killed: string | undefined;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const kill = (why: string) => {
      killed ??= why;
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ }
    };
    const sample = () => {
      let sum = 0;
      for (const pid of tree(child.pid!)) {
        sum += statusKiB(pid, 'VmRSS');
        peakProcessKiB = Math.max(peakProcessKiB, statusKiB(pid, 'VmHWM'));
      }
      peakTreeKiB = Math.max(peakTreeKiB, sum);
      if (sum > o.killAboveMiB * 1024) kill(`its processes held ${Math.round(sum / 1024)} MiB at once`);
    };
    const timer = setInterval(sample, SAMPLE_MS);
    const deadline = setTimeout(() => kill(`still running after ${o.timeoutMs} ms`), o.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      clearTimeout(deadline);
      // A tool the CLI started in a group of its own may outlive it: its memory counted, it goes too.
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ }
      resolve({ code, stdout, stderr, ms: Date.now() - t0, peakProcessMiB: Math.round(peakProcessKiB / 1024), peakTreeMiB: Math.round(peakTreeKiB / 1024), killed });
    });
  });
}
