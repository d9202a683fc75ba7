import { readFileSync } from 'node:fs';
import { errnoCode } from './errors.js';

/**
 * What the kernel says of process PID (Linux procfs), or null where there is no procfs or no
 * such process. `startTime` (field 22, clock ticks since boot) tells a live owner of a pid file
 * from a later process that was given the same pid; state `Z` is a process that has ended and
 * waits to be reaped: it holds nothing any more.
 */
export function procStat(pid: number): { state: string; startTime: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[0] && rest[19] ? { state: rest[0], startTime: rest[19] } : null;
  } catch {
    return null;
  }
}

/**
 * Whether process PID still runs and is the one that recorded START (its `startTime` then; null
 * when it could not be read). Without procfs only the pid is checked.
 */
export function isProcessAlive(pid: number, start: string | null): boolean {
  if (!Number.isInteger(pid) || pid < 1) return false;
  if (pid !== process.pid) {
    try {
      process.kill(pid, 0);
    } catch (err) {
      // EPERM: it exists, as another user's process.
      if (errnoCode(err) === 'ESRCH') return false;
    }
  }
  const now = procStat(pid);
  if (now?.state === 'Z') return false;
  return !(start && now && now.startTime !== start);
}
