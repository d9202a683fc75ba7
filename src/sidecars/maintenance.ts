import { childLog } from '../core/log.js';
import type { Library } from '../library/library.js';
import { recoverConversions } from './convert.js';
import { reconcile, type ReconcileResult } from './reconcile.js';
import { SidecarWatcher } from './watcher.js';

const log = childLog('sidecar-maintenance');

export interface MaintenanceOptions {
  /** Something maintenance refused or could not handle (a journal row naming files outside, an unreadable file…). */
  onProblem?: (path: string, reason: string) => void;
}

export interface Maintenance {
  /** The reconcile started at open; resolves when it has finished. */
  reconciled: Promise<ReconcileResult>;
  stop(): Promise<void>;
}

/**
 * What a long-running process (`vss sidecars watch`, later `jobs run` and the daemon) does when
 * it opens a library: finish conversions a crash interrupted, start the watcher, and reconcile
 * in the background to catch whatever changed while nothing was watching. Short CLI commands
 * skip this: a full reconcile of a large library on every `content list` would cost more than
 * it finds.
 */
export async function startMaintenance(lib: Library, opts: MaintenanceOptions = {}): Promise<Maintenance> {
  const problem = (path: string, reason: string) => {
    log.warn({ path, reason }, 'maintenance could not handle a file');
    opts.onProblem?.(path, reason);
  };
  const recovered = await recoverConversions(lib, (r) => problem(r.path, r.reason));
  if (recovered > 0) log.info({ recovered }, 'finished interrupted conversions');
  const watcher = await SidecarWatcher.start(lib);
  const reconciled = reconcile(lib, {
    onProblem: problem,
    onQuarantine: (from, to, reason) => problem(from, `${reason}; moved to ${to}`),
  });
  reconciled.catch((err: unknown) => log.error({ err }, 'background reconcile failed'));
  return {
    reconciled,
    stop: async () => {
      await reconciled.catch(() => undefined);
      await watcher.close();
    },
  };
}
