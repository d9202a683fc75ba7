/** Plain, JSON-ready shapes the core API returns that no domain module owns. */

export interface DeviceInfo {
  id: string;
  name: string;
  /** Ed25519 public key, SPKI PEM. */
  public_key: string;
  created_at: string;
}

export interface LibraryRef {
  id: string;
  name: string;
  /** The library folder, absolute. */
  path: string;
}

export interface LibrarySummary extends LibraryRef {
  current: boolean;
  /** Whether the folder is still there. */
  available: boolean;
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
