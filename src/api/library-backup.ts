import { UsageError } from '../core/errors.js';
import { listLibraryBackups, makeLibraryBackup, readBackupSchedule, writeBackupSchedule, type BackupSchedule } from '../guardian/library-backups.js';
import type { MadeSnapshot } from '../library/snapshot.js';
import type { OpHost } from '../ops/op.js';
import type { LibraryBackupView } from '../wire/guardian.js';

export type { BackupSchedule, LibraryBackupView, MadeSnapshot };

/** What `vss library backup` answers: the snapshot made, what the schedule pruned, and the schedule now. */
export interface LibraryBackupResult extends MadeSnapshot {
  target: string;
  removed: string[];
  schedule: BackupSchedule | null;
}

/**
 * The library's own work kept (issue 45): snapshots of its database — tags, albums, people and
 * their names, notes, policies — made while it is in use, to a folder or a drive, on demand or on
 * a schedule the daemon follows; the Guardian counts them (`guardian status`). Restoring one is
 * `LibrariesApi.restore` (the library closed).
 */
export class LibraryBackupApi {
  constructor(private readonly host: OpHost) {}

  /**
   * A snapshot now, to TO (a folder, a tracked drive's name or id; none: the library's own
   * `backups/` folder). KEEP: only the last KEEP of that target kept. EVERY (hours): the daemon
   * makes one that often from now on, keeping KEEP (default 7); `unschedule` ends it.
   */
  async make(opts: { to?: string; keep?: number; every?: number; unschedule?: boolean } = {}): Promise<LibraryBackupResult> {
    const { lib, dataDir } = this.host;
    if (opts.every !== undefined && opts.unschedule) throw new UsageError('--every and --no-schedule do not go together');
    if (opts.keep !== undefined && !(Number.isInteger(opts.keep) && opts.keep >= 1)) throw new UsageError('--keep takes a whole number, 1 or more');
    // The snapshot first: a schedule is kept only for a target a snapshot could be made to.
    const made = await makeLibraryBackup(lib, opts.to, opts.keep !== undefined ? { keep: opts.keep } : {});
    let schedule = readBackupSchedule(dataDir, lib.config.id);
    if (opts.every !== undefined) schedule = writeBackupSchedule(dataDir, lib.config.id, { to: opts.to ?? null, every_hours: opts.every, keep: opts.keep ?? 7 });
    else if (opts.unschedule) schedule = writeBackupSchedule(dataDir, lib.config.id, null);
    return { ...made, schedule };
  }

  /** Every snapshot this device made of the library, newest first, each looked at now. */
  list(): LibraryBackupView[] {
    return listLibraryBackups(this.host.lib);
  }
}
