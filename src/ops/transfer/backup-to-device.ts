import { posix } from 'node:path';
import { VssError } from '../../core/errors.js';
import { backupDue, backupFolderOn, deviceBackupKey, stageSnapshot, stagingDir, sweepStaged, unstage, type BackupSchedule } from '../../guardian/library-backups.js';
import { OPEN_JOB_STATUSES, type JobRow } from '../../jobs/states.js';
import { queueUserJob } from '../../jobs/user-job.js';
import { endedResult } from '../../jobs/wait-for-job.js';
import type { Library } from '../../library/library.js';
import type { MadeSnapshot } from '../../library/snapshot.js';
import { DEVICE_WAIT_MS } from './run/device-target.js';
import { waitForDevice, waitForNetwork } from '../../sync/network-wait.js';
import { PairedDevices } from '../../sync/pairing/paired-devices.js';
import type { OpHost, Way } from '../op.js';
import { deviceParamsOf, networkTimeoutMs, pairedTarget, runToDevice, toDeviceParams, type Said, type ToDeviceParams } from './to-device-run.js';

/** The job kind of a snapshot of the library sent to a paired device's location. */
const NAME = 'library-backup-to-device';
/** Tries before it fails for good on errors that are not the device being away (that only waits, no attempt spent). */
const MAX_ATTEMPTS = 5;

/** `vss library backup --to DEVICE:/LOCATION[/PATH]` as asked. SCHEDULED: the daemon's look queued it (it waits for the device), not a person waiting for it. */
export interface BackupToDeviceInput {
  to: string;
  scheduled?: boolean;
}

/** What a snapshot sent answers: the snapshot as made here, where it is there (`DEVICE:/LOCATION/…`), and nothing removed (see the way). */
export interface BackupSent extends MadeSnapshot {
  /** The device and location as the user names them now (`DEVICE:/LOCATION[/PATH]`). */
  target: string;
  device: string;
  removed: string[];
  bytes_sent: number;
}

/** The job's params: the way to the device, and the target the snapshot is recorded under. */
interface BackupParams extends ToDeviceParams {
  /** The `library_backups.target` of the snapshot (deviceBackupKey: by ids). */
  key: string;
  /** The address as resolved when asked, names and all (what the result says). */
  shown: string;
}

/**
 * A snapshot of the library's database to a paired device's location (issue 45), by the way to a
 * device (to-device-run.ts): a durable job of the daemon (it needs the P2P node). When it runs
 * with the device connected, the snapshot is made here (staged in the library's
 * `backups/outgoing/`, never a location), then offered over /vss/drop's `place` with its BLAKE3
 * into `PATH/vss-library-backups/LIBRARY_ID/` of that location, where the receiver keeps only
 * bytes that hash to it, flushes and indexes them; once confirmed it is recorded
 * (`library_backups`, target by the device's and location's ids) and the staged copy goes. While
 * the device is away the job waits without spending an attempt, and makes its snapshot only once
 * it can send it (a snapshot sent days later would be days old); a person asking at the prompt is
 * refused at once instead. Older snapshots there are never removed from here: the other device's
 * files are its own (no peer message deletes a file), so every one sent is kept there.
 */
