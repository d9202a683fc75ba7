/**
 * Locations and their scans (`vss location`, the app's Locations view): the shapes the daemon
 * answers and streams, read by the app in web/ as they are. Types only: the app's type check
 * reads this file.
 */

export type IndexMode = 'shallow' | 'content' | 'deep';

export interface LocationInfo {
  id: number;
  uuid: string;
  name: string;
  path: string;
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
}

export interface SkippedFile {
  /** Absolute. */
  path: string;
  reason: string;
}

/** A scan's result (add, rescan). */
export interface IndexResult {
  location_id: number;
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
