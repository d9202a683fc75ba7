import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { childLog } from '../core/log.js';
import type { Library } from '../library/library.js';
import { recoverConversions } from './convert.js';
import { reconcile, type ReconcileResult } from './reconcile.js';
import { SidecarWatcher } from './watcher.js';

const log = childLog('sidecar-maintenance');

/**
 * The most folders under sidecars/ the watcher takes on. It watches every folder, and a watch
 * costs the OS one inotify watch and this process ~10 KB: 100k contents are ~250k folders, more
 * than Linux's default limit and 2.4 GiB measured. Above this, files are checked by a periodic
 * reconcile instead (100k contents: ~1.4 s every RECONCILE_EVERY_MS).
 */
export const WATCH_MAX_FOLDERS = 10_000;
export const RECONCILE_EVERY_MS = 10 * 60_000;

export interface MaintenanceOptions {
  /** Something maintenance refused or could not handle (a journal row naming files outside, an unreadable file…). */
  onProblem?: (path: string, reason: string) => void;
  /** Most folders to watch (default WATCH_MAX_FOLDERS); above it, reconcile every `reconcileEveryMs`. */
  watchMaxFolders?: number;
  reconcileEveryMs?: number;
}

export interface Maintenance {
  /** The reconcile started at open; resolves when it has finished. */
  reconciled: Promise<ReconcileResult>;
  /** `watching`: files under sidecars/ are watched; `periodic`: too many folders, reconciled every so often instead. */
  readonly mode: 'watching' | 'periodic';
  stop(): Promise<void>;
}

/**
 * What a long-running process (`vss sidecars watch`, the daemon) does when it opens a library:
 * finish conversions a crash interrupted, start the watcher (or, for a large library, a periodic
 * reconcile), and reconcile in the background to catch whatever changed while nothing was
 * watching. Short CLI commands skip this: a full reconcile of a large library on every
 * `content list` would cost more than it finds.
 */
export async function startMaintenance(lib: Library, opts: MaintenanceOptions = {}): Promise<Maintenance> {
  const problem = (path: string, reason: string) => {
    log.warn({ path, reason }, 'maintenance could not handle a file');
    opts.onProblem?.(path, reason);
  };
  const runReconcile = () => {
    const r = reconcile(lib, {
      onProblem: problem,
      onQuarantine: (from, to, reason) => problem(from, `${reason}; moved to ${to}`),
    });
    r.catch((err: unknown) => log.error({ err }, 'background reconcile failed'));
    return r;
  };
  const recovered = await recoverConversions(lib, (r) => problem(r.path, r.reason));
  if (recovered > 0) log.info({ recovered }, 'finished interrupted conversions');

  const max = opts.watchMaxFolders ?? WATCH_MAX_FOLDERS;
  const folders = countFolders(lib.layout.sidecarsDir, max + 1);
  const watcher = folders <= max ? await SidecarWatcher.start(lib) : undefined;
  let reconciled = runReconcile();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  if (!watcher) {
    log.info({ folders: `more than ${max}`, every_ms: opts.reconcileEveryMs ?? RECONCILE_EVERY_MS }, 'sidecars/ is too large to watch: it is reconciled periodically instead');
    const every = opts.reconcileEveryMs ?? RECONCILE_EVERY_MS;
    const again = () => {
      if (stopped) return;
      timer = setTimeout(() => {
        reconciled = reconciled.catch(() => undefined).then(() => runReconcile());
        void reconciled.finally(again).catch(() => undefined);
      }, every);
      timer.unref();
    };
    again();
  }
  return {
    get reconciled() {
      return reconciled;
    },
    mode: watcher ? 'watching' : 'periodic',
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await reconciled.catch(() => undefined);
      await watcher?.close();
    },
  };
}

/** Folders at and under DIR, counting stops at LIMIT (the tree may be huge). */
function countFolders(dir: string, limit: number): number {
  let n = 0;
  const stack = [dir];
  while (stack.length > 0 && n < limit) {
    const d = stack.pop()!;
    n++;
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) if (e.isDirectory()) stack.push(join(d, e.name));
  }
  return n;
}
