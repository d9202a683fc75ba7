import { resolveDataDir } from '../device/data-dir.js';
import type { VssClient } from './client.js';
import type { VssOptions } from './vss.js';

/**
 * The core API for an adapter that may run beside a daemon: the daemon's (over its socket) when
 * one runs for the data dir, else this process's own. `VSS_NO_DAEMON=1` keeps it in-process
 * (benchmarks compare the two). Finding no daemon costs a file read; the domain is loaded only
 * then, so a command the daemon serves loads its client alone.
 */
export async function connect(opts: VssOptions = {}): Promise<VssClient & { close?(): void }> {
  const dataDir = resolveDataDir(opts.dataDir);
  if (process.env.VSS_NO_DAEMON !== '1') {
    const { findRunningDaemon } = await import('./remote/status.js');
    const daemon = findRunningDaemon(dataDir);
    if (daemon) {
      const { RemoteVss } = await import('./remote/remote-vss.js');
      return new RemoteVss(dataDir, daemon);
    }
  }
  const { Vss } = await import('./vss.js');
  return new Vss({ dataDir });
}
