import type { Db } from '../db/connection.js';
import { LocalAvailability } from './availability.js';
import { BrowseStore } from './browse.js';
import { ContentStore } from './contents.js';
import { DeviceStore } from './devices.js';
import { EntryStore } from './entries.js';
import { JobStore } from './jobs.js';
import { BatchWriter } from './batch-writer.js';
import { LocationStore } from './locations.js';
import { SearchStore } from './search.js';
import { StatsStore } from './stats.js';
import { NotApplicableStore } from './not-applicable.js';
import { SidecarStore } from './sidecars.js';

/**
 * Every table's store over one connection (DESIGN §18), each made on first use. The stores are the
 * only code that writes SQL (apart from the migrations); the layers above pass typed records in
 * and get typed records out. A query lives in the store of the table whose rows it answers with.
 */
export class Stores {
  private ownDevices: DeviceStore | undefined;
  private ownLocations: LocationStore | undefined;
  private ownContents: ContentStore | undefined;
  private ownEntries: EntryStore | undefined;
  private ownAvailability: LocalAvailability | undefined;
  private ownStats: StatsStore | undefined;
  private ownBrowse: BrowseStore | undefined;
  private ownSearch: SearchStore | undefined;
  private ownJobs: JobStore | undefined;
  private ownNotApplicable: NotApplicableStore | undefined;
  private ownSidecars: SidecarStore | undefined;

  constructor(readonly db: Db, private readonly deviceUuid: string) {}

  get devices(): DeviceStore {
    return (this.ownDevices ??= new DeviceStore(this.db));
  }

  get locations(): LocationStore {
    return (this.ownLocations ??= new LocationStore(this.db));
  }

  get contents(): ContentStore {
    return (this.ownContents ??= new ContentStore(this.db, () => this.browse.bumpVersion()));
  }

  get entries(): EntryStore {
    return (this.ownEntries ??= new EntryStore(this.db, {
      queueForSearch: (uuids) => this.search.queue(uuids),
      queueForSearchById: (id) => this.search.queueById(id),
      moveGridVersion: () => this.browse.bumpVersion(),
    }));
  }

  /** This device's availability rows, each change numbered for peers. */
  get availability(): LocalAvailability {
    return (this.ownAvailability ??= new LocalAvailability(this.db, this.deviceUuid));
  }

  /** The browse views' reads (the grid, a content's detail). */
  get browse(): BrowseStore {
    return (this.ownBrowse ??= new BrowseStore(this.db));
  }

  /** The search index and its queue. */
  get search(): SearchStore {
    return (this.ownSearch ??= new SearchStore(this.db));
  }

  /** Counts over the whole library. */
  get stats(): StatsStore {
    return (this.ownStats ??= new StatsStore(this.db));
  }

  get jobs(): JobStore {
    return (this.ownJobs ??= new JobStore(this.db));
  }

  get notApplicable(): NotApplicableStore {
    return (this.ownNotApplicable ??= new NotApplicableStore(this.db));
  }

  get sidecars(): SidecarStore {
    return (this.ownSidecars ??= new SidecarStore(this.db));
  }

  /** A writer that commits long runs of writes in batches of at most MAXOPS writes or MAXMS old. */
  batchWriter(maxOps?: number, maxMs?: number): BatchWriter {
    return new BatchWriter(this.db, maxOps, maxMs);
  }

  /** Run FN in one transaction; a call inside another joins it (as a savepoint). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /**
   * Run FN in one transaction that takes the write lock at once (BEGIN IMMEDIATE): what it reads
   * no other connection can change before it writes (a claim, a read-then-write of the queue).
   */
  immediate<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }
}
