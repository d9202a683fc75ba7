/** Plain, JSON-ready shapes the core API returns that no domain module owns. */
import type { LibraryRef } from '../wire/common.js';

export type { LibraryRef, StreamedEvent } from '../wire/common.js';

export interface DeviceInfo {
  id: string;
  name: string;
  /** Ed25519 public key, SPKI PEM. */
  public_key: string;
  created_at: string;
}

export interface LibrarySummary extends LibraryRef {
  current: boolean;
  /** Whether the folder is still there. */
  available: boolean;
}
