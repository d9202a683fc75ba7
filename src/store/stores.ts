import type { Db } from '../db/connection.js';
import { AvailabilityStore } from './availability.js';
import { AvailabilitySuspectStore } from './availability-suspects.js';
import { BatchWriter } from './batch-writer.js';
import { BrowseStore } from './browse.js';
import { ContentStore } from './contents.js';
import { ContentReachStore } from './content-reach.js';
import { ConversionJournalStore } from './conversion-journal.js';
import { DeviceStore } from './devices.js';
import { EntryStore } from './entries.js';
import { JobStore } from './jobs.js';
import { LocationStore } from './locations.js';
import { NotApplicableStore } from './not-applicable.js';
import { PeerContentStore } from './peer-contents.js';
import { PeerEntryStore } from './peer-entries.js';
import { PeerFolderStore, PeerHeadStore } from './peer-folders.js';
import { FeedCursorStore } from './feed-cursors.js';
import { PeerLocationStore } from './peer-locations.js';
import { PeerSyncStore } from './peer-sync.js';
import { VolumeStore } from './volumes.js';
import { SearchStore } from './search.js';
import { SidecarStore } from './sidecars.js';
import { StatsStore } from './stats.js';
import { SyncMetaStore } from './sync-meta.js';
import { MetadataTagStore } from './metadata-tags.js';
import { SharedOpStore } from './shared-ops.js';
import { SharedAckStore } from './shared-acks.js';
import { TagStore } from './tags.js';
import { FaceStore } from './faces.js';
import { PeopleStore } from './people.js';
import { AlbumStore } from './albums.js';
import { AlbumItemStore } from './album-items.js';
import { StackStore } from './stacks.js';
import { ObjectStore } from './objects.js';
import { StackMemberStore } from './stack-members.js';
import { LibraryMemberStore } from './library-members.js';
import { UserMetadataStore } from './user-metadata.js';
import { FileOpItemStore } from './file-op-items.js';
import { GuardianStore } from './guardian.js';
import { GuardianPolicyStore } from './guardian-policies.js';
import { ActionStore } from './actions.js';
import { RotStore } from './rot.js';
import { BucketStore } from './buckets.js';
import { LibraryKeyStore } from './library-keys.js';
import { ScrubStore } from './scrubs.js';
import { XmpBaseStore } from './xmp-bases.js';
import { TrashStore } from './trash.js';
import { LibraryBackupStore } from './library-backups.js';

/**
 * Every table's store over one connection (DESIGN §18), each made on first use. The stores are the
 * only code that writes SQL (apart from the migrations); the layers above pass typed records in
 * and get typed records out. A query lives in the store of the table whose rows it answers with.
 */
export class Stores {
  private ownDevices: DeviceStore | undefined;
  private ownLocations: LocationStore | undefined;
  private ownContents: ContentStore | undefined;
  private ownContentReach: ContentReachStore | undefined;
  private ownEntries: EntryStore | undefined;
  private ownSidecars: SidecarStore | undefined;
  private ownAvailability: AvailabilityStore | undefined;
  private ownSyncMeta: SyncMetaStore | undefined;
  private ownPeerSync: PeerSyncStore | undefined;
  private ownSuspects: AvailabilitySuspectStore | undefined;
  private ownConversionJournal: ConversionJournalStore | undefined;
  private ownNotApplicable: NotApplicableStore | undefined;
  private ownJobs: JobStore | undefined;
  private ownSearch: SearchStore | undefined;
  private ownBrowse: BrowseStore | undefined;
  private ownStats: StatsStore | undefined;
  private ownPeerLocations: PeerLocationStore | undefined;
  private ownVolumes: VolumeStore | undefined;
  private ownPeerEntries: PeerEntryStore | undefined;
  private ownPeerFolders: PeerFolderStore | undefined;
  private ownPeerHeads: PeerHeadStore | undefined;
  private ownPeerContents: PeerContentStore | undefined;
  private ownFeedCursors: FeedCursorStore | undefined;
  private ownTags: TagStore | undefined;
  private ownUserMetadata: UserMetadataStore | undefined;
  private ownMetadataTags: MetadataTagStore | undefined;
  private ownSharedOps: SharedOpStore | undefined;
  private ownSharedAcks: SharedAckStore | undefined;
  private ownFileOpItems: FileOpItemStore | undefined;
  private ownGuardian: GuardianStore | undefined;
  private ownGuardianPolicies: GuardianPolicyStore | undefined;
  private ownActions: ActionStore | undefined;
  private ownScrubs: ScrubStore | undefined;
  private ownRot: RotStore | undefined;
  private ownXmpBases: XmpBaseStore | undefined;
  private ownTrash: TrashStore | undefined;
  private ownLibraryBackups: LibraryBackupStore | undefined;
  private ownBuckets: BucketStore | undefined;
  private ownLibraryKeys: LibraryKeyStore | undefined;
  private ownFaces: FaceStore | undefined;
  private ownPeople: PeopleStore | undefined;
  private ownAlbums: AlbumStore | undefined;
  private ownAlbumItems: AlbumItemStore | undefined;
  private ownStacks: StackStore | undefined;
  private ownObjects: ObjectStore | undefined;
  private ownStackMembers: StackMemberStore | undefined;
  private ownLibraryMembers: LibraryMemberStore | undefined;

