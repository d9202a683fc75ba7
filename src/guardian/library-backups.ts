/**
 * The library's own work kept (issue 45): snapshots of its database (`library/snapshot.ts`) made
 * to a folder or a drive, the last N of a target kept, a schedule the daemon follows, and what the
 * Guardian says of them: how many are there now (each looked at: its file present with the size
 * it had), the newest, and on how many drives.
 */
import { mkdirSync, realpathSync, unlinkSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { UsageError, VssError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import { readDeviceSettings, updateDeviceSettings } from '../jobs/cpu-budget.js';
import { snapshotDatabase, SNAPSHOT_SUFFIX, type MadeSnapshot } from '../library/snapshot.js';
import { factsAt } from '../storage/local-tree.js';
import type { LibraryBackupView, LibraryProtection } from '../wire/guardian.js';

/** The folder of a drive's snapshots, per library (named by its name). */
export const DRIVE_FOLDER = 'vss-library-backups';
/** A snapshot older than this does not count as the library's protection (the work since is not in it). */
export const BACKUP_FRESH_MS = 7 * 24 * 3600 * 1000;

/** Where a snapshot goes: the folder, what the user named (the schedule's key), and the drive when it is one. */
export interface BackupTarget {
  dir: string;
  target: string;
  volumeId: number | null;
}

/**
 * TO as the user named it: nothing (the library's own `backups/` folder: kept from a damaged
 * database, not from a lost disk), a tracked drive (by name or id: its `vss-library-backups/LIBRARY/`),
 * or a folder (made when missing). A paired device's folder is not taken yet (said).
 */
export function backupTarget(lib: Library, to?: string): BackupTarget {
  if (to === undefined || to === '') return { dir: join(lib.root, 'backups'), target: 'library', volumeId: null };
  if (/^[^/\\]+:\//.test(to) && !isAbsolute(to)) {
    throw new UsageError(`${to}: a snapshot goes to a folder or a drive of this device for now; put it in a folder of a location (vss library backup --to DIR) and the Guardian's protect copies it to your other devices`);
  }
  const volumes = lib.store.volumes.ofDevice(lib.deviceId).filter((v) => v.tracked === 1);
  const vol = volumes.find((v) => v.name === to || String(v.id) === to);
  if (vol) return { dir: join(vol.mount_point, DRIVE_FOLDER, safeFolder(lib.config.name)), target: `volume:${vol.name ?? vol.id}`, volumeId: vol.id };
  const dir = resolve(to);
  // By where it really is (a symlink on the way followed): the library's own folder is not a target.
  const real = realOrNearest(dir);
  const root = realOrNearest(lib.root);
  if (real === root || real.startsWith(root + '/')) throw new UsageError(`${to} is inside the library's folder: leave --to out for its own backups folder`);
  const st = factsAt(dir);
  if (st && st.kind !== 'dir') throw new UsageError(`${to} is not a folder: --to takes a folder or a drive`);
  return { dir, target: dir, volumeId: null };
}

/** PATH with its symlinks resolved, or its nearest existing folder's, joined with the rest. */
function realOrNearest(path: string): string {
  let at = path;
  const rest: string[] = [];
  while (at !== dirname(at) && !factsAt(at)) {
    rest.unshift(basename(at));
    at = dirname(at);
  }
  try {
    return join(realpathSync(at), ...rest);
  } catch {
    return path;
  }
}

function safeFolder(name: string): string {
  return name.replace(/[^\p{L}\p{N}._ -]+/gu, '-').slice(0, 80) || 'library';
}

/**
 * A snapshot of LIB's database to TO (backupTarget), recorded; with KEEP, the older snapshots of
 * that target past the last KEEP removed (their files and rows).
 */
export async function makeLibraryBackup(lib: Library, to: string | undefined, opts: { keep?: number; now?: number } = {}): Promise<MadeSnapshot & { target: string; removed: string[] }> {
  const t = backupTarget(lib, to);
  if (opts.keep !== undefined && !(Number.isInteger(opts.keep) && opts.keep >= 1)) throw new UsageError('--keep takes a whole number, 1 or more');
  try {
    mkdirSync(t.dir, { recursive: true });
  } catch (err) {
    throw new VssError('IO', `${t.dir}: the snapshot's folder cannot be made: ${(err as Error).message}`, { path: t.dir, cause: err });
  }
  const made = await snapshotDatabase(lib.db, t.dir, { library_id: lib.config.id, library_name: lib.config.name, made_at: opts.now ?? Date.now() });
  lib.store.libraryBackups.add({ snapshot: made.snapshot, path: made.path, bytes: made.bytes, blake3: made.blake3, made_at: made.made_at, target: t.target, volume_id: t.volumeId });
  const removed: string[] = [];
  if (opts.keep !== undefined) {
    for (const old of lib.store.libraryBackups.ofTarget(t.target).slice(opts.keep)) {
      // Only a file that is still the snapshot vss made (its size as recorded, its name a snapshot's) is removed.
      const f = factsAt(old.path);
      if (f && f.kind === 'file' && f.size === old.bytes && old.path.endsWith(SNAPSHOT_SUFFIX)) unlinkSync(old.path);
      lib.store.libraryBackups.remove(old.id);
      removed.push(old.path);
    }
  }
  return { ...made, target: t.target, removed };
}

/** Every snapshot recorded, newest first, each looked at now. */
export function listLibraryBackups(lib: Library): LibraryBackupView[] {
  return lookedAt(lib).map(({ view }) => view);
}

/** Each snapshot recorded with one look at its file: whether it is there as made, and the drive holding it. */
function lookedAt(lib: Library): Array<{ view: LibraryBackupView; dev: number | undefined }> {
  return lib.store.libraryBackups.list().map((r) => {
    const f = factsAt(r.path);
    const present = f !== undefined && f.kind === 'file' && f.size === r.bytes;
    return { view: { snapshot: r.snapshot, path: r.path, bytes: r.bytes, made_at: r.made_at, target: r.target, present }, dev: present ? f.dev : undefined };
  });
}

/**
 * What the Guardian says of the library's own work: the snapshots there now, the newest, and the
 * drives holding a snapshot made within BACKUP_FRESH_MS (each drive once: two snapshots on one
 * disk are one copy).
 */
export function libraryProtection(lib: Library, now = Date.now()): LibraryProtection {
  const present = lookedAt(lib).filter((b) => b.view.present);
  const drives = new Set(present.filter((b) => now - b.view.made_at <= BACKUP_FRESH_MS).map((b) => b.dev));
  return { snapshots: present.length, newest_at: present[0]?.view.made_at ?? null, fresh_drives: drives.size };
}

/** A library's backup schedule on this device: to where, how often, how many kept. */
export interface BackupSchedule {
  to: string | null;
  every_hours: number;
  keep: number;
}

const MAX_EVERY_HOURS = 24 * 365;
const MAX_KEEP = 1000;

/**
 * The schedules of this device (a device's setting: it is this device's folders and drives the
 * snapshots go to), kept in the data dir's `device-settings.json` under `library_backups`, by
 * library id.
 */
export function readBackupSchedule(dataDir: string, libraryId: string): BackupSchedule | null {
  const all = readDeviceSettings(dataDir).library_backups as Record<string, Partial<BackupSchedule>> | undefined;
  const s = all?.[libraryId];
  if (!s || typeof s.every_hours !== 'number' || typeof s.keep !== 'number') return null;
  return { to: typeof s.to === 'string' ? s.to : null, every_hours: s.every_hours, keep: s.keep };
}

/** Set (or with null, end) LIBRARYID's schedule; the schedule now. */
export function writeBackupSchedule(dataDir: string, libraryId: string, schedule: BackupSchedule | null): BackupSchedule | null {
  if (schedule) {
    if (!(Number.isInteger(schedule.every_hours) && schedule.every_hours >= 1 && schedule.every_hours <= MAX_EVERY_HOURS)) {
      throw new UsageError(`--every takes whole hours, 1 to ${MAX_EVERY_HOURS}, not ${String(schedule.every_hours)}`);
    }
    if (!(Number.isInteger(schedule.keep) && schedule.keep >= 1 && schedule.keep <= MAX_KEEP)) throw new UsageError(`--keep takes 1 to ${MAX_KEEP} snapshots, not ${String(schedule.keep)}`);
  }
  updateDeviceSettings(dataDir, (s) => {
    const all = { ...(s.library_backups as Record<string, BackupSchedule> | undefined) };
    if (schedule) all[libraryId] = schedule;
    else delete all[libraryId];
    s.library_backups = all;
  });
  return readBackupSchedule(dataDir, libraryId);
}

/** LIB's scheduled snapshot, when one is due (its target's newest is older than the schedule's hours); null when none is. */
export async function backupWhenDue(lib: Library, dataDir: string, now = Date.now()): Promise<MadeSnapshot | null> {
  const s = readBackupSchedule(dataDir, lib.config.id);
  if (!s) return null;
  const target = backupTarget(lib, s.to ?? undefined).target;
  const newest = lib.store.libraryBackups.ofTarget(target)[0];
  if (newest && now - newest.made_at < s.every_hours * 3600 * 1000) return null;
  return makeLibraryBackup(lib, s.to ?? undefined, { keep: s.keep, now });
}
