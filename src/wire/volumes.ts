/**
 * Volumes (`vss volumes`, DESIGN §17): the shapes the daemon answers, read by the app in web/ as
 * they are. Types only.
 */

export interface VolumeInfo {
  id: number;
  /** Given when tracked (`volumes track ID --name N`), else null. */
  name: string | null;
  /** Where it is mounted now; while offline, where it was last seen. */
  mount_point: string;
  fs: string;
  /** Bytes. */
  capacity: number;
  /** Bytes free for this user. */
  free: number;
  removable: boolean;
  read_only: boolean;
  tracked: boolean;
  /** The same for the same drive at any mount point: its filesystem UUID where it has one. */
  fingerprint: string;
  online: boolean;
  /** The last speed test's figures (MB/s), or null before one. */
  read_mbps: number | null;
  write_mbps: number | null;
  /** A bucket whose objects vss seals with the library's key (issue 60); false for a drive and a plain bucket. */
  encrypted: boolean;
}

/** `volumes add s3://… --json`: the volume, and the recovery phrase of the library's bucket key when this add made it (shown this once; `vss library key phrase` shows it again). */
export type VolumeAdded = VolumeInfo & { phrase: string | null };

/** `volumes speed ID --json`. */
export interface VolumeSpeed {
  read_mbps: number;
  write_mbps: number;
}
