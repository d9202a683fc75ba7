import { placeKind } from '../core/address.js';
import { UsageError, VssError } from '../core/errors.js';
import { backupWhenDue as backupHereWhenDue, listLibraryBackups, makeLibraryBackup, readBackupSchedule, writeBackupSchedule, type BackupSchedule } from '../guardian/library-backups.js';
import type { MadeSnapshot } from '../library/snapshot.js';
import type { OpHost } from '../ops/op.js';
import type { LibraryBackupView } from '../wire/guardian.js';

export type { BackupSchedule, LibraryBackupView, MadeSnapshot };

/** What `vss library backup` answers: the snapshot made, what the schedule pruned, and the schedule now. */
export interface LibraryBackupResult extends MadeSnapshot {
  target: string;
  removed: string[];
  schedule: BackupSchedule | null;
  /** Sent to a paired device: its name (the snapshot's `path` is there, `DEVICE:/LOCATION/…`). */
  device?: string;
}

/**
 * The library's own work kept (issue 45): snapshots of its database — tags, albums, people and
 * their names, notes, policies — made while it is in use, to a folder, a drive or a paired
 * device's location, on demand or on a schedule the daemon follows; the Guardian counts them
 * (`guardian status`). Restoring one is `LibrariesApi.restore` (the library closed; a file here).
 */
export class LibraryBackupApi {
  constructor(private readonly host: OpHost) {}

  /**
   * A snapshot now, to TO (a folder, a tracked drive's name or id, a paired device's location
   * `DEVICE:/LOCATION[/PATH]`; none: the library's own `backups/` folder). KEEP: only the last
   * KEEP of that target kept (not on another device: refused there). EVERY (hours): the daemon
   * makes one that often from now on, keeping KEEP (default 7); `unschedule` ends it.
   */
  async make(opts: { to?: string; keep?: number; every?: number; unschedule?: boolean } = {}): Promise<LibraryBackupResult> {
    const { lib, dataDir } = this.host;
    if (opts.every !== undefined && opts.unschedule) throw new UsageError('--every and --no-schedule do not go together');
    if (opts.keep !== undefined && !(Number.isInteger(opts.keep) && opts.keep >= 1)) throw new UsageError('--keep takes a whole number, 1 or more');
    // The snapshot first: a schedule is kept only for a target a snapshot could be made to.
    const made = opts.to !== undefined && onDevice(opts.to) ? await this.toDevice(opts.to, opts.keep) : await makeLibraryBackup(lib, opts.to, opts.keep !== undefined ? { keep: opts.keep } : {});
    let schedule = readBackupSchedule(dataDir, lib.config.id);
    if (opts.every !== undefined) schedule = writeBackupSchedule(dataDir, lib.config.id, { to: opts.to ?? null, every_hours: opts.every, keep: opts.keep ?? 7 });
    else if (opts.unschedule) schedule = writeBackupSchedule(dataDir, lib.config.id, null);
    return { ...made, schedule };
  }

  /** Every snapshot this device made of the library, newest first, each looked at now (one on another device: in its index as last heard). */
  list(): LibraryBackupView[] {
    return listLibraryBackups(this.host.lib);
  }

  /** A snapshot sent to the paired device's location TO by the transfer, waited for (ops/transfer/backup-to-device.ts). */
  private async toDevice(to: string, keep: number | undefined) {
    // The other device's files are its own: nothing here removes one there (no peer message deletes a file).
    if (keep !== undefined) throw new UsageError(`--keep does not apply to ${to}: every snapshot sent to another device is kept there (remove old ones on that device)`);
    const { performTransfer } = await import('../ops/facade.js');
    const { job, result } = await performTransfer(this.host, { asked: 'backup', to });
    if (!result) throw new VssError('IO', `the snapshot to ${to} (job ${job?.id ?? '?'}) said nothing of what it made`);
    return result;
  }
}

/**
 * LIB's scheduled snapshot when one is due (the daemon's hourly look): to a folder or a drive, made
 * now (guardian/library-backups.ts); to a paired device's location, queued as a transfer that waits
 * for the device (no attempt spent while it is away) and makes the snapshot once it can send it —
 * one such job at a time, so a device away for days gets one snapshot when it is back, not one an
 * hour. Refusals (the device unpaired, its location gone) are thrown for the look to report.
 */
export async function backupWhenDue(host: OpHost, now = Date.now()): Promise<void> {
  const schedule = readBackupSchedule(host.dataDir, host.lib.config.id);
  if (!schedule) return;
  if (schedule.to === null || !onDevice(schedule.to)) {
    await backupHereWhenDue(host.lib, schedule, now);
    return;
  }
  const { backupToDeviceDue } = await import('../ops/transfer/backup-to-device.js');
  if (!backupToDeviceDue(host, schedule, now)) return;
  const { performTransfer } = await import('../ops/facade.js');
  await performTransfer(host, { asked: 'backup', to: schedule.to, scheduled: true }, { detach: true });
}

/** Whether TO names a paired device's location (`DEVICE:/LOCATION[/PATH]`; a bucket's URL is not one: refused as a target where it is). */
function onDevice(to: string): boolean {
  return placeKind(to) === 'device';
}