  constructor(readonly db: Db, private readonly deviceUuid: string) {}

  /** Shared data (DESIGN §15, §16): tags, user metadata, which content carries which tag, and the log of operations on them. */
  get tags(): TagStore {
    return (this.ownTags ??= new TagStore(this.db));
  }

  get userMetadata(): UserMetadataStore {
    return (this.ownUserMetadata ??= new UserMetadataStore(this.db));
  }

  get metadataTags(): MetadataTagStore {
    return (this.ownMetadataTags ??= new MetadataTagStore(this.db));
  }

  get sharedOps(): SharedOpStore {
    return (this.ownSharedOps ??= new SharedOpStore(this.db));
  }

  get sharedAcks(): SharedAckStore {
    return (this.ownSharedAcks ??= new SharedAckStore(this.db));
  }

  /** The items of file operations' jobs (`vss files copy|move|delete`) and how far each got. */
  get fileOpItems(): FileOpItemStore {
    return (this.ownFileOpItems ??= new FileOpItemStore(this.db));
  }

  /** The Guardian's counts of copies against the policies (a read model over entries, peers' rows, tags and policies). */
  get guardian(): GuardianStore {
    return (this.ownGuardian ??= new GuardianStore(this.db));
  }

  /** How many copies the library, a location or a tag asks for. */
  get guardianPolicies(): GuardianPolicyStore {
    return (this.ownGuardianPolicies ??= new GuardianPolicyStore(this.db));
  }

  /** The action log: user operations that change files or copies, and how each ended. */
  get actions(): ActionStore {
    return (this.ownActions ??= new ActionStore(this.db));
  }

  /** Each location's scrub: the pass in progress (where it goes on from) or the last one done. */
  get scrubs(): ScrubStore {
    return (this.ownScrubs ??= new ScrubStore(this.db));
  }

  /** The files a scrub found rotten. */
  get rot(): RotStore {
    return (this.ownRot ??= new RotStore(this.db));
  }

  /** What each XMP sidecar said when vss last read or wrote it: the base of its three-way merge. */
  get xmpBases(): XmpBaseStore {
    return (this.ownXmpBases ??= new XmpBaseStore(this.db));
  }

  /** The trash: files a delete moved aside on their own drive, restorable for 30 days. */
  get trash(): TrashStore {
    return (this.ownTrash ??= new TrashStore(this.db));
  }

  /** The snapshots of the library's database this device made (`vss library backup`). */
  get libraryBackups(): LibraryBackupStore {
    return (this.ownLibraryBackups ??= new LibraryBackupStore(this.db));
  }

  /** Buckets as volumes: where each is, the objects verified there, the uploads under way. */
  get buckets(): BucketStore {
    return (this.ownBuckets ??= new BucketStore(this.db));
  }

  /** The library's bucket keys (issue 60): the secret an encrypted bucket is sealed with. */
  get libraryKeys(): LibraryKeyStore {
    return (this.ownLibraryKeys ??= new LibraryKeyStore(this.db));
  }

  /** The faces read out of the faces sidecars here, and who each is now (derived, local). */
  get faces(): FaceStore {
    return (this.ownFaces ??= new FaceStore(this.db));
  }

  /** People and the corrections of faces: shared data, like tags. */
  get people(): PeopleStore {
    return (this.ownPeople ??= new PeopleStore(this.db));
  }

  get albums(): AlbumStore {
    return (this.ownAlbums ??= new AlbumStore(this.db));
  }

  get albumItems(): AlbumItemStore {
    return (this.ownAlbumItems ??= new AlbumItemStore(this.db));
  }

  /** Stacks (issue 45): shared data, like albums. */
  get stacks(): StackStore {
    return (this.ownStacks ??= new StackStore(this.db));
  }

  get objects(): ObjectStore {
    return (this.ownObjects ??= new ObjectStore(this.db));
  }

  get stackMembers(): StackMemberStore {
    return (this.ownStackMembers ??= new StackMemberStore(this.db));
  }

  /** The library's membership records (issue 46). */
  get libraryMembers(): LibraryMemberStore {
    return (this.ownLibraryMembers ??= new LibraryMemberStore(this.db));
  }

  get devices(): DeviceStore {
    return (this.ownDevices ??= new DeviceStore(this.db));
  }

