/** Shapes of pairing, devices and sync as every adapter prints them (DESIGN §11). */

export type { BrowserDeviceItem, ConnectedDevice, DeviceItem, DeviceRights, PairedDeviceItem, PairedInfo, PairingCodeInfo } from '../wire/peers.js';

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
  /** A pull from it runs now (the first after pairing, a change it told of). */
  pulling: boolean;
  /** Its files listed here, and how many its locations hold (as it last said): the first pull's progress. */
  files_listed: number;
  files_total: number;
  /** Sidecars it has that prefetch still has to fetch here (0 once prefetch caught up). */
  to_fetch: number;
}

/** `vss sidecars get`: where the sidecar came from, or why there is none. */
export type { ResolveAnswer } from '../sync/resolver.js';
