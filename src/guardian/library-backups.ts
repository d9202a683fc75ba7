/**
 * The library's own work kept (issue 45): snapshots of its database (`library/snapshot.ts`) made
 * to a folder or a drive, the last N of a target kept, a schedule the daemon follows, and what the
 * Guardian says of them: how many are there now (each looked at: its file present with the size
 * it had), the newest, and on how many drives. A snapshot for a paired device's location is made
 * here in the library's `backups/outgoing/` (staged: `stageSnapshot`) and sent by the transfer's
 * way to a device (`ops/transfer/backup-to-device.ts`), recorded once the device confirmed it.
 */
import { mkdirSync, readdirSync, realpathSync, rmdirSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, posix, resolve } from 'node:path';
import { bucketUrl, parseBucketUrl, placeKind } from '../core/address.js';
import { UsageError, VssError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import { checkEveryHours, editLibrarySchedule, readLibrarySchedule } from './library-schedules.js';
import { snapshotDatabase, SNAPSHOT_SUFFIX, type MadeSnapshot } from '../library/snapshot.js';
import { deviceAt, factsAt } from '../storage/local-tree.js';
import type { LibraryBackupView, LibraryProtection } from '../wire/guardian.js';
import type { BucketVolume } from '../store/buckets.js';

/** The folder of a drive's snapshots, per library (named by its name). */
export const DRIVE_FOLDER = 'vss-library-backups';
/** A snapshot older than this does not count as the library's protection (the work since is not in it). */
export const BACKUP_FRESH_MS = 7 * 24 * 3600 * 1000;

/** Where a snapshot goes: the folder, what the user named (the schedule's key), and the drive when it is one; or an encrypted bucket volume (no folder). */
export interface BackupTarget {
  dir: string;
  target: string;
  volumeId: number | null;
  bucket?: BucketVolume;
}

/**
 * TO as the user named it: nothing (the library's own `backups/` folder: kept from a damaged
 * database, not from a lost disk), a tracked drive (by name or id: its `vss-library-backups/LIBRARY/`),
 * an encrypted bucket volume (by its name or id, or its s3:// address: library-backup-bucket.ts),
 * or a folder (made when missing). A paired device's location is the transfer's to reach
 * (api/library-backup.ts routes it there).
 */
export function backupTarget(lib: Library, to?: string): BackupTarget {
  if (to === undefined || to === '') return { dir: join(lib.root, 'backups'), target: 'library', volumeId: null };
  const kind = placeKind(to);
  if (kind === 'device') throw new UsageError(`${to} is a paired device's location: its snapshot is sent by the transfer (vss library backup --to ${to})`);
  if (kind === 'bucket') {
    const url = bucketUrl(parseBucketUrl(to));
    const b = lib.store.buckets.ofDevice(lib.deviceId).find((v) => v.mount_point === url);
    if (!b) throw new UsageError(`${to} is not a bucket volume of this device: add it first (vss volumes add ${url} --encrypt)`);
    return bucketTarget(to, b);
  }
  const volumes = lib.store.volumes.ofDevice(lib.deviceId).filter((v) => v.tracked === 1);
  const vol = volumes.find((v) => v.name === to || String(v.id) === to);
  const b = vol && lib.store.buckets.byVolume(vol.id);
  if (b) return bucketTarget(to, b);
  if (vol) {
    const why = driveRefusal(lib, vol.mount_point);
    if (why) throw new UsageError(`${to} ${why}`);
    return { dir: join(vol.mount_point, DRIVE_FOLDER, safeFolder(lib.config.name)), target: `volume:${vol.name ?? vol.id}`, volumeId: vol.id };
  }
  const dir = resolve(to);
  // By where it really is (a symlink on the way followed): the library's own folder is not a target.
  const real = realOrNearest(dir);
  const root = realOrNearest(lib.root);
  if (real === root || real.startsWith(root + '/')) throw new UsageError(`${to} is inside the library's folder: leave --to out for its own backups folder`);
  const st = factsAt(dir);
  if (st && st.kind !== 'dir') throw new UsageError(`${to} is not a folder: --to takes a folder or a drive`);
  return { dir, target: dir, volumeId: null };
}

/**
 * Bucket volume B as a snapshot's target: an encrypted one only. A snapshot holds the library's
 * names, paths, tags and people, and its bucket key: in a plain bucket all of it would be in the
 * clear, and the key that seals the library's other buckets with it.
 */
function bucketTarget(to: string, b: BucketVolume): BackupTarget {
  if (b.key_id === null) throw new UsageError(`${to} is a plain bucket: a snapshot of the library (its names, paths, tags and bucket key) goes only to an encrypted one (vss volumes add s3://BUCKET/PREFIX --encrypt)`);
  return { dir: '', target: `volume:${b.name ?? b.volume_id}`, volumeId: b.volume_id, bucket: b };
}

/**
 * Why the drive mounted at MOUNT is no place for LIB's snapshots by its name, or undefined: the
 * system's root (its top folder is nobody's: a snapshot there would be written outside every
 * folder of the user's), or the drive the library is on (a snapshot there is lost with it). A
 * folder on either, named as a folder, still is one.
 */
function driveRefusal(lib: Library, mount: string): string | undefined {
  if (resolve(mount) === '/') return 'is the system drive (mounted at /): name a folder on it instead (--to DIR), or another drive';
  const drive = deviceAt(mount);
  if (drive !== undefined && drive === deviceAt(lib.root)) return `is the drive the library is on (${mount}): a snapshot there is lost with it; name another drive, or a folder (--to DIR)`;
  return undefined;
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
  if (t.bucket) {
    const { backupToBucket } = await import('./library-backup-bucket.js');
    return backupToBucket(lib, t.bucket, t.target, opts);
  }
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

/**
 * Each snapshot recorded with one look at its file: whether it is there as made, and the drive
 * holding it. One sent to a paired device is looked at in that device's index as it last told
 * this one (peer_entries: the file at its place, of its size); its "drive" is that device (two
 * locations there may share a disk: counted once).
 */
function lookedAt(lib: Library): Array<{ view: LibraryBackupView; drive: unknown }> {
  return lib.store.libraryBackups.list().map((r) => {
    const view: LibraryBackupView = { snapshot: r.snapshot, path: r.path, bytes: r.bytes, made_at: r.made_at, target: r.target, present: false };
    const remote = parseDeviceKey(r.target);
    if (remote) {
      const name = lib.store.devices.byUuid(remote.deviceUuid)?.name ?? remote.deviceUuid;
      const loc = lib.store.peerLocations.ofDevice(remote.deviceUuid).find((l) => l.uuid === remote.locationUuid);
      const e = loc ? lib.store.peerEntries.get(remote.deviceUuid, loc.location_id, backupFolderOn(remote.dir, lib.config.id), r.path.slice(r.path.lastIndexOf('/') + 1)) : undefined;
      const present = e !== undefined && e.kind === 'file' && e.size === r.bytes;
      return { view: { ...view, target: `${name}:/${loc?.name ?? remote.locationUuid}${remote.dir === '' ? '' : `/${remote.dir}`}`, device: name, present }, drive: present ? `device:${remote.deviceUuid}` : undefined };
    }
    if (placeKind(r.path) === 'bucket') {
      // An object of an encrypted bucket: there while its volume is this device's (the Guardian's check of the buckets looks at them).
      const present = r.volume_id !== null && lib.store.buckets.byVolume(r.volume_id)?.device_id === lib.deviceId;
      return { view: { ...view, present }, drive: present ? `bucket:${r.volume_id}` : undefined };
    }
    const f = factsAt(r.path);
    const present = f !== undefined && f.kind === 'file' && f.size === r.bytes;
    return { view: { ...view, present }, drive: present ? f.dev : undefined };
  });
}

/**
 * What the Guardian says of the library's own work: the snapshots there now, the newest, and the
 * drives holding a snapshot made within BACKUP_FRESH_MS (each drive once: two snapshots on one
 * disk are one copy; a paired device's are one drive of that device).
 */
export function libraryProtection(lib: Library, now = Date.now()): LibraryProtection {
  const present = lookedAt(lib).filter((b) => b.view.present);
  const drives = new Set(present.filter((b) => now - b.view.made_at <= BACKUP_FRESH_MS).map((b) => b.drive));
  return { snapshots: present.length, newest_at: present[0]?.view.made_at ?? null, fresh_drives: drives.size };
}

/** A paired device's location as a snapshot's target is recorded: by ids (the schedule's key and the index's), never by names a rename changes. */
export interface DeviceBackupPlace {
  deviceUuid: string;
  locationUuid: string;
  /** The folder in the location the user named ('' for the location itself). */
  dir: string;
}

const DEVICE_KEY = /^device:([0-9a-f-]{36})\/([0-9a-f-]{36})(?:\/(.+))?$/;

/** The `target` a snapshot sent to PLACE is recorded under. */
export function deviceBackupKey(place: DeviceBackupPlace): string {
  return `device:${place.deviceUuid}/${place.locationUuid}${place.dir === '' ? '' : `/${place.dir}`}`;
}

function parseDeviceKey(target: string): DeviceBackupPlace | undefined {
  const m = DEVICE_KEY.exec(target);
  return m ? { deviceUuid: m[1]!, locationUuid: m[2]!, dir: m[3] ?? '' } : undefined;
}

/** The folder of a location on a paired device that snapshots of library LIBRARYID sent into DIR land in: `DIR/vss-library-backups/LIBRARYID`. */
export function backupFolderOn(dir: string, libraryId: string): string {
  return posix.join(dir === '' ? '.' : dir, DRIVE_FOLDER, libraryId);
}

/** Where snapshots on their way to another device wait, one folder a job: inside the library's folder, never a location (nothing indexes them). */
function outgoingDir(lib: Library): string {
  return join(lib.root, 'backups', 'outgoing');
}

/** The folder job JOBID's snapshot is staged in. */
export function stagingDir(lib: Library, jobId: number): string {
  return join(outgoingDir(lib), `job-${jobId}`);
}

/**
 * A snapshot of LIB's database made for job JOBID to send (staged in its folder), anything a run
 * of that job killed before it recorded its snapshot left there removed first.
 */
export async function stageSnapshot(lib: Library, jobId: number, now = Date.now()): Promise<MadeSnapshot> {
  const dir = stagingDir(lib, jobId);
  unstage(lib, jobId);
  lib.roots.library.makeFolder(dir);
  return snapshotDatabase(lib.db, dir, { library_id: lib.config.id, library_name: lib.config.name, made_at: now });
}

/** Job JOBID's staged snapshot (and a temp file of one) removed with its folder: sent, or never to be. Only vss's own files there are touched. */
export function unstage(lib: Library, jobId: number): void {
  const dir = stagingDir(lib, jobId);
  lib.roots.library.checkFolder(dir);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const f = factsAt(join(dir, n));
    if (f?.kind === 'file' && (n.endsWith(SNAPSHOT_SUFFIX) || n.includes(`${SNAPSHOT_SUFFIX}.`))) unlinkSync(join(dir, n));
  }
  try {
    rmdirSync(dir);
  } catch {
    /* not empty (something else put there): left */
  }
}

/** The staged snapshots of jobs no longer open (failed for good, cancelled, or cut off by a restore) removed. */
export function sweepStaged(lib: Library, open: (jobId: number) => boolean): void {
  let names: string[];
  try {
    names = readdirSync(outgoingDir(lib));
  } catch {
    return;
  }
  for (const n of names) {
    const m = /^job-(\d+)$/.exec(n);
    if (m && !open(Number(m[1]))) unstage(lib, Number(m[1]));
  }
}

/** A library's backup schedule on this device: to where, how often, how many kept. */
export interface BackupSchedule {
  to: string | null;
  every_hours: number;
  keep: number;
}

const MAX_KEEP = 1000;
const FIELD = 'library_backups';

/** LIBRARYID's backup schedule on this device (library-schedules.ts: under `library_backups`), or null. */
export function readBackupSchedule(dataDir: string, libraryId: string): BackupSchedule | null {
  const s = readLibrarySchedule<BackupSchedule>(dataDir, FIELD, libraryId);
  if (!s || typeof s.every_hours !== 'number' || typeof s.keep !== 'number') return null;
  return { to: typeof s.to === 'string' ? s.to : null, every_hours: s.every_hours, keep: s.keep };
}

/** Set (or with null, end) LIBRARYID's schedule; the schedule now. */
export function writeBackupSchedule(dataDir: string, libraryId: string, schedule: BackupSchedule | null): BackupSchedule | null {
  if (schedule) {
    checkEveryHours(schedule.every_hours);
    if (!(Number.isInteger(schedule.keep) && schedule.keep >= 1 && schedule.keep <= MAX_KEEP)) throw new UsageError(`--keep takes 1 to ${MAX_KEEP} snapshots, not ${String(schedule.keep)}`);
  }
  editLibrarySchedule<BackupSchedule>(dataDir, FIELD, libraryId, () => schedule ?? undefined);
  return readBackupSchedule(dataDir, libraryId);
}

/** Whether a snapshot to TARGET (as recorded) is due by SCHEDULE: none made there yet, or its newest older than the schedule's hours. */
export function backupDue(lib: Library, target: string, schedule: BackupSchedule, now = Date.now()): boolean {
  const newest = lib.store.libraryBackups.ofTarget(target)[0];
  return !newest || now - newest.made_at >= schedule.every_hours * 3600 * 1000;
}

/**
 * LIB's scheduled snapshot to a folder or a drive of this device, when one is due; null when none
 * is. (To a paired device's location: the API's `backupWhenDue`, which queues it as a transfer.)
 */
export async function backupWhenDue(lib: Library, schedule: BackupSchedule, now = Date.now()): Promise<MadeSnapshot | null> {
  const target = backupTarget(lib, schedule.to ?? undefined).target;
  if (!backupDue(lib, target, schedule, now)) return null;
  return makeLibraryBackup(lib, schedule.to ?? undefined, { keep: schedule.keep, now });
}