  get locations(): LocationStore {
    return (this.ownLocations ??= new LocationStore(this.db));
  }

  get contents(): ContentStore {
    return (this.ownContents ??= new ContentStore(this.db, () => this.browse.bumpVersion(), (id) => this.entries.numberFoldersOfContent(id)));
  }

  get contentReach(): ContentReachStore {
    return (this.ownContentReach ??= new ContentReachStore(this.db));
  }

  get entries(): EntryStore {
    return (this.ownEntries ??= new EntryStore(this.db, {
      queueForSearch: (uuids) => this.search.queue(uuids),
      queueAddedForSearch: (contents) => this.search.queueAdded(contents),
      queueUnmarkedForSearch: (uuids) => this.search.queueUnmarked(uuids),
      queueForSearchById: (id) => this.search.queueById(id),
      moveGridVersion: () => this.browse.bumpVersion(),
      nextSeq: () => this.syncMeta.nextSeq(),
    }));
  }

  get sidecars(): SidecarStore {
    return (this.ownSidecars ??= new SidecarStore(this.db));
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

  get conversionJournal(): ConversionJournalStore {
    return (this.ownConversionJournal ??= new ConversionJournalStore(this.db));
  }

  get notApplicable(): NotApplicableStore {
    return (this.ownNotApplicable ??= new NotApplicableStore(this.db));
  }

  get jobs(): JobStore {
    return (this.ownJobs ??= new JobStore(this.db));
  }

  /** The search index and its queue. */
  get search(): SearchStore {
    return (this.ownSearch ??= new SearchStore(this.db));
  }

  /** The browse views' reads (the grid, a content's detail). */
  get browse(): BrowseStore {
    return (this.ownBrowse ??= new BrowseStore(this.db));
  }

  /** Counts over the whole library. */
  get stats(): StatsStore {
    return (this.ownStats ??= new StatsStore(this.db));
  }

  /** Paired devices' locations, as their owners sent them (DESIGN §15). */
  get peerLocations(): PeerLocationStore {
    return (this.ownPeerLocations ??= new PeerLocationStore(this.db));
  }

  /** Paired devices' folder trees, as their owners sent them. */
  get peerEntries(): PeerEntryStore {
    return (this.ownPeerEntries ??= new PeerEntryStore(this.db));
  }

  /** Paired devices' folders as their owners numbered and signed them (what a member passes on). */
  get peerFolders(): PeerFolderStore {
    return (this.ownPeerFolders ??= new PeerFolderStore(this.db));
  }

  /** The signed head of each paired device's rows as last pulled. */
  get peerHeads(): PeerHeadStore {
    return (this.ownPeerHeads ??= new PeerHeadStore(this.db));
  }

  /** The facts of the contents paired devices hold, as they sent them. */
  get peerContents(): PeerContentStore {
    return (this.ownPeerContents ??= new PeerContentStore(this.db));
  }

  /** Where this device stands in each paired device's feeds (availability, its rows, shared data). */
  get feedCursors(): FeedCursorStore {
    return (this.ownFeedCursors ??= new FeedCursorStore(this.db));
  }

  /** A writer that commits long runs of writes in batches of at most MAXOPS writes or MAXMS old. */
  batchWriter(maxOps?: number, maxMs?: number): BatchWriter {
    return new BatchWriter(this.db, maxOps, maxMs);
  }

  /**
   * Copy the write-ahead log into the database file: PASSIVE (at close: as far as no reader
   * holds it) or TRUNCATE (a new library: the log emptied, so its folder is one file to rename).
   */
  checkpoint(mode: 'PASSIVE' | 'TRUNCATE'): void {
    this.db.pragma(`wal_checkpoint(${mode})`);
  }


  /** This device's drives (DESIGN §17). */
  get volumes(): VolumeStore {
    return (this.ownVolumes ??= new VolumeStore(this.db));
  }

  /** Changes when another connection commits to the database (never for this connection's own writes). */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  /**
   * Run FN in one transaction; a call inside another joins it (as a savepoint). FN is synchronous:
   * an async one does not compile, and better-sqlite3 throws on a returned promise (its part
   * after the first await would run outside the transaction; DESIGN §19).
   */
  transaction<T>(fn: () => T, ..._synchronous: Synchronous<T>): T {
    return this.db.transaction(fn)();
  }

  /**
   * Run FN in one transaction that takes the write lock at once (BEGIN IMMEDIATE): what it reads
   * no other connection can change before it writes (a claim, a read-then-write of the queue).
   */
  immediate<T>(fn: () => T, ..._synchronous: Synchronous<T>): T {
    return this.db.transaction(fn).immediate();
  }
}

/** No further argument for a synchronous function; one no caller can give for an async one. */
type Synchronous<T> = T extends PromiseLike<unknown> ? [refused: 'a transaction takes a synchronous function'] : [];
