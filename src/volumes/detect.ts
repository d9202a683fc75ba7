import { closeSync, existsSync, openSync, readFileSync, readSync, realpathSync, statfsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { parseMountInfo, volumeMounts, type MountLine } from './mountinfo.js';


/** A volume mounted on this device now, as the operating system shows it. */
export interface MountedVolume {
  /** The same for the same drive at any mount point: its filesystem UUID where it has one. */
  fingerprint: string;
  mountPoint: string;
  fs: string;
  /** The device (`/dev/loop0`, `/dev/sdb1`). */
  source: string;
  majMin: string;
  mountId: string;
  capacity: number;
  free: number;
  removable: boolean;
  readOnly: boolean;
}

/** A marker a user may put in the root of a volume with no filesystem UUID: a UUID that names it anywhere. */
export const MARKER_FILE = '.vss-volume';

const MOUNTINFO = '/proc/self/mountinfo';

/** The mount table as text ('' where there is none: not Linux). */
export function readMountTable(): string {
  if (process.platform !== 'linux') return '';
  try {
    return readFileSync(MOUNTINFO, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Fingerprints found per mount: reading a superblock or running blkid once per mount, not once
 * per poll. A mount is known by more than its id, which the kernel gives again to the next mount
 * once it is free: a drive swapped for another with no look between (a daemon between polls, two
 * commands in one process) would come back under the id, device and folder of the last one and
 * be taken for it. The disk's sequence number (new each time a disk or a loop device's image is
 * attached) and its root folder's birth time tell them apart.
 */
const fingerprints = new Map<string, { identity: string; fingerprint: string }>();

/**
 * The volumes mounted on this device (Linux: the mount table, statfs, sysfs). Elsewhere there is
 * no reader yet: an empty list, and locations there are judged by their folder alone.
 */
export function mountedVolumes(table = readMountTable()): MountedVolume[] {
  const mounts = volumeMounts(parseMountInfo(table));
  const live = new Set(mounts.map((m) => m.mountId));
  for (const id of fingerprints.keys()) if (!live.has(id)) fingerprints.delete(id);
  return mounts.flatMap((m) => volumeOf(m) ?? []);
}

/**
 * The mounted volume holding absolute path P, as `volumeHolding(mountedVolumes(), P)` answers, with
 * only the mounts above P looked at: a file operation asks this of each of its sides before every
 * batch, and a machine with many drives (or a test machine's many loop devices) would pay a
 * statfs, a sysfs walk and a birth-time stat for every other drive each time.
 */
export function volumeAt(p: string, table = readMountTable()): MountedVolume | undefined {
  const above = volumeMounts(parseMountInfo(table))
    .filter((m) => m.mountPoint === '/' || p === m.mountPoint || p.startsWith(m.mountPoint + '/'))
    .sort((a, b) => b.mountPoint.length - a.mountPoint.length);
  for (const m of above) {
    const v = volumeOf(m);
    if (v) return v;
  }
  return undefined;
}

/** Mount M as a volume, its fingerprint found once per mount; undefined when it cannot be looked at now. */
function volumeOf(m: MountLine): MountedVolume | undefined {
  let st;
  try {
    st = statfsSync(m.mountPoint);
  } catch {
    return undefined; // gone between the table and now, or not ours to look at
  }
  const identity = mountIdentity(m);
  let fp = fingerprints.get(m.mountId)?.identity === identity ? fingerprints.get(m.mountId)!.fingerprint : undefined;
  if (fp === undefined) {
    fp = fingerprintOf(m);
    fingerprints.set(m.mountId, { identity, fingerprint: fp });
  }
  return {
    fingerprint: fp, mountPoint: m.mountPoint, fs: m.fs, source: m.source, majMin: m.majMin, mountId: m.mountId,
    capacity: st.blocks * st.bsize, free: st.bavail * st.bsize, removable: isRemovable(m.majMin), readOnly: m.readOnly,
  };
}

/**
 * What tells mount M from an earlier one under the same id: its device, folder, the disk's
 * sequence number (Linux 5.15+: a partition's is its disk's) and its root's birth time, where
 * each is known.
 */
function mountIdentity(m: MountLine): string {
  let seq = '';
  try {
    const dev = realpathSync(`/sys/dev/block/${m.majMin}`);
    seq = readFileSync(join(existsSync(join(dev, 'partition')) ? dirname(dev) : dev, 'diskseq'), 'utf8').trim();
  } catch { /* an older kernel, or no sysfs: the rest must do */ }
  let born = '';
  try {
    born = String(statSync(m.mountPoint, { bigint: true }).birthtimeNs);
  } catch { /* not ours to look at */ }
  return `${m.majMin}|${m.mountPoint}|${seq}|${born}`;
}

/** The mounted volume holding absolute path P: the one with the longest mount point above it. */
export function volumeHolding(volumes: readonly MountedVolume[], p: string): MountedVolume | undefined {
  let best: MountedVolume | undefined;
  for (const v of volumes) {
    const inside = v.mountPoint === '/' || p === v.mountPoint || p.startsWith(v.mountPoint + '/');
    if (inside && (!best || v.mountPoint.length > best.mountPoint.length)) best = v;
  }
  return best;
}

/**
 * The filesystem UUID (ext2/3/4 superblock, else blkid); without one, a `.vss-volume` marker the
 * user put in the volume's root; the system's root disk, which never moves, by machine id and
 * device. No marker is written here: listing volumes must not write on a drive nobody named.
 */
function fingerprintOf(m: MountLine): string {
  const uuid = ext4Uuid(m.source) ?? blkidUuid(m.source);
  if (uuid) return uuid.toLowerCase();
  if (m.mountPoint === '/') return `machine:${machineId()}:${m.majMin}`;
  try {
    const had = readFileSync(join(m.mountPoint, MARKER_FILE), 'utf8').trim();
    if (/^[0-9a-f-]{36}$/.test(had)) return `marker:${had}`;
  } catch { /* none */ }
  // Nothing lasting: the same drive elsewhere will look new, but it is still told apart from others.
  return `device:${machineId()}:${m.majMin}:${m.mountPoint}`;
}

const EXT_MAGIC = 0xef53;

/** The UUID in an ext2/3/4 superblock (1024 bytes in; magic at 0x38, UUID at 0x68), read from the device. */
export function ext4Uuid(device: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(device, 'r');
    const sb = Buffer.alloc(1024);
    if (readSync(fd, sb, 0, 1024, 1024) !== 1024 || sb.readUInt16LE(0x38) !== EXT_MAGIC) return undefined;
    return formatUuid(sb.subarray(0x68, 0x78));
  } catch {
    return undefined; // not readable (not root, or a device that refuses): the next way is tried
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function formatUuid(b: Buffer): string | undefined {
  const h = b.toString('hex');
  if (/^0+$/.test(h)) return undefined;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function blkidUuid(device: string): string | undefined {
  const r = spawnSync('blkid', ['-o', 'value', '-s', 'UUID', device], { encoding: 'utf8', timeout: 2000 });
  const v = r.status === 0 ? r.stdout.trim() : '';
  return /^[0-9A-Za-z-]{4,64}$/.test(v) ? v : undefined;
}

let machine: string | undefined;
function machineId(): string {
  if (machine !== undefined) return machine;
  for (const f of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
    try {
      const v = readFileSync(f, 'utf8').trim();
      if (v) return (machine = v);
    } catch { /* the next */ }
  }
  return (machine = 'unknown');
}

/**
 * Whether the kernel calls the device removable (a partition asks its disk). A loop device with a
 * backing file is a disk image, which comes and goes like a drive: removable too.
 */
function isRemovable(majMin: string): boolean {
  let dev: string;
  try {
    dev = realpathSync(`/sys/dev/block/${majMin}`);
  } catch {
    return false;
  }
  if (existsSync(join(dev, 'loop', 'backing_file'))) return true;
  const disk = existsSync(join(dev, 'partition')) ? dirname(dev) : dev;
  try {
    return readFileSync(join(disk, 'removable'), 'utf8').trim() === '1';
  } catch {
    return false;
  }
}
