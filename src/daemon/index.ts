/**
 * Daemon control as the CLI uses it: start, stop, logs, the web UI's address, and running one in
 * this process. Light: the server (fastify) and the core load only in the daemon's own process,
 * through runDaemon. Whether and where one runs is the API's to say (src/api/remote/status.ts).
 */
import type { DaemonHandle, RunDaemonOptions } from './run-daemon.js';

export { startDaemon, BACKGROUND_ENV, type StartDaemonOptions } from './spawn.js';
export { stopDaemon, type StopResult } from './stop.js';
export { tailLog, followLog, formatLogLine } from './logs.js';
export { pairAddress, uiAddress, type PairAddress, type UiAddress } from './ui/address.js';
export { listShares, revokeShares, shareAlbum, type ShareAsk } from './ui/share-client.js';
export type { DaemonHandle, RunDaemonOptions } from './run-daemon.js';

/** Run the daemon in this process (`vss daemon start --foreground`). */
export async function runDaemon(opts: RunDaemonOptions): Promise<DaemonHandle> {
  const { runDaemon: run } = await import('./run-daemon.js');
  return run(opts);
}
export { keepLanFlags, lanWarnings, LAN_HTTP_WARNING } from './lan/lan-flags.js';
export { keepBoxWebFlags, readBoxWeb } from './box/box-settings.js';
export { terminalQr } from './ui/terminal-qr.js';
