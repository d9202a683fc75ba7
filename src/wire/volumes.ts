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
}

/** `volumes speed ID --json`. */
export interface VolumeSpeed {
  read_mbps: number;
  write_mbps: number;
}
