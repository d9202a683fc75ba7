import type { Db } from '../db/connection.js';
import { AvailabilityStore } from './availability.js';
import { AvailabilitySuspectStore } from './availability-suspects.js';
import { ContentStore } from './contents.js';
import { DeviceStore } from './devices.js';
import { LocationStore } from './locations.js';
import { PeerSyncStore } from './peer-sync.js';
import { FetchedSidecarStore } from './sidecars-fetched.js';
import { SyncMetaStore } from './sync-meta.js';

/**
 * Every table's store over one connection (DESIGN §18), each made on first use. The stores are the
 * only code that writes SQL (apart from the migrations); the layers above pass typed records in
 * and get typed records out. A query lives in the store of the table whose rows it answers with.
 */
export class Stores {
  private ownDevices: DeviceStore | undefined;
  private ownLocations: LocationStore | undefined;
  private ownContents: ContentStore | undefined;
  private ownAvailability: AvailabilityStore | undefined;
  private ownSyncMeta: SyncMetaStore | undefined;
  private ownPeerSync: PeerSyncStore | undefined;
  private ownSuspects: AvailabilitySuspectStore | undefined;
  private ownFetchedSidecars: FetchedSidecarStore | undefined;

  constructor(readonly db: Db, private readonly deviceUuid: string) {}

  get devices(): DeviceStore {
    return (this.ownDevices ??= new DeviceStore(this.db));
  }

  get locations(): LocationStore {
    return (this.ownLocations ??= new LocationStore(this.db));
  }

  get contents(): ContentStore {
    return (this.ownContents ??= new ContentStore(this.db));
  }

  /** Availability: this device's rows, each change numbered for peers, and paired devices' hearsay. */
  get availability(): AvailabilityStore {
    return (this.ownAvailability ??= new AvailabilityStore(this.db, this.deviceUuid, this.syncMeta));
  }

  /** This database's epoch and change counter, for peers. */
  get syncMeta(): SyncMetaStore {
    return (this.ownSyncMeta ??= new SyncMetaStore(this.db));
  }

  /** Where sync with each paired device stands, and its transfer counters. */
  get peerSync(): PeerSyncStore {
    return (this.ownPeerSync ??= new PeerSyncStore(this.db));
  }

  /** Peers' entries whose bytes were not what they announced. */
  get availabilitySuspects(): AvailabilitySuspectStore {
    return (this.ownSuspects ??= new AvailabilitySuspectStore(this.db));
  }

  /** The sidecars this device fetched (sync's queries of the sidecars table). */
  get fetchedSidecars(): FetchedSidecarStore {
    return (this.ownFetchedSidecars ??= new FetchedSidecarStore(this.db));
  }

  /** Run FN in one transaction; a call inside another joins it (as a savepoint). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
