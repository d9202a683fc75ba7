/** Shapes of pairing, devices and sync as every adapter prints them (DESIGN §11). */

/** `vss pair start`'s first answer: the code to type on the other device. */
export interface PairingCodeInfo {
  /** The 12 words, space-separated. */
  code: string;
  expires_at: string;
}

/** A pairing that completed, from either side. */
export interface PairedInfo {
  device_id: string;
  name: string;
  library_id: string;
  /** The library the pairing joined or shared, on this device. */
  library_path: string;
}

/** One paired device (`vss devices list`). */
export interface PairedDeviceItem {
  id: string;
  name: string;
  paired_at: string;
  online: boolean;
  last_seen: string | null;
  /** Libraries shared with it. */
  libraries: string[];
  peer_id: string;
}

/** One peer's sync state in a library (`vss sync status`). */
export interface SyncPeerStatus {
  device_id: string;
  name: string;
  online: boolean;
  /** The last change number of theirs applied here, and their numbering's epoch. */
  seq: number;
  epoch: string | null;
  last_exchange: string | null;
  /** Their availability entries held here. */
  entries: number;
  bytes_fetched: number;
  files_fetched: number;
  failures: number;
}

/** `vss sidecars get`: where the sidecar came from, or why there is none. */
export type { ResolveAnswer } from '../sync/resolver.js';
