/**
 * A library's database brought back as a snapshot has it, in one step (faults note of 2026-11-27,
 * S4 and S6). The snapshot is copied beside the database (`database.db.restoring`), and the restored
 * database is finished there, in one transaction: a new sync epoch (peers send the full set again),
 * the jobs it had open cancelled (a delete queued then must not run now), the snapshots made so
 * far recorded, and what the disks said since carried over (`Observations`). Only then is it
 * renamed over the library's database: a kill -9 at any point leaves, at the next start, the old
 * database untouched or the restored one finished, never one half done.
 *
 * Rot found by a scrub or a read, and bucket objects found gone or changed, are observations of
 * the disks now, not library history: a snapshot made before them must not bring a rotten copy
 * back as a copy that counts (DESIGN §19). And what it says other devices hold is what they held
 * when it was made: each is unconfirmed until it is heard from again, its copies not counted meanwhile
 * (after a recovery, the other device is most often the computer that was lost).
 */
import { existsSync, rmSync } from 'node:fs';
import { crashPoint } from '../core/crash-point.js';
import { VssError } from '../core/errors.js';
import { placeSync } from '../core/fs-atomic.js';
import { openDatabase } from '../db/connection.js';
import { migrate } from '../db/migrations.js';
import { copySnapshotOver, dropSnapshotMark } from '../db/snapshot-file.js';
import type { DeviceFacts } from '../store/devices.js';
import { Stores } from '../store/stores.js';
import { carryRot, rotOf, type CarriedRot } from './carry-rot.js';
import type { LibraryLayout } from './layout.js';

/** Rot and lost bucket objects carried at most (far more than a library's disks report between two restores). */
const MAX_CARRIED = 1_000_000;

/** An object vss put in a bucket, found gone or changed: its bucket's volume (by fingerprint), key and content. */
interface CarriedLost {
  fingerprint: string;
  key: string;
  content_uuid: string;
  blake3: string;
  lost_at: number;
  lost_why: string;
}

/** What this device's disks and buckets said, in the database as it is now. */
export interface Observations {
  rot: CarriedRot[];
  lost: CarriedLost[];
}

/** The observations in STORE of this device (DEVICEID). */
export function observationsOf(store: Stores, deviceId: number): Observations {
  const rot = rotOf(store, MAX_CARRIED);
  const lost: CarriedLost[] = [];
  for (const b of store.buckets.ofDevice(deviceId)) {
    const fingerprint = store.volumes.byId(b.volume_id, deviceId)?.fingerprint;
    if (fingerprint === undefined) continue;
    for (const o of store.buckets.lostIn(b.volume_id, MAX_CARRIED)) {
      lost.push({ fingerprint, key: o.key, content_uuid: o.content_uuid, blake3: o.blake3, lost_at: o.lost_at!, lost_why: o.lost_why ?? 'found gone or changed' });
    }
  }
  return { rot, lost };
}

/**
 * O written into STORE (a database restored, of this device DEVICEID), in the caller's transaction:
 * each rotten file is recorded rotten there, on the same path, a copy of the same content, whatever
 * the snapshot knew of it (carry-rot.ts); each lost object it records for the same content is
 * marked lost (an object it does not know is no copy in it). Counts of what was carried.
 */
function carry(store: Stores, deviceId: number, o: Observations): { rot: number; lost: number } {
  const rot = carryRot(store, deviceId, o.rot);
  let lost = 0;
  for (const l of o.lost) {
    const volumeId = store.volumes.byFingerprint(l.fingerprint, deviceId)?.id;
    const object = volumeId === undefined ? undefined : store.buckets.object(volumeId, l.key);
    if (!object || object.content_uuid !== l.content_uuid || object.blake3 !== l.blake3) continue;
    store.buckets.markLost(volumeId!, l.key, l.lost_at, l.lost_why);
    lost++;
  }
  return { rot, lost };
}

/** What the restored database was given before it took the library's place. */
export interface RestoreFinish {
  /** This device (its row in the restored database). */
  device: DeviceFacts;
  /** The sync epoch the restored database starts (peers then send the full set again). */
  epoch: string;
  /** Why the jobs it had open were cancelled. */
  cancelNote: string;
  /** Called in the finishing transaction: what else goes into the restored database (the snapshots made so far). */
  also(store: Stores): void;
  observations: Observations;
}

/** The staged database of LAYOUT: where a restore finishes it before it takes the library's place. */
export const stagedDatabase = (layout: LibraryLayout) => `${layout.databaseFile}.restoring`;

/** A restore's staged database left by a kill (and SQLite's files beside it): removed. */
export function removeStaged(layout: LibraryLayout): void {
  const staged = stagedDatabase(layout);
  for (const f of [staged, `${staged}-wal`, `${staged}-shm`, `${staged}-journal`]) rmSync(f, { force: true });
}

/** What a restore did beyond placing the snapshot. */
export interface RestoreDone {
  jobsCancelled: number;
  carried: { rot: number; lost: number };
  /** Other devices whose copies are not counted until each is heard from again (DeviceStore.unconfirmOthers). */
  unconfirmed: number;
}

/**
 * The snapshot at PATH made the database of the library of LAYOUT, finished as FINISH says, in one
 * step (the rename). The caller holds the library's lock and has closed its connections; a
 * database still open elsewhere (its WAL there) is refused, nothing changed.
 */
export async function restoreDatabase(path: string, layout: LibraryLayout, finish: RestoreFinish): Promise<RestoreDone> {
  removeStaged(layout);
  const staged = stagedDatabase(layout);
  try {
    await copySnapshotOver(path, staged);
    crashPoint('restore:copied');
    const db = openDatabase(staged);
    let out: RestoreDone;
    try {
      dropSnapshotMark(db);
      migrate(db, staged);
      const store = new Stores(db, finish.device.uuid);
      out = store.transaction(() => {
        const deviceId = store.devices.upsertSelf(finish.device);
        store.syncMeta.set('epoch', finish.epoch);
        finish.also(store);
        const unconfirmed = store.devices.unconfirmOthers(finish.device.uuid);
        return { jobsCancelled: store.jobs.cancelAllOpen(finish.cancelNote), carried: carry(store, deviceId, finish.observations), unconfirmed };
      });
      store.checkpoint('TRUNCATE');
    } finally {
      db.close();
    }
    crashPoint('restore:finished');
    // The library's own connections closed, SQLite removed its WAL: one still there is another process's connection.
    if (existsSync(`${layout.databaseFile}-wal`)) {
      throw new VssError('LIBRARY_LOCKED', `the library's database is open in another vss process (its ${layout.databaseFile}-wal is there): close it (vss library close, or vss daemon stop), then restore`, { path: layout.databaseFile });
    }
    placeSync(staged, layout.databaseFile);
    rmSync(`${layout.databaseFile}-shm`, { force: true });
    crashPoint('restore:placed');
    return out;
  } catch (err) {
    removeStaged(layout);
    throw err;
  }
}
