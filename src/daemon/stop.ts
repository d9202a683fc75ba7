import { resolve } from 'node:path';
import { VssError, errnoCode } from '../core/errors.js';
import { isProcessAlive } from '../core/proc-stat.js';
import { daemonPaths } from '../api/remote/paths.js';
import { liveHolder } from '../api/remote/pidfile.js';

export interface StopResult {
  /** False: no daemon ran for the data dir (nothing was done). */
  was_running: boolean;
  pid: number | null;
  data_dir: string;
  duration_ms: number;
}

const POLL_MS = 50;

/**
 * Ask the daemon of DATA_DIR to stop (SIGTERM to the pid file's live holder) and wait until its
 * process is gone. It exits within 10 s by design; TIMEOUT_MS (default 12 s) leaves room for a
 * loaded machine before this reports that it did not.
 */
export async function stopDaemon(dataDir: string, timeoutMs = 12_000): Promise<StopResult> {
  const dir = resolve(dataDir);
  const started = Date.now();
  const holder = liveHolder(daemonPaths(dir).pid);
  if (!holder) return { was_running: false, pid: null, data_dir: dir, duration_ms: 0 };
  try {
    process.kill(holder.pid, 'SIGTERM');
  } catch (err) {
    if (errnoCode(err) === 'ESRCH') return { was_running: false, pid: null, data_dir: dir, duration_ms: Date.now() - started };
    throw new VssError('IO', `cannot signal the daemon (pid ${holder.pid}): ${(err as Error).message}`, { path: dir, cause: err });
  }
  while (Date.now() - started < timeoutMs) {
    if (!isProcessAlive(holder.pid, holder.procStart)) return { was_running: true, pid: holder.pid, data_dir: dir, duration_ms: Date.now() - started };
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new VssError('IO', `the daemon (pid ${holder.pid}) did not stop within ${Math.round(timeoutMs / 1000)} s; \`kill -9 ${holder.pid}\` ends it, and the next start recovers`, { path: dir });
}
