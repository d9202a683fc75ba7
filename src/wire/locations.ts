/**
 * Locations and their scans (`vss location`, the app's Locations view): the shapes the daemon
 * answers and streams, read by the app in web/ as they are. Types only: the app's type check
 * reads this file.
 */

export type IndexMode = 'shallow' | 'content' | 'deep';

/** What holds a location's files: a folder on a disk here, or a bucket's prefix (read only). Recorded with it, never told from its path. */
export type LocationKind = 'disk' | 'bucket';

export interface LocationInfo {
  id: number;
  uuid: string;
  name: string;
  path: string;
  kind: LocationKind;
  mode: IndexMode;
  ignore: string[];
  files: number;
  dirs: number;
  bytes: number;
  scan_state: 'pending' | 'scanning' | 'complete';
  last_scan_completed_at: string | null;
  /** The location's own generation policy spec (DESIGN §8), or null for the library's. */
  generation: string | null;
  /** Paused: the daemon neither watches nor rescans it until resumed. */
  paused: boolean;
  /** The volume it lies on (`vss volumes list`), once known. */
  volume_id: number | null;
  /** False while its volume is unplugged or its folder absent: its entries and sidecars are kept, nothing is scanned or removed. */
  online: boolean;
  /** The drive it lies on, as a person names it: the name given to it, else its label (the last part of its mount point), "system drive" for the root one, a bucket's URL; null before its volume is known. */
  volume_name: string | null;
  /** Bytes free on that drive for this user, and its size, read when listed; null for a bucket and while offline. */
  free_bytes: number | null;
  total_bytes: number | null;
  /** Why it is offline, for a person ("its drive “Photos SSD” is not plugged in", "its folder /x/y is missing", "the bucket does not answer"); null while online. */
  offline_reason: string | null;
}

/** A location of another device of the library, as its owner last said (DESIGN §15). */
export interface PeerLocationInfo {
  /** The owner's id of it. */
  id: number;
  uuid: string;
  name: string;
  /** Its folder on the owner's device, as the owner shows it. */
  path: string;
  mode: string;
  files: number;
  dirs: number;
  bytes: number;
  /** Its owner could reach its folder when it last said (false: an unplugged drive, a missing folder). */
  online: boolean;
}

/** Another device of the library and its locations (`location list --others`, the Locations page). */
export interface DeviceLocations {
  device_id: string;
  /** The name it gave itself. */
  name: string;
  /** Connected to this device now (only the daemon connects): while not, its locations are as last heard. */
  connected: boolean;
  /** When this library last heard from it, or null. */
  last_heard: string | null;
  locations: PeerLocationInfo[];
}

export interface SkippedFile {
  /** Absolute. */
  path: string;
  reason: string;
}

/** A scan's result (add, rescan). */
export interface IndexResult {
  location_id: number;
  /** The folder rescanned alone (`location rescan PATH/SUB`), relative to the location; absent: the whole location. */
  folder?: string;
  /** Files this scan listed: the whole location's, or the folder's subtree alone. */
  scanned_files: number;
  /** The location's totals once scanned. */
  files: number;
  dirs: number;
  bytes: number;
  contents: number;
  duration_ms: number;
  added: number;
  changed: number;
  moved: number;
  removed: number;
  hashed: number;
  skipped: SkippedFile[];
  skipped_total: number;
  /** Deep mode only: image and video contents whose embedded metadata was read in this scan. */
  media_read?: number;
  /** Deep mode only: still contents of the location with their Live Photo movie recorded. */
  live_photos?: number;
  /** Deep mode only: contents of the location with an XMP sidecar recorded (another photo tool's file beside the original), and those read in this scan (new or changed). */
  xmp_sidecars?: number;
  xmp_read?: number;
  /** Deep mode only: sidecars newly recorded pending and jobs newly queued by the queueing phase. */
  sidecars_pending?: number;
  jobs_queued?: number;
  /** Deep mode only: kinds the policy wants that this device cannot make now, with the reason. */
  unavailable?: Array<{ kind: string; reason: string }>;
}

export type IndexPhase = 'discovery' | 'cleanup' | 'aggregation' | 'content' | 'media' | 'queue';

/** `index:progress` events. */
export interface IndexProgress {
  locationId: number;
  phase: IndexPhase;
  files: number;
  dirs: number;
  bytes: number;
  /** For the content and media phases, where the total is known. */
  done?: number;
  total?: number;
  doneBytes?: number;
  totalBytes?: number;
}