export const libraryBackupToDevice: Way<BackupToDeviceInput, BackupSent, never> = {
  name: NAME,
  plan(host, input) {
    const net = host.network();
    if (!net) throw new VssError('NO_DAEMON', "a snapshot to another device needs the daemon's P2P node: start it (vss daemon start) and back up again");
    const t = pairedTarget(host, input.to);
    if (input.scheduled !== true && !net.connected().some((r) => r.deviceUuid === t.device.device_uuid)) {
      throw new VssError('UNAVAILABLE', `${t.device.name} is not connected now: no snapshot was made (back up again once it is; a schedule, --every, waits for it)`);
    }
    const lib = host.lib;
    const key = deviceBackupKey({ deviceUuid: t.device.device_uuid, locationUuid: t.location, dir: t.dir });
    const shown = `${t.device.name}:/${t.locationName}${t.dir === '' ? '' : `/${t.dir}`}`;
    const params: BackupParams = { ...toDeviceParams(lib, { ...t, dir: backupFolderOn(t.dir, lib.config.id) }, { op: 'copy', on_conflict: 'keep-both' }), key, shown };
    // Its one file is made when the job runs: counted then.
    return { size: { files: 1, bytes: 0 }, queue: () => queueUserJob(lib, { kind: NAME, maxAttempts: MAX_ATTEMPTS, bytes: 0, params: JSON.stringify(params) }, 'the snapshot') };
  },
  kind: (host) => ({
    name: NAME, concurrency: 1, timeoutMs: networkTimeoutMs,
    run: async (job, ctx) => {
      const lib = host.lib;
      const p: BackupParams = { ...deviceParamsOf<BackupParams>(lib, job, ['device', 'transfer', 'library', 'location', 'location_name', 'dir', 'key', 'shown'], 'where the snapshot goes'), op: 'copy', on_conflict: 'keep-both' };
      const dev = PairedDevices.load(host.dataDir).get(p.device);
      if (!dev) throw new VssError('NOT_FOUND', `device ${p.device} is not paired with this one any more: the snapshot is not sent`);
      if (lib.store.fileOpItems.of(job.id).length === 0) {
        const net = host.network();
        // Waiting (no attempt spent) for the network while there is none yet, else for the device
        // (dialled at each look while the network settles, then now and then): named for it.
        if (!net?.connected().some((r) => r.deviceUuid === dev.device_uuid)) {
          return (net === undefined ? waitForNetwork(net, `${dev.name} to connect`) : undefined)
            ?? waitForDevice(net, dev.name, `waiting for ${dev.name} to connect: the snapshot is made once it can be sent`, DEVICE_WAIT_MS);
        }
        // Snapshots staged by jobs that ended without sending them (failed, cancelled, cut off by a restore) go first.
        sweepStaged(lib, (id) => id === job.id || OPEN_JOB_STATUSES.includes(lib.store.jobs.get(id)?.status ?? 'completed'));
        const made = await stageSnapshot(lib, job.id);
        const meta = { blake3: made.blake3, made_at: made.made_at, snapshot: made.snapshot, steps: made.steps, longest_step_ms: made.longest_step_ms };
        lib.store.immediate(() => lib.store.fileOpItems.addMany(job.id, [{ kind: 'file', src: made.path, dst: posix.join(p.dir!, posix.basename(made.path)), size: made.bytes, meta: JSON.stringify(meta) }]));
      }
      return runToDevice(host, job, p, ctx, recorded(lib, job, p), stagingDir(lib, job.id));
    },
  }),
  result: (job) => endedResult<BackupSent>(job, 'the snapshot to another device'),
};

/**
 * Whether SCHEDULE's snapshot to its paired device's location is due: none recorded there within
 * its hours, and no job of this way open (one waiting for the device stands for it).
 */
export function backupToDeviceDue(host: OpHost, schedule: BackupSchedule, now = Date.now()): boolean {
  if (schedule.to === null) return false;
  if (host.lib.store.jobs.openFor(NAME, null, -1)) return false;
  const t = pairedTarget(host, schedule.to);
  return backupDue(host.lib, deviceBackupKey({ deviceUuid: t.device.device_uuid, locationUuid: t.location, dir: t.dir }), schedule, now);
}

/**
 * As the way to a device ends: the snapshot confirmed there recorded (by its target's ids; a run
 * made again after a kill records it once: the row is keyed by its path) and its staged copy
 * removed; one the device did not keep (left out: its bytes changed or refused) fails the job
 * with the reason.
 */
function recorded(lib: Library, job: JobRow, p: BackupParams): Said {
  return (rows, dev, _p, bytesSent) => {
    const it = rows[0];
    if (!it) throw new VssError('IO', `job ${job.id} made no snapshot`);
    if (it.state !== 'done' || it.final === null) {
      unstage(lib, job.id);
      throw new VssError('PEER', `the snapshot was not kept on ${p.shown}: ${it.note ?? 'left out'}`);
    }
    const meta = JSON.parse(it.meta ?? '{}') as Pick<MadeSnapshot, 'blake3' | 'made_at' | 'snapshot' | 'steps' | 'longest_step_ms'>;
    const made = { snapshot: meta.snapshot, path: it.final, bytes: it.size, blake3: meta.blake3, made_at: meta.made_at };
    lib.store.libraryBackups.add({ ...made, target: p.key, volume_id: null });
    unstage(lib, job.id);
    const result: BackupSent = { ...made, steps: meta.steps, longest_step_ms: meta.longest_step_ms, target: p.shown, device: dev.name, removed: [], bytes_sent: bytesSent };
    return { note: `the library's snapshot sent to ${dev.name}`, result };
  };
}
