/**
 * The daemon as the CLI and other clients see it: start, stop, status, logs, and where a
 * running daemon answers. Light: the server (fastify) and the core load only in the daemon's
 * own process, through runDaemon.
 */
import type { DaemonHandle, RunDaemonOptions } from './run-daemon.js';

export { DAEMON_FILES, daemonPaths, type DaemonPaths } from './paths.js';
export { daemonStatus, findRunningDaemon, listDaemons, type DaemonStatus, type RunningDaemon } from './status.js';
export { startDaemon, BACKGROUND_ENV, type StartDaemonOptions } from './spawn.js';
export { stopDaemon, type StopResult } from './stop.js';
export { tailLog, followLog, formatLogLine } from './logs.js';
export { uiAddress, type UiAddress } from './ui/address.js';
export type { DaemonHandle, RunDaemonOptions } from './run-daemon.js';

/** Run the daemon in this process (`vss daemon start --foreground`). */
export async function runDaemon(opts: RunDaemonOptions): Promise<DaemonHandle> {
  const { runDaemon: run } = await import('./run-daemon.js');
  return run(opts);
}
