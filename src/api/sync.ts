import type { Library } from '../library/library.js';
import { AvailabilityStore } from '../sync/availability/store.js';
import { TransferStore } from '../sync/transfer/store.js';

/**
 * A library's side of sync between devices (DESIGN §9): its availability (own changes numbered,
 * peers' entries kept) and its transfers (serve ready sidecars by address, receive verified ones).
 * The peer service (the daemon's network part) calls these; it never reaches the database itself.
 */
export class SyncApi {
  readonly availability: AvailabilityStore;
  readonly transfers: TransferStore;

  constructor(lib: Library) {
    this.availability = new AvailabilityStore(lib);
    this.transfers = new TransferStore(lib);
  }
}
