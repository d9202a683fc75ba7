import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VssError } from '../core/errors.js';
import { formatLogLine, rotateLogIfLarge, tailLog } from './logs.js';
import { daemonPaths } from '../api/remote/paths.js';
import { pingDaemon } from '../api/remote/ping.js';
import { daemonStatus, findRunningDaemon, type DaemonStatus } from '../api/remote/status.js';

/** Set for the daemon `daemon start` spawns: its stdout is the log. */
export const BACKGROUND_ENV = 'VSS_DAEMON_BACKGROUND';

/** The CLI's launcher, run by the same node as this process. */
const VSS_BIN = fileURLToPath(new URL('../../../bin/vss', import.meta.url));
const POLL_MS = 50;

export interface StartDaemonOptions {
  dataDir: string;
  port?: number;
  listen?: string[];
  /** How long to wait for the new daemon to answer (default 15 s). */
  timeoutMs?: number;
}

/**
 * Start the daemon of DATA_DIR in the background: `vss daemon start --foreground` in its own
 * session, its output appended to daemon.log, glibc held to two malloc arenas (measured to cut
 * the daemon's RSS). Returns once it answers on its socket; a daemon that dies first, or does
 * not answer in time, is a failure that quotes the end of its log.
 */
export async function startDaemon(opts: StartDaemonOptions): Promise<DaemonStatus> {
  const dataDir = resolve(opts.dataDir);
  const paths = daemonPaths(dataDir);
  const current = daemonStatus(dataDir);
  if (current.running) throw new VssError('ALREADY_EXISTS', `the daemon already runs for this data dir (pid ${current.pid})`, { path: dataDir });

  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  rotateLogIfLarge(paths.log);
  const out = openSync(paths.log, 'a', 0o600);
  const args = [VSS_BIN, '--data-dir', dataDir, 'daemon', 'start', '--foreground'];
  if (opts.port !== undefined) args.push('--port', String(opts.port));
  for (const addr of opts.listen ?? []) args.push('--listen', addr);
  const env: NodeJS.ProcessEnv = { ...process.env, MALLOC_ARENA_MAX: '2' };
  // The data dir is given by path: an inherited instance or data dir would conflict with it.
  delete env.VSS_DATA_DIR;
  delete env.VSS_INSTANCE;
  delete env.VSS_LIBRARY;
  env[BACKGROUND_ENV] = '1'; // a client names its library; the shell that started the daemon must not pick one for all
  let child;
  try {
    child = spawn(process.execPath, args, { cwd: dataDir, detached: true, stdio: ['ignore', out, out], env });
  } finally {
    closeSync(out);
  }
  let exited: number | string | null | undefined;
  child.once('exit', (code, signal) => (exited = code ?? signal));
  child.once('error', (err) => (exited = err.message));
  child.unref();

  // 30 s: a daemon opening its libraries on a machine busy with other work (two cores under a
  // load of 16 in the test suite) took more than 15 s, and a start given up is a start to redo.
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      throw new VssError('IO', `the daemon did not start (exit ${exited}): ${lastLogLines(paths.log)}`, { path: paths.log });
    }
    const running = findRunningDaemon(dataDir);
    if (running && running.pid === child.pid && (await pingDaemon(running.socket, running.token, 1_000))) return daemonStatus(dataDir);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  // Not answering after this long is a broken start: leave no half-started daemon behind.
  if (child.pid !== undefined && exited === undefined) process.kill(child.pid, 'SIGTERM');
  throw new VssError('IO', `the daemon did not answer within ${Math.round(timeoutMs / 1000)} s and was stopped; see ${paths.log}`, { path: paths.log });
}

function lastLogLines(path: string): string {
  const { lines } = tailLog(path, 5);
  return lines.length ? lines.map(formatLogLine).join(' | ') : 'its log is empty';
}
