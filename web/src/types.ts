/**
 * The shapes the app reads from the daemon. The server's own declarations (src/api/wire/, types
 * only, no imports) are re-exported here, so the app and the daemon of the same build agree to the
 * field; esbuild erases these imports, so the bundle carries none of the server's code.
 */

export type { CapturedZone, ContentDetail, DetailDevice, DetailPath, DetailSidecar, GridDay, GridDays, GridItem, GridPage, MediaMetadata } from '../../src/api/wire/browse.js';
export type { LibraryRef, Page, StreamedEvent } from '../../src/api/wire/common.js';
export type { IndexPhase, IndexProgress, IndexResult, LocationInfo } from '../../src/api/wire/locations.js';
export type { PairedDeviceItem, PairedInfo, PairingCodeInfo } from '../../src/api/wire/peers.js';
export type { SearchAnswer, SearchLocator, SearchResult, SearchSource } from '../../src/api/wire/search.js';
export type { BBox, OcrJson, OcrJsonPage, TranscriptJson } from '../../src/api/wire/sidecar-json.js';

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
