/**
 * The shapes the app reads from the daemon (src/daemon/protocol.ts and the UI contract). Written
 * out here rather than imported: the app is bundled for the browser apart from the Node code.
 */

export interface LibraryRef {
  id: string;
  name: string;
  path: string;
}

export interface GridDay {
  /** "YYYY-MM-DD", or null for contents with no date. */
  day: string | null;
  count: number;
}

export interface GridDays {
  total: number;
  /** The order's identity: pages of the same version are slices of it. */
  version?: number;
  days: GridDay[];
}

export interface GridItem {
  content_uuid: string;
  name: string;
  kind: string;
  mime: string | null;
  day: string | null;
  captured_at: string | null;
  width: number | null;
  height: number | null;
  duration_s: number | null;
  live_photo: boolean;
  thumb_checksum: string | null;
  /** Whether a thumbnail can exist for its kind (absent from an older daemon: assume so). */
  has_thumb?: boolean;
}

export interface GridPage {
  total: number;
  /** The order this page is a slice of. */
  version?: number;
  items: GridItem[];
}

export interface SidecarDevice {
  device_id: string;
  name: string;
  local: boolean;
}

export interface DetailSidecar {
  kind: string;
  variant: string;
  format: string | null;
  /** pending, generating, ready, failed, missing; or `remote` when only other devices have it. */
  status: string;
  checksum: string | null;
  size: number | null;
  devices: SidecarDevice[];
}

export interface ContentDetail {
  content_uuid: string;
  name: string;
  kind: string;
  mime: string | null;
  size: number;
  captured_at: string | null;
  width: number | null;
  height: number | null;
  duration_s: number | null;
  paths: Array<{ location_id: number; location_name: string; path: string }>;
  metadata: Record<string, unknown> | null;
  sidecars: DetailSidecar[];
}

export type BBox = [number, number, number, number];

export interface OcrPage {
  page: number;
  text: string;
  rotation?: 0 | 90 | 180 | 270;
  width: number;
  height: number;
  unit?: 'pt' | 'px';
  blocks: Array<{ text: string; bbox: BBox; confidence?: number }>;
}

export interface OcrJson {
  text: string;
  pages: OcrPage[];
}

export interface TranscriptJson {
  segments: Array<{ start: number; end: number; text: string }>;
}

export interface SearchLocator {
  page?: number;
  box?: BBox;
  unit?: string;
  start_s?: number;
}

export interface SearchResult {
  content_uuid: string;
  kind: string;
  score: number;
  /** Each match in [brackets]. */
  snippet: string;
  /** [start, end) of each match's text in `snippet` (absent from an older daemon: nothing is marked). */
  marks?: Array<[number, number]>;
  source: string;
  locator?: SearchLocator | number | null;
  /** Paths of the content's files (strings, or objects with a `path`). */
  paths: Array<string | { path: string }>;
}

export interface JobRow {
  id: number;
  kind: string;
  content_uuid: string | null;
  /** The content's name (its first copy's file name; null without content or copy). Absent from a job that arrived live until it is looked up. */
  name?: string | null;
  status: string;
  attempts: number;
  max_attempts: number;
  bytes: number;
  error: string | null;
  note: string | null;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
}

export interface Page<T> {
  items: T[];
  next: string | null;
}

/** `jobs:job` events. */
export interface JobChange {
  id: number;
  kind: string;
  contentUuid: string | null;
  status: string;
  error?: string | null;
  note?: string | null;
}

/** `jobs:progress` events: the queue as a whole. */
export interface JobsProgress {
  queued: number;
  running: number;
  completed: number;
  failed: number;
  cancelled: number;
  rate: number;
  etaMs: number | null;
}

export interface LocationInfo {
  id: number;
  name: string;
  path: string;
  mode: string;
  files: number;
  dirs: number;
  bytes: number;
  scan_state: 'pending' | 'scanning' | 'complete';
  last_scan_completed_at: string | null;
  paused: boolean;
}

/** `index:progress` events. */
export interface IndexProgress {
  locationId: number;
  phase: string;
  files: number;
  dirs: number;
  bytes: number;
  done?: number;
  total?: number;
}

export interface IndexResult {
  location_id: number;
  files: number;
  dirs: number;
  bytes: number;
  contents: number;
  duration_ms: number;
}

export interface PairedDevice {
  id: string;
  name: string;
  paired_at: string;
  online: boolean;
  last_seen: string | null;
  libraries: string[];
}

export interface PairingCode {
  code: string;
  expires_at: string;
}

export interface PairedInfo {
  device_id: string;
  name: string;
  library_id: string;
}

/** One event of the daemon's stream (`/api/events`). */
export interface StreamedEvent {
  id: number;
  library_id: string;
  type: string;
  at: string;
  payload: unknown;
}
