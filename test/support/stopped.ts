import { readFileSync } from 'node:fs';

/** Whether process PID is stopped (SIGSTOP: `T` in /proc/PID/stat). */
export function stopped(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T');
  } catch {
    return false;
  }
}
