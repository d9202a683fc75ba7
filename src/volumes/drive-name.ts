import { posix } from 'node:path';
import type { VolumeRecord } from '../store/volumes.js';

/** What the system's root drive is called where nobody named it: its mount point, "/", says nothing to a person. */
export const SYSTEM_DRIVE = 'system drive';

/**
 * A volume as a person names it: the name given to it (`volumes track ID --name`, a bucket's
 * `--name`), else the last part of where it is mounted, which is the drive's own label where a
 * desktop mounts it (`/media/USER/LABEL`, `/run/media/USER/LABEL`, `/Volumes/LABEL`); the root
 * drive is the system drive, and a bucket its URL.
 */
export function driveName(v: Pick<VolumeRecord, 'name' | 'mount_point' | 'fs'>): string {
  if (v.name !== null && v.name.trim() !== '') return v.name;
  if (v.fs === 's3') return v.mount_point;
  const base = posix.basename(v.mount_point.replace(/\/+$/, ''));
  return base === '' ? SYSTEM_DRIVE : base;
}
