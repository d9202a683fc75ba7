import type { Db } from '../db/connection.js';
import { LocalAvailability } from './availability.js';
import { ContentStore } from './contents.js';
import { DeviceStore } from './devices.js';
import { LocationStore } from './locations.js';
import { SidecarStore } from './sidecars.js';
import { ConversionJournalStore } from './conversion-journal.js';
import { NotApplicableStore } from './not-applicable.js';
import { EntryStore } from './entries.js';

/**
 * Every table's store over one connection (DESIGN §18), each made on first use. The stores are the
 * only code that writes SQL (apart from the migrations); the layers above pass typed records in
 * and get typed records out. A query lives in the store of the table whose rows it answers with.
 */
export class Stores {
  private ownDevices: DeviceStore | undefined;
  private ownLocations: LocationStore | undefined;
  private ownContents: ContentStore | undefined;
  private ownAvailability: LocalAvailability | undefined;
  private ownSidecars: SidecarStore | undefined;
  private ownConversionJournal: ConversionJournalStore | undefined;
  private ownNotApplicable: NotApplicableStore | undefined;
  private ownEntries: EntryStore | undefined;

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

  /** This device's availability rows, each change numbered for peers. */
  get availability(): LocalAvailability {
    return (this.ownAvailability ??= new LocalAvailability(this.db, this.deviceUuid));
  }

  get sidecars(): SidecarStore {
    return (this.ownSidecars ??= new SidecarStore(this.db));
  }

  get conversionJournal(): ConversionJournalStore {
    return (this.ownConversionJournal ??= new ConversionJournalStore(this.db));
  }

  get notApplicable(): NotApplicableStore {
    return (this.ownNotApplicable ??= new NotApplicableStore(this.db));
  }

  get entries(): EntryStore {
    return (this.ownEntries ??= new EntryStore(this.db));
  }

  /**
   * Copy the write-ahead log into the database file: PASSIVE (at close: as far as no reader
   * holds it) or TRUNCATE (a new library: the log emptied, so its folder is one file to rename).
   */
  checkpoint(mode: 'PASSIVE' | 'TRUNCATE'): void {
    this.db.pragma(`wal_checkpoint(${mode})`);
  }

  /** Changes when another connection commits to the database (never for this connection's own writes). */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  /** Run FN in one transaction; a call inside another joins it (as a savepoint). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
