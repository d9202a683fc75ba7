/**
 * Shapes every area of the daemon's answers shares: a library, a page of a list, one event of the
 * event stream. Read by the app in web/ as they are. Types only: the app's type check reads this file.
 */

export interface LibraryRef {
  id: string;
  name: string;
  /** The library folder, absolute. */
  path: string;
}

export interface Page<T> {
  items: T[];
  /** Pass as `after` to get the next page; null when this is the last one. */
  next: string | null;
}

/** One event of one library as the daemon streams it (`vss events`, Server-Sent Events), numbered for reconnects. */
export interface StreamedEvent {
  id: number;
  library_id: string;
  type: string;
  /** ISO time the daemon saw it. */
  at: string;
  payload: unknown;
}

/** A sidecar's record changed (`sidecar:changed`): made, fetched, failed or gone. */
export interface SidecarChange {
  contentUuid: string;
  kind: string;
  variant: string;
  status: string;
  source: string;
}

/** What a library holds (`vss library stats`). */
export interface LibraryStats {
  library_id: string;
  name: string;
  path: string;
  /** Unique contents, and the bytes they take once each. */
  contents: number;
  content_bytes: number;
  /** Files and folders in this device's locations (as their last scans counted them), and the files' bytes. */
  files: number;
  dirs: number;
  bytes: number;
  locations: number;
  /** Sidecar records by kind, then by status (`{thumb: {ready: 120, pending: 3}}`). */
  sidecars: Record<string, Record<string, number>>;
  /** Bytes of the ready sidecars vss keeps in the library folder (references are the user's files, not counted). */
  sidecar_bytes: number;
}
